package io.fmi.examples.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fmi.FmiConfigException;
import io.fmi.examples.lambda.FmiHandler;
import io.fmi.lambda.LocalContext;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaAsyncClient;

/** The launcher against a local endpoint that answers like Lambda's Invoke API. */
@Timeout(60)
class AwsLauncherTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Object> ALLREDUCE = Map.of("job", "allreduce", "name", "launch-test",
            "config", Map.of("backends", Map.of("Local", Map.of("enabled", true))));

    private static List<Map<String, Object>> launch(LambdaEndpoint endpoint, Map<String, Object> job, int size, Duration timeout) {
        try (LambdaAsyncClient lambda = AwsLauncher.client(size, Duration.ofSeconds(30), b -> b.region(Region.US_EAST_1)
                .endpointOverride(endpoint.uri())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret"))))) {
            return new AwsLauncher(lambda, "fmi-example").run(job, size, timeout);
        }
    }

    /** Runs the example handler, as Lambda would, in this JVM. */
    private static LambdaEndpoint.Answer runHandler(JsonNode event) throws Exception {
        Map<String, Object> e = JSON.convertValue(event, new TypeReference<Map<String, Object>>() { });
        return LambdaEndpoint.Answer.ok(new FmiHandler().handle(e, new LocalContext("fmi-example", 20_000, 1024)));
    }

    @Test
    void shouldInvokeEveryRankAtOnceAndReturnTheResultsInRankOrder() throws Exception {
        int size = 8;
        try (LambdaEndpoint endpoint = new LambdaEndpoint(size, (event, ep) -> {
            LambdaEndpoint.Answer a = runHandler(event);
            // Rank 0 answers last: the results must still come back in rank order.
            Thread.sleep(40L * (size - event.get("rank").asInt()));
            return a;
        })) {
            List<Map<String, Object>> results = launch(endpoint, ALLREDUCE, size, Duration.ofSeconds(40));
            assertEquals(size, results.size());
            for (int r = 0; r < size; r++) {
                Map<String, Object> res = results.get(r);
                assertEquals(true, res.get("ok"), res::toString);
                assertEquals(r, res.get("rank"));
                assertEquals(36, ((Number) res.get("sum")).intValue(), "1 + ... + 8 over the in-memory channel");
            }
            // The allreduce completes only with all eight functions running at once.
            assertEquals(size, endpoint.maxInFlight.get());
            Set<String> runIds = new HashSet<>();
            endpoint.events.forEach(e -> runIds.add(e.get("run_id").asText()));
            assertEquals(1, runIds.size(), "one run id for the job");
            assertTrue(runIds.iterator().next().matches("[0-9a-f-]{36}"), runIds.toString());
            endpoint.events.forEach(e -> assertEquals(size, e.get("size").asInt()));
            endpoint.invocationTypes.forEach(t -> assertEquals("RequestResponse", t));
            endpoint.authorizations.forEach(a -> assertTrue(a.startsWith("AWS4-HMAC-SHA256 Credential=AKIDTEST/")
                    && a.contains("/us-east-1/lambda/aws4_request"), "signed by the SDK: " + a));

            // A second run gets a run id of its own.
            launch(endpoint, ALLREDUCE, 2, Duration.ofSeconds(40));
            endpoint.events.forEach(e -> runIds.add(e.get("run_id").asText()));
            assertEquals(2, runIds.size());
        }
    }

    @Test
    void shouldFailTheJobAtOnceNamingTheRankAndTheAwsErrorWhenThrottled() throws Exception {
        try (LambdaEndpoint endpoint = new LambdaEndpoint(null,
                (event, ep) -> event.get("rank").asInt() == 2 ? LambdaEndpoint.Answer.throttled() : ep.hold())) {
            LaunchException e = failsFast(() -> launch(endpoint, ALLREDUCE, 4, Duration.ofSeconds(40)));
            assertEquals(2, e.rank());
            assertMessage(e, "rank 2 of 4", "TooManyRequestsException (HTTP 429, reason ReservedFunctionConcurrentInvocationLimitExceeded)",
                    "Rate Exceeded.", "reserved concurrency to >= 4");
            assertEquals(1, endpoint.events.stream().filter(ev -> ev.get("rank").asInt() == 2).count(), "a throttled rank is not retried");
        }
    }

    @Test
    void shouldFailTheJobAtOnceOnAServiceError() throws Exception {
        try (LambdaEndpoint endpoint = new LambdaEndpoint(null,
                (event, ep) -> event.get("rank").asInt() == 1 ? LambdaEndpoint.Answer.serviceError() : ep.hold())) {
            LaunchException e = failsFast(() -> launch(endpoint, ALLREDUCE, 3, Duration.ofSeconds(40)));
            assertEquals(1, e.rank());
            assertMessage(e, "rank 1 of 3", "ServiceException (HTTP 500)", "An internal error occurred.");
            assertEquals(1, endpoint.events.stream().filter(ev -> ev.get("rank").asInt() == 1).count(), "a 5xx is not retried");
        }
    }

    @Test
    void shouldFailTheJobAtOnceOnAFunctionError() throws Exception {
        try (LambdaEndpoint endpoint = new LambdaEndpoint(null, (event, ep) -> event.get("rank").asInt() == 0
                ? LambdaEndpoint.Answer.functionError("OutOfMemoryError", "Java heap space") : ep.hold())) {
            LaunchException e = failsFast(() -> launch(endpoint, ALLREDUCE, 2, Duration.ofSeconds(40)));
            assertEquals(0, e.rank());
            assertMessage(e, "rank 0 of 2", "(Unhandled)", "OutOfMemoryError: Java heap space");
        }
    }

    @Test
    void shouldRefuseAJobLargerThanTheReservedConcurrencyBeforeInvokingAnything() throws Exception {
        try (LambdaEndpoint endpoint = new LambdaEndpoint(2, (event, ep) -> runHandler(event))) {
            LaunchException e = assertThrows(LaunchException.class, () -> launch(endpoint, ALLREDUCE, 3, Duration.ofSeconds(40)));
            assertMessage(e, "reserved concurrency of fmi-example is 2, below the job size 3");
            assertEquals(0, endpoint.events.size());
            assertEquals(2, launch(endpoint, ALLREDUCE, 2, Duration.ofSeconds(40)).size());
        }
    }

    @Test
    void shouldNameTheRanksWithoutAnAnswerAtTheDeadline() throws Exception {
        try (LambdaEndpoint endpoint = new LambdaEndpoint(null,
                (event, ep) -> event.get("rank").asInt() == 1 ? LambdaEndpoint.Answer.ok(Map.of("rank", 1)) : ep.hold())) {
            LaunchException e = assertThrows(LaunchException.class, () -> launch(endpoint, ALLREDUCE, 3, Duration.ofMillis(1500)));
            assertMessage(e, "no answer within 1500 ms from rank(s) [0, 2] of 3");
        }
    }

    @Test
    void shouldRejectABadJobBeforeInvokingAnything() throws Exception {
        try (LambdaEndpoint endpoint = new LambdaEndpoint(null, (event, ep) -> runHandler(event))) {
            FmiConfigException e = assertThrows(FmiConfigException.class,
                    () -> launch(endpoint, Map.of("config", "{not json"), 2, Duration.ofSeconds(10)));
            assertTrue(e.getMessage().startsWith("event.config: invalid JSON"), e.getMessage());
            assertEquals(0, endpoint.events.size());
        }
    }

    private static LaunchException failsFast(org.junit.jupiter.api.function.Executable launch) {
        long t0 = System.nanoTime();
        LaunchException e = assertThrows(LaunchException.class, launch);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        // The other ranks are held open for 60 s: the job failed on the first error, not at their end.
        assertTrue(ms < 20_000, "the job failed after " + ms + " ms");
        return e;
    }

    private static void assertMessage(Exception e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "'" + e.getMessage() + "' should contain '" + p + "'");
        }
    }
}
