package io.fmi.examples.launch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fmi.lambda.FmiLambda;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.lambda.LambdaAsyncClient;
import software.amazon.awssdk.services.lambda.LambdaAsyncClientBuilder;
import software.amazon.awssdk.services.lambda.model.GetFunctionConcurrencyResponse;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;

/**
 * Starts the N functions of one job on AWS Lambda at the same time and returns their results in
 * rank order.
 *
 * <pre>
 * try (LambdaAsyncClient lambda = AwsLauncher.client(16, Duration.ofMinutes(5), b -&gt; b.region(Region.EU_CENTRAL_1))) {
 *     List&lt;Map&lt;String, Object&gt;&gt; results = new AwsLauncher(lambda, "fmi-example")
 *             .run(Map.of("job", "kmeans", "epochs", 50), 16, Duration.ofMinutes(5));
 * }
 * </pre>
 *
 * <h2>How a job is started</h2>
 * <ol>
 *   <li>Every rank's event is the job's keys plus {@code rank}, {@code size} and {@code run_id}
 *       ({@link FmiLambda#event}): a fresh UUID per run unless the job names one, so a rerun never
 *       meets what an earlier run left. A bad event fails here, before anything is invoked.</li>
 *   <li>When the function has reserved concurrency below the job size, the job fails before any
 *       invocation: Lambda would throttle the ranks beyond it ({@code GetFunctionConcurrency};
 *       without permission for it the check is skipped with a warning).</li>
 *   <li>All N {@code Invoke} calls ({@code RequestResponse}) are sent at once on the SDK's
 *       asynchronous client, with no retries: a retried rank could run twice.</li>
 *   <li>The first failure ends {@link #run} at once with a {@link LaunchException} naming the rank
 *       and the AWS error (throttling, 5xx, a function error, a lost connection), and the other
 *       requests are cancelled: the launcher does not wait out the job. Ranks already running end
 *       at their communicator's deadline, bounded by the function's timeout.</li>
 * </ol>
 *
 * <p>The client is the caller's to close; it must allow N concurrent requests and a read timeout
 * longer than the function's timeout, as {@link #client} configures it. Thread-safe.
 */
