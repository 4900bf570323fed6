package io.fmi.examples.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fmi.FmiConfigException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;

/** The launcher's requests, signatures and report parsing (invoking needs an AWS account). */
@Timeout(30)
class AwsLauncherTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AwsLauncher LAUNCHER = new AwsLauncher(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "secret")), "eu-central-1", "fmi-example");

    @Test
    void shouldBuildOneSynchronousInvocationPerRankWithTheSameJob() throws Exception {
        List<AwsLauncher.Invocation> invs = LAUNCHER.invocations(Map.of("name", "kmeans", "run_id", "r7", "epochs", 3), 4);
        assertEquals(4, invs.size());
        for (int r = 0; r < 4; r++) {
            SdkHttpRequest q = invs.get(r).request;
            assertEquals(SdkHttpMethod.POST, q.method());
            assertEquals("https://lambda.eu-central-1.amazonaws.com/2015-03-31/functions/fmi-example/invocations", q.getUri().toString());
            assertEquals(List.of("RequestResponse"), q.headers().get("X-Amz-Invocation-Type"));
            JsonNode e = JSON.readTree(invs.get(r).body);
            assertEquals(r, e.get("rank").asInt());
            assertEquals(4, e.get("size").asInt());
            assertEquals("r7", e.get("run_id").asText());
            assertEquals(3, e.get("epochs").asInt());
        }
    }

    @Test
    void shouldSignWithSigV4ForLambdaInTheRegion() {
        SdkHttpRequest signed = LAUNCHER.sign(LAUNCHER.invocations(Map.of(), 1).get(0));
        String auth = signed.firstMatchingHeader("Authorization").orElse("");
        assertTrue(auth.startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"), auth);
        assertTrue(auth.contains("/eu-central-1/lambda/aws4_request"), auth);
        assertTrue(auth.contains("SignedHeaders=") && auth.contains("Signature="), auth);
        assertTrue(signed.firstMatchingHeader("X-Amz-Date").isPresent());
    }

    @Test
    void shouldRejectABadJobBeforeInvokingAnything() {
        assertThrows(FmiConfigException.class, () -> LAUNCHER.invocations(Map.of("job", "sort"), 2));
        assertThrows(IllegalArgumentException.class, () -> LAUNCHER.invocations(Map.of(), 0));
    }

    @Test
    void shouldTurnResponsesAndErrorsIntoReports() {
        Map<String, Object> r = AwsLauncher.report(2, 200, null, "{\"rank\":2,\"ok\":true,\"channel\":\"direct\"}");
        assertEquals(true, r.get("ok"));
        assertEquals("direct", r.get("channel"));
        r = AwsLauncher.report(5, 200, "Unhandled", "{\"errorMessage\":\"Task timed out\"}");
        assertEquals(false, r.get("ok"));
        assertTrue(r.get("error").toString().contains("Task timed out"));
        assertEquals(5, r.get("rank"));
        r = AwsLauncher.report(1, 429, null, "{\"message\":\"Rate Exceeded.\"}");
        assertTrue(r.get("error").toString().contains("HTTP 429"));
    }
}
