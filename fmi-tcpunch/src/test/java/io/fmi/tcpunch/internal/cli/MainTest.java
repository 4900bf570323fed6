package io.fmi.tcpunch.internal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The {@code server} command: where the secret comes from, and what it refuses to start with. */
@Timeout(60)
class MainTest {
    @TempDir
    Path tmp;

    /** Runs a command that returns (it fails before serving); exit code, stdout and stderr. */
    private static String[] runInProcess(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env);
        return new String[] {Integer.toString(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void shouldNotStartWithoutASecretNamingTheFlags() {
        String[] r = runInProcess(Map.of(), "server", "--port", "0");
        assertEquals("2", r[0], r[2]);
        for (String hint : new String[] {"no shared secret", "--secret-file", "FMI_SECRET", "--insecure"}) {
            assertTrue(r[2].contains(hint), "'" + hint + "' missing from: " + r[2]);
        }
    }

    @Test
    void shouldRefuseContradictoryOrEmptySecrets() throws IOException {
        Path f = Files.writeString(tmp.resolve("secret"), "abc\n");
        String[] both = runInProcess(Map.of(), "server", "--port", "0", "--insecure", "--secret-file", f.toString());
        assertEquals("2", both[0]);
        assertTrue(both[2].contains("--insecure with a secret from --secret-file"), both[2]);
        String[] envAndInsecure = runInProcess(Map.of("FMI_SECRET", "abc"), "server", "--port", "0", "--insecure");
        assertEquals("2", envAndInsecure[0]);
        assertTrue(envAndInsecure[2].contains("FMI_SECRET environment variable"), envAndInsecure[2]);
        String[] empty = runInProcess(Map.of("FMI_SECRET", ""), "server", "--port", "0");
        assertEquals("2", empty[0]);
        assertTrue(empty[2].contains("FMI_SECRET is set but empty"), empty[2]);
        Path blank = Files.writeString(tmp.resolve("blank"), "\n");
        String[] emptyFile = runInProcess(Map.of(), "server", "--port", "0", "--secret-file", blank.toString());
        assertEquals("2", emptyFile[0]);
        assertTrue(emptyFile[2].contains("is empty"), emptyFile[2]);
    }

    /** A server process of this module's class path; returns its output once it printed "ready" (or died). */
    private static List<String> startServer(Map<String, String> env, String... args) throws Exception {
        return startServer(env, 0, args);
    }

    /**
     * The same under {@code ulimit -n openFileLimit} (0: this process's limit); the last line is
     * {@code exit <code>} if the process ended by itself.
     */
    private static List<String> startServer(Map<String, String> env, int openFileLimit, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-XX:TieredStopAtLevel=1", Main.class.getName()));
        cmd.addAll(List.of(args));
        if (openFileLimit > 0) {
            // "$@" keeps the arguments as they are; exec so that the limit applies to the JVM itself
            cmd.addAll(0, List.of("bash", "-c", "ulimit -n " + openFileLimit + " && exec \"$@\"", "bash"));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("FMI_SECRET");
        pb.environment().putAll(env);
        Process p = pb.start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lines.add(line);
                if (line.contains("ready on port")) {
                    break;
                }
            }
        }
        if (p.waitFor(200, TimeUnit.MILLISECONDS)) {
            lines.add("exit " + p.exitValue());
        }
        p.destroy();
        p.waitFor(10, TimeUnit.SECONDS);
        return lines;
    }

    @Test
    void shouldTakeTheSecretFromTheEnvironmentAndNeverPrintIt() throws Exception {
        String secret = "s3cret-value-7f2a";
        List<String> lines = startServer(Map.of("FMI_SECRET", secret), "server", "--port", "0");
        String all = String.join("\n", lines);
        assertTrue(all.contains("ready on port") && all.contains("secret from the FMI_SECRET environment variable"), all);
        assertFalse(all.contains(secret), all);
        assertFalse(all.contains("WARN"), all);
    }

    @Test
    void shouldStartInsecureOnlyWhenToldAndWarn() throws Exception {
        List<String> lines = startServer(Map.of(), "server", "--port", "0", "--insecure");
        String all = String.join("\n", lines);
        assertTrue(all.contains("ready on port") && all.contains("INSECURE"), all);
        assertTrue(lines.stream().anyMatch(l -> l.contains("WARN") && l.contains("without a shared secret")
                && l.contains("anyone")), all);
    }

    @Test
    void shouldFailAtStartWhenMaxConnectionsExceedsTheOpenFileLimit() throws Exception {
        List<String> lines = startServer(Map.of(), 1024, "server", "--port", "0", "--insecure", "--workers", "1",
                "--max-connections", "5000");
        String all = String.join("\n", lines);
        assertEquals("exit 1", lines.get(lines.size() - 1), all);
        assertTrue(all.contains("max connections: 5000 (expected: <= 890, the open file limit RLIMIT_NOFILE 1024 less 134")
                && all.contains("ulimit -n") && all.contains("--max-connections"), all);
    }

    @Test
    void shouldFitTheDefaultLimitsToTheOpenFileLimit() throws Exception {
        // 1024 less 128 reserved and 3 for each of two event loops (acceptor, one worker)
        List<String> lines = startServer(Map.of(), 1024, "server", "--port", "0", "--insecure", "--workers", "1");
        String all = String.join("\n", lines);
        assertTrue(all.contains("max connections 890 of RLIMIT_NOFILE 1024, per address 222 connections and 111 pending"),
                all);
    }
}
