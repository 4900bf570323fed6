package io.fmi.examples.launch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fmi.examples.lambda.JobRequest;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;

/**
 * Starts the N functions of one job at the same time and collects their reports in rank order.
 *
 * <p>Each function is invoked with Lambda's {@code Invoke} API ({@code RequestResponse}), signed
 * with SigV4 by the AWS SDK's signer and sent with the JDK's asynchronous HTTP client; every call
 * is in flight before any is awaited, because the functions of a job must run at once.
 *
 * <pre>
 * AwsLauncher launcher = new AwsLauncher(DefaultCredentialsProvider.create(), "eu-central-1", "fmi-example");
 * List&lt;Map&lt;String, Object&gt;&gt; reports = launcher.run(Map.of("name", "kmeans", "run_id", "r1", "epochs", 50), 16, Duration.ofMinutes(5));
 * </pre>
 *
 * <p>The caller owns the credentials provider. Thread-safe.
 */
public final class AwsLauncher {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AwsCredentialsProvider credentials;
    private final String region;
    private final String functionName;
    private final URI endpoint;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public AwsLauncher(AwsCredentialsProvider credentials, String region, String functionName) {
        this(credentials, region, functionName, URI.create("https://lambda." + region + ".amazonaws.com"));
    }

    /** With an endpoint override (a Lambda emulator, a VPC endpoint). */
    public AwsLauncher(AwsCredentialsProvider credentials, String region, String functionName, URI endpoint) {
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.region = Objects.requireNonNull(region, "region");
        this.functionName = Objects.requireNonNull(functionName, "functionName");
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    }

    /** One invocation to send: the unsigned HTTP request and its body. */
    public static final class Invocation {
        public final int rank;
        public final SdkHttpRequest request;
        public final byte[] body;

        Invocation(int rank, SdkHttpRequest request, byte[] body) {
            this.rank = rank;
            this.request = request;
            this.body = body;
        }
    }

    /** The invocation of each rank: the template event with its {@code rank} and {@code size}. */
    public List<Invocation> invocations(Map<String, Object> template, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size: " + size + " (expected: >= 1)");
        }
        List<Invocation> out = new ArrayList<>(size);
        for (int r = 0; r < size; r++) {
            Map<String, Object> event = new LinkedHashMap<>(JobRequest.forRank(template, r));
            event.put("size", size);
            JobRequest.from(event); // fail here, not in N functions, on a bad event
            byte[] body;
            try {
                body = JSON.writeValueAsBytes(event);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("event of rank " + r + " is not serialisable: " + e.getOriginalMessage(), e);
            }
            SdkHttpRequest req = SdkHttpRequest.builder()
                    .method(SdkHttpMethod.POST)
                    .uri(endpoint.resolve("/2015-03-31/functions/" + URLEncoder.encode(functionName, StandardCharsets.UTF_8) + "/invocations"))
                    .putHeader("Content-Type", "application/json")
                    .putHeader("X-Amz-Invocation-Type", "RequestResponse")
                    .build();
            out.add(new Invocation(r, req, body));
        }
        return out;
    }

    /** Signs an invocation with SigV4 for service {@code lambda} in this launcher's region. */
    public SdkHttpRequest sign(Invocation inv) {
        return AwsV4HttpSigner.create().sign(r -> r
                .identity(credentials.resolveCredentials())
                .request(inv.request)
                .payload(ContentStreamProvider.fromByteArray(inv.body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "lambda")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)).request();
    }

    /** Invokes every rank at once and returns their reports in rank order. */
    public List<Map<String, Object>> run(Map<String, Object> template, int size, Duration timeout) {
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (Invocation inv : invocations(template, size)) {
            SdkHttpRequest signed = sign(inv);
            HttpRequest.Builder b = HttpRequest.newBuilder(signed.getUri()).timeout(timeout)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(inv.body));
            signed.forEachHeader((name, values) -> {
                if (!name.equalsIgnoreCase("Host") && !name.equalsIgnoreCase("Content-Length")) {
                    values.forEach(v -> b.header(name, v));
                }
            });
            calls.add(http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()));
        }
        List<Map<String, Object>> reports = new ArrayList<>(size);
        long end = System.nanoTime() + timeout.toNanos();
        for (int r = 0; r < size; r++) {
            try {
                HttpResponse<String> resp = calls.get(r).get(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
                reports.add(report(r, resp.statusCode(), resp.headers().firstValue("X-Amz-Function-Error").orElse(null), resp.body()));
            } catch (Exception e) {
                reports.add(failure(r, "invocation failed: " + e));
            }
        }
        return reports;
    }

    /** Turns one response into a report; an HTTP or function error becomes {@code ok=false} with its message. */
    public static Map<String, Object> report(int rank, int status, String functionError, String body) {
        if (status / 100 != 2) {
            return failure(rank, "HTTP " + status + ": " + body);
        }
        if (functionError != null) {
            return failure(rank, functionError + ": " + body);
        }
        try {
            return new LinkedHashMap<>(JSON.readValue(body, new TypeReference<Map<String, Object>>() { }));
        } catch (JsonProcessingException e) {
            return failure(rank, "unreadable response: " + body);
        }
    }

    private static Map<String, Object> failure(int rank, String error) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rank", rank);
        out.put("ok", false);
        out.put("error", error);
        return out;
    }
}
