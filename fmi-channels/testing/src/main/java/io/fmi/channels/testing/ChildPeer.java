package io.fmi.channels.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fmi.Communicator;
import io.fmi.FmiConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One rank of a job in a JVM of its own, to test what the others see when it is killed
 * ({@code kill -9}) or frozen ({@code SIGSTOP}, as Lambda freezes a sandbox whose handler
 * returned). The child builds its communicator over one backend, joins a barrier with the other
 * ranks, prints {@value #READY} and then idles with its channel open (its heartbeat running) until
 * it is signalled.
 *
 * <pre>
 * try (ChildPeer child = ChildPeer.start("Redis", entry, "job", runId, 1, 2)) {
 *     Communicator me = ...rank 0 of the same job...;
 *     me.barrier();
 *     child.awaitReady(Duration.ofSeconds(30));
 *     child.kill();                                   // or child.freeze()
 *     me.recv(buf, 1);                                // PeerFailedException naming rank 1
 * }
 * </pre>
 * The child runs with this JVM's {@code java} and class path, so the backend's channel must be on
 * the calling module's test class path. Its log goes to a file (see {@link #log()}). Not
 * thread-safe.
 */
public final class ChildPeer implements AutoCloseable {
    /** What the child prints once its communicator passed the barrier. */
    public static final String READY = "fmi-child-ready";

    private final Process process;
    private final Path log;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();

    private ChildPeer(Process process, Path log) {
        this.process = process;
        this.log = log;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.contains(READY)) {
                        ready.complete(null);
                    }
                }
            } catch (IOException ignored) {
                // the child ended
            }
            ready.completeExceptionally(new IllegalStateException("child peer ended before it was ready; its log: " + log));
        }, "fmi-child-peer-out");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts rank {@code rank} of {@code size} of job {@code name}/{@code runId} over backend
     * {@code backend} (the configuration is {@code FmiConfig.defaults().withOnly(backend)} with
     * {@code entry}), in a new JVM.
     */
    public static ChildPeer start(String backend, ObjectNode entry, String name, String runId, int rank, int size) {
        try {
            Path log = java.nio.file.Files.createTempFile("fmi-child-" + rank + "-", ".log");
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx128m", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                    "-cp", System.getProperty("java.class.path"),
                    ChildPeer.class.getName(), backend, entry.toString(), name, runId,
                    Integer.toString(rank), Integer.toString(size)));
            Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
            return new ChildPeer(p, log);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a child JVM: " + e, e);
        }
    }

    /** Waits until the child passed its barrier. */
    public void awaitReady(Duration within) throws Exception {
        ready.get(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    public long pid() {
        return process.pid();
    }

    /** The file the child's standard error (its log) goes to. */
    public Path log() {
        return log;
    }

    /** {@code kill -9}: the child dies at once, closing nothing. */
    public void kill() throws Exception {
        signal("-KILL");
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** {@code kill -STOP}: the child stays alive but runs no more code, its heartbeat included. */
    public void freeze() throws Exception {
        signal("-STOP");
    }

    private void signal(String sig) throws Exception {
        Process k = new ProcessBuilder("kill", sig, Long.toString(process.pid())).inheritIO().start();
        if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
            throw new IllegalStateException("kill " + sig + " " + process.pid() + " failed");
        }
    }

    /** Kills the child if it still runs (a frozen one too) and deletes its log. */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            java.nio.file.Files.deleteIfExists(log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** The child: {@code backend entryJson name runId rank size}. */
    public static void main(String[] args) throws Exception {
        ObjectNode entry = (ObjectNode) new ObjectMapper().readTree(args[1]);
        FmiConfig cfg = FmiConfig.defaults().withOnly(args[0]).withBackend(args[0], entry);
        Communicator comm = Communicator.builder().config(cfg).name(args[2]).runId(args[3])
                .rank(Integer.parseInt(args[4])).size(Integer.parseInt(args[5])).timeout(Duration.ofSeconds(60)).build();
        comm.barrier();
        System.out.println(READY);
        System.out.flush();
        // Idle with the channel open, as a rank busy computing: only its heartbeat talks to the store.
        Thread.sleep(Long.MAX_VALUE);
    }
}
