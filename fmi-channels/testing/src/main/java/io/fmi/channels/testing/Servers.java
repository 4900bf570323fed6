package io.fmi.channels.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Helpers shared by the server fixtures of this package: free ports, the CI rule, Docker detection.
 *
 * <p>The CI rule: when the environment variable {@code CI} is {@code "true"}, a server that cannot
 * start fails the test; elsewhere the test is skipped with the reason. Thread-safe.
 */
public final class Servers {
    private static volatile Boolean docker;

    private Servers() {
    }

    /** Whether this run must not skip server tests: {@code CI=true}. */
    public static boolean strict() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /**
     * Reports a server that could not start: throws an {@link AssertionError} under {@code CI=true},
     * otherwise aborts (skips) the calling test.
     */
    public static RuntimeException unavailable(String server, Throwable cause) {
        String msg = server + " could not be started: " + cause;
        if (strict()) {
            throw new AssertionError(msg + " (CI=true: server tests must not skip)", cause);
        }
        Assumptions.abort(msg + " (set CI=true to make this a failure)");
        return new IllegalStateException(msg, cause);
    }

    /** A TCP port free on 127.0.0.1 at the time of the call. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port: " + e, e);
        }
    }

    /**
     * Whether a Docker engine answers, for Testcontainers. Checked once; without a
     * {@code DOCKER_HOST} or a socket at {@code /var/run/docker.sock} the answer is no without
     * asking Testcontainers (which logs an error when there is none).
     */
    public static boolean dockerAvailable() {
        Boolean d = docker;
        if (d == null) {
            boolean hint = System.getenv("DOCKER_HOST") != null || Files.exists(Path.of("/var/run/docker.sock"));
            boolean disabled = "false".equalsIgnoreCase(System.getProperty("fmi.test.docker", System.getenv("FMI_TEST_DOCKER")));
            d = hint && !disabled && org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
            docker = d;
        }
        return d;
    }

    /** Runs {@code r} when the JVM exits. */
    static void atExit(String name, Runnable r) {
        Runtime.getRuntime().addShutdownHook(new Thread(r, "fmi-test-stop-" + name));
    }

    /** Deletes {@code dir} and everything below it, best effort (a server's data directory at close). */
    public static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
