package io.fmi.examples.launch;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fmi.BackendConfig;
import io.fmi.FmiConfig;
import io.fmi.lambda.FmiLambda;
import io.fmi.tcpunch.RendezvousServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Runs the N functions of a job as N processes on this machine, the way Lambda would run them:
 * each process is a {@link PeerMain} running the Lambda handler with its rank. When the
 * configuration enables {@code Direct}, the launcher starts a rendezvous server on loopback in its
 * own process and points the peers at it, so a job needs nothing but a JDK.
 *
 * <pre>
 * List&lt;Map&lt;String, Object&gt;&gt; reports = new LocalLauncher(System.out)
 *         .run(FmiConfig.defaults(), 4, Map.of("job", "kmeans", "epochs", 20), Duration.ofMinutes(2));
 * </pre>
 *
 * <p>Peers' logs go to one file per rank in a temporary directory, named in the progress output
 * when a peer fails. Not thread-safe: one run at a time per instance.
 */
public final class LocalLauncher {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream progress;
    private final List<String> jvmOptions;

    /** @param progress where progress lines go (one per started and finished peer) */
    public LocalLauncher(PrintStream progress) {
        this(progress, List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-Xmx512m"));
    }

    public LocalLauncher(PrintStream progress, List<String> jvmOptions) {
        this.progress = progress;
        this.jvmOptions = List.copyOf(jvmOptions);
    }

    /** Runs {@code size} peer processes on {@code job} and returns their reports in rank order. */
    public List<Map<String, Object>> run(FmiConfig config, int size, Map<String, Object> job, Duration timeout) throws IOException {
        RendezvousServer server = null;
        Path logs = Files.createTempDirectory("fmi-local-");
        List<Process> procs = new ArrayList<>();
        try {
            FmiConfig effective = config;
            BackendConfig direct = config.backend("Direct").orElse(null);
            if (direct != null && direct.enabled()) {
                // the launcher's own server needs a secret (servers are secure by default): one for this run
                String secret = UUID.randomUUID().toString();
                server = RendezvousServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0)
                        .secret(secret.getBytes(StandardCharsets.UTF_8)).build().start();
                ObjectNode d = direct.json();
                d.put("host", "127.0.0.1");
                d.put("port", server.port());
                d.put("secret", secret);
                effective = config.withBackend(direct.name(), d);
                progress.printf("rendezvous server listening on 127.0.0.1:%d (in the launcher)%n", server.port());
            }
            Map<String, Object> template = new LinkedHashMap<>(job);
            template.putIfAbsent(FmiLambda.NAME, "local-job");
            template.put(FmiLambda.CONFIG, JSON.convertValue(effective.json(), new TypeReference<Map<String, Object>>() { }));
            // A fresh run id per run, so a rerun never meets the keys of an earlier one.
            String runId = job.containsKey(FmiLambda.RUN_ID) ? String.valueOf(job.get(FmiLambda.RUN_ID)) : UUID.randomUUID().toString();
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String classpath = System.getProperty("java.class.path");
            long remainingMs = timeout.toMillis();
            for (int r = 0; r < size; r++) {
                List<String> cmd = new ArrayList<>();
                cmd.add(java);
                cmd.addAll(jvmOptions);
                cmd.add("-cp");
                cmd.add(classpath);
                cmd.add(PeerMain.class.getName());
                cmd.add(JSON.writeValueAsString(FmiLambda.event(template, r, size, runId)));
                cmd.add(Long.toString(remainingMs));
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(logs.resolve("rank-" + r + ".log").toFile());
                procs.add(pb.start());
            }
            progress.printf("started %d peer processes (logs in %s)%n", size, logs);
            List<Map<String, Object>> reports = new ArrayList<>();
            long end = System.nanoTime() + timeout.toNanos() + TimeUnit.SECONDS.toNanos(10);
            for (int r = 0; r < size; r++) {
                reports.add(collect(r, procs.get(r), end, logs));
            }
            return reports;
        } finally {
            for (Process p : procs) {
                p.destroyForcibly();
            }
            if (server != null) {
                server.close();
            }
        }
    }

    private Map<String, Object> collect(int rank, Process p, long endNanos, Path logs) throws IOException {
        String reportLine = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith(PeerMain.REPORT)) {
                    reportLine = line.substring(PeerMain.REPORT.length());
                }
            }
        }
        boolean exited;
        try {
            exited = p.waitFor(Math.max(1, endNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exited = false;
        }
        Map<String, Object> report = new LinkedHashMap<>();
        if (reportLine != null) {
            report.putAll(JSON.readValue(reportLine, new TypeReference<Map<String, Object>>() { }));
        } else {
            report.put("rank", rank);
            report.put("ok", false);
            report.put("error", (exited ? "exited with " + p.exitValue() : "did not finish") + " without a report; see "
                    + logs.resolve("rank-" + rank + ".log"));
        }
        progress.printf("rank %d %s%n", rank, Boolean.TRUE.equals(report.get("ok")) ? "done in " + report.get("elapsed_ms") + " ms"
                : "FAILED: " + report.get("error"));
        return report;
    }
}