public final class AwsLauncher {
    private static final Logger log = LoggerFactory.getLogger(AwsLauncher.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Time for Lambda to start a function and return its answer, beyond the function's own timeout. */
    private static final Duration INVOKE_SLACK = Duration.ofSeconds(60);

    private final LambdaAsyncClient lambda;
    private final String functionName;

    /**
     * @param lambda       a client as {@link #client} builds it; the caller closes it
     * @param functionName the function's name, ARN or alias ARN
     */
    public AwsLauncher(LambdaAsyncClient lambda, String functionName) {
        this.lambda = Objects.requireNonNull(lambda, "lambda");
        this.functionName = Objects.requireNonNull(functionName, "functionName");
    }

    /**
     * A Lambda client fit for jobs of up to {@code maxRanks} functions running up to
     * {@code functionTimeout}: one connection per rank at once (the SDK's default is 50), a read
     * timeout beyond the function's timeout (the default of 30 s would cut a longer job), and no
     * retries. {@code settings} sets the region, credentials or an endpoint override.
     */
    public static LambdaAsyncClient client(int maxRanks, Duration functionTimeout, Consumer<LambdaAsyncClientBuilder> settings) {
        if (maxRanks < 1) {
            throw new IllegalArgumentException("maxRanks: " + maxRanks + " (expected: >= 1)");
        }
        Duration answer = functionTimeout.plus(INVOKE_SLACK);
        LambdaAsyncClientBuilder b = LambdaAsyncClient.builder()
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                        .maxConcurrency(Math.max(maxRanks, 50))
                        .connectionAcquisitionTimeout(Duration.ofSeconds(30))
                        .readTimeout(answer)
                        .tcpKeepAlive(true))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallTimeout(answer)
                        .apiCallAttemptTimeout(answer));
        settings.accept(b);
        return b.build();
    }

    /**
     * Invokes {@code size} functions on {@code job} at once and returns their results in rank
     * order: each function's JSON object, or {@code {"rank": r, "result": value}} for another value.
     *
     * @param timeout how long to wait for the last answer
     * @throws io.fmi.FmiConfigException on a bad job, before anything is invoked
     * @throws LaunchException naming the rank and the error when a rank fails, or the ranks that had not answered at the timeout
     */
    public List<Map<String, Object>> run(Map<String, Object> job, int size, Duration timeout) {
        String runId = job.containsKey(FmiLambda.RUN_ID) ? String.valueOf(job.get(FmiLambda.RUN_ID)) : UUID.randomUUID().toString();
        List<SdkBytes> payloads = new ArrayList<>(size);
        for (int r = 0; r < size; r++) {
            try {
                payloads.add(SdkBytes.fromByteArray(JSON.writeValueAsBytes(FmiLambda.event(job, r, size, runId))));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("the event of rank " + r + " is not representable as JSON: " + e.getOriginalMessage(), e);
            }
        }
        checkConcurrency(size, timeout);
        log.debug("invoking {} x {} (run {})", size, functionName, runId);
        List<CompletableFuture<InvokeResponse>> requests = new ArrayList<>(size);
        List<CompletableFuture<Map<String, Object>>> calls = new ArrayList<>(size);
        CompletableFuture<List<Map<String, Object>>> results = new CompletableFuture<>();
        AtomicInteger pending = new AtomicInteger(size);
        for (int r = 0; r < size; r++) {
            int rank = r;
            CompletableFuture<InvokeResponse> request = lambda.invoke(b -> b.functionName(functionName)
                    .invocationType(InvocationType.REQUEST_RESPONSE).payload(payloads.get(rank)));
            requests.add(request);
            CompletableFuture<Map<String, Object>> call = request.thenApply(resp -> result(rank, size, resp));
            calls.add(call);
            call.whenComplete((v, e) -> {
                if (e != null) {
                    results.completeExceptionally(failure(rank, size, e));
                } else if (pending.decrementAndGet() == 0) {
                    List<Map<String, Object>> all = new ArrayList<>(size);
                    calls.forEach(c -> all.add(c.join()));
                    results.complete(all);
                }
            });
        }
        try {
            return results.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw (LaunchException) e.getCause();
        } catch (TimeoutException e) {
            List<Integer> late = new ArrayList<>();
            for (int r = 0; r < size; r++) {
                if (!calls.get(r).isDone()) {
                    late.add(r);
                }
            }
            throw new LaunchException(-1, "no answer within " + timeout.toMillis() + " ms from rank(s) " + late + " of " + size
                    + " of " + functionName, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException(-1, "interrupted while waiting for the " + size + " functions of " + functionName, e);
        } finally {
            // Whatever ended the wait, abort the requests still open: nobody will read their answers.
            requests.forEach(c -> c.cancel(true));
        }
    }

    /** Fails before any invocation when the function's reserved concurrency cannot run the whole job at once. */
    private void checkConcurrency(int size, Duration timeout) {
        GetFunctionConcurrencyResponse c;
        try {
            c = lambda.getFunctionConcurrency(b -> b.functionName(functionName)).get(Math.min(timeout.toMillis(), 30_000), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof AwsServiceException && ((AwsServiceException) cause).statusCode() == 403) {
                log.warn("cannot check the reserved concurrency of {} ({}); invoking without the check", functionName, describe(cause));
                return;
            }
            throw new LaunchException(-1, "GetFunctionConcurrency of " + functionName + " failed: " + describe(cause), cause);
        } catch (TimeoutException e) {
            throw new LaunchException(-1, "GetFunctionConcurrency of " + functionName + " did not answer within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException(-1, "interrupted while checking the concurrency of " + functionName, e);
        }
        Integer reserved = c.reservedConcurrentExecutions();
        if (reserved != null && reserved < size) {
            throw new LaunchException(-1, "the reserved concurrency of " + functionName + " is " + reserved + ", below the job size "
                    + size + ": Lambda would throttle ranks while the others wait for them (raise ReservedConcurrency to >= "
                    + size + ")", null);
        }
    }

    private Map<String, Object> result(int rank, int size, InvokeResponse resp) {
        String body = resp.payload() == null ? "" : resp.payload().asUtf8String();
        if (resp.functionError() != null) {
            throw new LaunchException(rank, "rank " + rank + " of " + size + " of " + functionName + " failed ("
                    + resp.functionError() + "): " + errorMessage(body), null);
        }
        try {
            JsonNode n = JSON.readTree(body);
            if (n != null && n.isObject()) {
                return JSON.convertValue(n, new TypeReference<Map<String, Object>>() { });
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("rank", rank);
            out.put("result", n == null ? null : JSON.convertValue(n, Object.class));
            return out;
        } catch (JsonProcessingException e) {
            throw new LaunchException(rank, "rank " + rank + " of " + size + " of " + functionName + " answered no JSON: " + body, e);
        }
    }

    private LaunchException failure(int rank, int size, Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof LaunchException) {
            return (LaunchException) cause;
        }
        return new LaunchException(rank, "rank " + rank + " of " + size + ": Invoke of " + functionName + " failed: " + describe(cause)
                + (cause instanceof TooManyRequestsException ? " (raise the function's reserved concurrency to >= " + size + ")" : ""), cause);
    }

    /** The AWS error of a failed call: error code, HTTP status, message and, for throttling, the reason. */
    static String describe(Throwable e) {
        if (e instanceof AwsServiceException) {
            AwsServiceException s = (AwsServiceException) e;
            String code = s.awsErrorDetails() == null ? s.getClass().getSimpleName() : s.awsErrorDetails().errorCode();
            String msg = s.awsErrorDetails() == null ? s.getMessage() : s.awsErrorDetails().errorMessage();
            String reason = e instanceof TooManyRequestsException && ((TooManyRequestsException) e).reasonAsString() != null
                    ? ", reason " + ((TooManyRequestsException) e).reasonAsString() : "";
            return code + " (HTTP " + s.statusCode() + reason + "): " + msg;
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static String errorMessage(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            if (n != null && n.hasNonNull("errorMessage")) {
                return (n.hasNonNull("errorType") ? n.get("errorType").asText() + ": " : "") + n.get("errorMessage").asText();
            }
        } catch (JsonProcessingException ignored) {
            // not JSON: the body as it is
        }
        return body;
    }
}
