package io.fmi.examples.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.FmiConfig;
import io.fmi.channels.testing.RedisServer;
import io.fmi.examples.kmeans.KMeans;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** K-means on four peer processes reaches the single-process centroids, over Direct and over a real Redis. */
@Timeout(120)
class LocalLauncherTest {
    static final int PEERS = 4;
    static final int EPOCHS = 6;
    static final int POINTS = 2_000;
    static final Map<String, Object> JOB = Map.of("job", "kmeans", "name", "launcher-test", "epochs", EPOCHS,
            "points", POINTS, "k", 3, "dims", 28, "seed", 42);

    private static void runAndCheck(FmiConfig config, String channel) throws Exception {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        List<Map<String, Object>> reports = new LocalLauncher(new PrintStream(progress, true, StandardCharsets.UTF_8))
                .run(config, PEERS, JOB, Duration.ofSeconds(60));
        String log = progress.toString(StandardCharsets.UTF_8);
        double[] expected = KMeans.sequential(42, PEERS, POINTS, 3, 28, EPOCHS);
        assertEquals(PEERS, reports.size());
        for (Map<String, Object> r : reports) {
            assertEquals(true, r.get("ok"), () -> "peer failed: " + r + "\n" + log);
            assertEquals(channel, r.get("channel"));
            List<?> c = (List<?>) r.get("centroids");
            assertEquals(expected.length, c.size());
            for (int i = 0; i < expected.length; i++) {
                double v = ((Number) c.get(i)).doubleValue();
                assertEquals(expected[i], v, 1e-9 * Math.max(1, Math.abs(expected[i])), "coordinate " + i + " on rank " + r.get("rank"));
            }
        }
        for (int r = 0; r < PEERS; r++) {
            assertTrue(log.contains("rank " + r + " done"), log);
        }
    }

    @Test
    void shouldRunKMeansOnFourProcessesOverDirect() throws Exception {
        runAndCheck(FmiConfig.defaults().withOnly("Direct"), "direct");
    }

    @Test
    void shouldRunKMeansOnFourProcessesOverRedis() throws Exception {
        RedisServer redis = RedisServer.shared();
        FmiConfig config = FmiConfig.defaults().withOnly("Redis").withBackend("Redis", redis.backend());
        runAndCheck(config, "redis");
    }

    @Test
    void shouldReportAPeerThatCannotRunInsteadOfHanging() throws Exception {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        List<Map<String, Object>> reports = new LocalLauncher(new PrintStream(progress, true, StandardCharsets.UTF_8))
                .run(FmiConfig.defaults().withOnly("Direct"), 2, Map.of("job", "kmeans", "epochs", 0), Duration.ofSeconds(20));
        for (Map<String, Object> r : reports) {
            assertEquals(false, r.get("ok"));
            assertTrue(String.valueOf(r.get("error")).contains("epochs"), String.valueOf(r.get("error")));
        }
    }
}
