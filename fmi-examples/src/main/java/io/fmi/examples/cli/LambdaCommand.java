package io.fmi.examples.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fmi.FmiConfig;
import io.fmi.examples.launch.AwsLauncher;
import io.fmi.examples.launch.LaunchException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaAsyncClient;

/**
 * Runs a job on N functions of the example Lambda function at once ({@link AwsLauncher}) and
 * prints each rank's result in rank order. Credentials and region come from the AWS SDK's default
 * chains (environment, profile, instance role) unless {@code --region} is given.
 */
@Command(name = "lambda", mixinStandardHelpOptions = true,
        description = "Run a job on N AWS Lambda functions at once (the function of template.yaml) and print their results in rank order.")
public final class LambdaCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--function", required = true, description = "the function's name or ARN (the stack output FunctionName)")
    String function;

    @Option(names = "--size", defaultValue = "4", description = "functions of the job (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--job", defaultValue = "kmeans", description = "kmeans or allreduce (default: ${DEFAULT-VALUE})")
    String job;

    @Option(names = "--epochs", defaultValue = "10", description = "K-means epochs (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--points", defaultValue = "10000", description = "K-means points per function (default: ${DEFAULT-VALUE})")
    int points;

    @Option(names = "--config", description = "an fmi.json to send in the event (default: the function's FMI_CONFIG_JSON)")
    Path config;

    @Option(names = "--region", description = "AWS region (default: the SDK's region chain)")
    String region;

    @Option(names = "--endpoint", description = "Lambda endpoint override")
    URI endpoint;

    @Option(names = "--timeout", defaultValue = "300", description = "seconds to wait for the last result; the function's timeout (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Option(names = "--json", description = "print each rank's result as one JSON line")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("job", job);
        event.put("epochs", epochs);
        event.put("points", points);
        if (config != null) {
            event.put("config", JSON.convertValue(FmiConfig.load(config).json(), new TypeReference<Map<String, Object>>() { }));
        }
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        try (LambdaAsyncClient lambda = AwsLauncher.client(size, timeout, b -> {
            if (region != null) {
                b.region(Region.of(region));
            }
            if (endpoint != null) {
                b.endpointOverride(endpoint);
            }
        })) {
            System.out.printf(Locale.ROOT, "invoking %d x %s (%s) ...%n", size, function, job);
            long t0 = System.nanoTime();
            List<Map<String, Object>> results = new AwsLauncher(lambda, function).run(event, size, timeout);
            boolean ok = true;
            for (Map<String, Object> r : results) {
                ok &= Boolean.TRUE.equals(r.get("ok"));
                System.out.println(json ? JSON.writeValueAsString(r) : line(r));
            }
            System.out.printf(Locale.ROOT, "%s in %d ms%n", ok ? "done" : "FAILED", (System.nanoTime() - t0) / 1_000_000);
            return ok ? 0 : 1;
        } catch (LaunchException e) {
            System.out.println("FAILED: " + e.getMessage());
            return 1;
        }
    }

    private static String line(Map<String, Object> r) {
        if (!Boolean.TRUE.equals(r.get("ok"))) {
            return String.format(Locale.ROOT, "rank %s: FAILED %s", r.get("rank"), r.get("error"));
        }
        Object value = r.containsKey("sum") ? "sum " + r.get("sum")
                : r.containsKey("centroids") ? "centroids " + ((List<?>) r.get("centroids")).subList(0, 3) + "..." : r;
        return String.format(Locale.ROOT, "rank %s: %s over %s in %s ms", r.get("rank"), value, r.get("channel"), r.get("elapsed_ms"));
    }
}
