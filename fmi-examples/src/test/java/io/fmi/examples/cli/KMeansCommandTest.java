package io.fmi.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.FmiConfig;
import io.fmi.channels.testing.RedisServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ./fmi kmeans --timeout}: the job's time bounds each operation, as it does for sort and sgd. */
@Timeout(90)
class KMeansCommandTest {

    /**
     * A Redis that holds every write (CLIENT PAUSE WRITE), so the processes' first operation cannot
     * complete, and a channel whose own deadline ({@code max_timeout}) is 2 s: the operation gives
     * up at {@code --timeout} (9 s, less the 2 s a function keeps in reserve and its start-up), not
     * at the channel's deadline.
     */
    @Test
    void shouldBoundEachOperationByTheTimeoutNotByTheChannelsDeadline(@TempDir Path dir) throws Exception {
        try (RedisServer redis = RedisServer.launch()) {
            Path config = dir.resolve("fmi.json");
            Files.writeString(config, FmiConfig.defaults().withOnly("Redis")
                    .withBackend("Redis", redis.backend().put("max_timeout", 2000)).json().toString());
            assertEquals("+OK", redis.command("CLIENT", "PAUSE", "60000", "WRITE"));
            PrintStream stdout = System.out;
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            int code;
            try {
                code = new CommandLine(new KMeansCommand()).execute("--peers", "2", "--channel", "Redis", "--config", config.toString(),
                        "--epochs", "1", "--points", "100", "--timeout", "9");
            } finally {
                System.setOut(stdout);
            }
            String out = bytes.toString(StandardCharsets.UTF_8);
            assertEquals(1, code, out);
            Matcher m = Pattern.compile("rank 0: ChannelException: .* did not answer within the deadline of (\\d+) ms").matcher(out);
            assertTrue(m.find(), out);
            long deadlineMs = Long.parseLong(m.group(1));
            assertTrue(deadlineMs > 4_000 && deadlineMs <= 7_000, "deadline " + deadlineMs + " ms (expected: --timeout 9 s less 2 s and start-up)\n" + out);
        }
    }
}
