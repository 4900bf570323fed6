package io.fmi.examples.cli;

import io.fmi.BackendConfig;
import io.fmi.FmiConfig;
import io.fmi.examples.launch.LocalLauncher;
import io.fmi.lambda.FmiLambda;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options of the commands that run a job on N local processes ({@code kmeans}, {@code sort},
 * {@code sgd}), and running it: the configuration reduced to the chosen channel, and the
 * {@link LocalLauncher} (which starts a rendezvous server with a secret of its own for Direct).
 * A picocli mixin; not thread-safe.
 */
final class JobOptions {
    @Option(names = "--peers", defaultValue = "4", description = "processes (default: ${DEFAULT-VALUE})")
    int peers;

    @Option(names = "--channel", defaultValue = "Direct",
            description = "Direct, Redis, S3 or DynamoDB: any backend of --config that processes can share (default: ${DEFAULT-VALUE})")
    String channel;

    @Option(names = "--redis", description = "Redis URI for --channel Redis, e.g. redis://127.0.0.1:6379")
    String redis;

    @Option(names = "--config", description = "an fmi.json to start from, e.g. with the endpoint of S3 or DynamoDB (default: built-in defaults)")
    Path config;

    @Option(names = "--timeout", defaultValue = "300",
            description = "seconds for the whole job, and the deadline of each operation (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Option(names = "--seed", defaultValue = "42", description = "seed of the generated data (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--exchange", defaultValue = "fmi",
            description = "fmi, or storage: the same job exchanging its data through Redis without FMI, for comparison;"
                    + " needs --channel Redis (default: ${DEFAULT-VALUE})")
    String exchange;

    @Option(names = "--model-peers", split = ",", description = "function counts to model the job on, e.g. 4,128 (default: --peers)")
    List<Integer> modelPeers;

    /** Where the command and the launcher print; standard output unless a test sets another. */
    PrintStream out = System.out;

    /** The configuration the models are read from: {@code --config}, or the built-in defaults. */
    FmiConfig base() {
        return config == null ? FmiConfig.defaults() : FmiConfig.load(config);
    }

    /** The function counts to model the job on: {@code --model-peers}, or {@code --peers}. */
    List<Integer> modelPeers() {
        return modelPeers == null ? List.of(peers) : modelPeers;
    }

    /** Whether the job exchanges through storage ({@code --exchange storage}) rather than FMI. */
    boolean storage() {
        return exchange.equalsIgnoreCase("storage");
    }

    /** What exchanges the data, for the commands' first line: the channel, or the storage twin. */
    String exchangeName() {
        return storage() ? "Redis storage, without FMI (--exchange storage)" : channel;
    }

    /**
     * The event keys every job takes: {@code job} and {@code name} (both {@code job}), {@code seed},
     * {@code exchange}, and {@code timeout_ms} ({@code --timeout}).
     */
    Map<String, Object> job(String job) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job", job);
        m.put("name", job);
        m.put("seed", seed);
        m.put("exchange", storage() ? "storage" : "fmi");
        // The first collective waits for every process to start: N JVMs on a busy machine can take
        // longer than a channel's default deadline (60 s), so the job's own time bounds each operation.
        m.put(FmiLambda.TIMEOUT_MS, 1000L * timeoutSeconds);
        return m;
    }

    /**
     * Why these options cannot run, or null: {@code --exchange} must be fmi or storage, and
     * storage needs {@code --channel Redis}, the store the twin writes to.
     */
    String problem() {
        if (!exchange.equalsIgnoreCase("fmi") && !storage()) {
            return "--exchange " + exchange + " (expected: fmi or storage)";
        }
        if (storage() && !channel.equalsIgnoreCase("Redis")) {
            return "--exchange storage with --channel " + channel + " (expected: --channel Redis, the store the storage exchange writes to)";
        }
        return null;
    }

    /** The Redis URI of {@code cfg}'s Redis entry: its {@code uri}, or {@code redis://host:port}. */
    static String redisUri(FmiConfig cfg) {
        com.fasterxml.jackson.databind.node.ObjectNode r = cfg.backend("Redis").map(BackendConfig::json).orElseGet(FmiConfig::newObject);
        if (r.hasNonNull("uri")) {
            return r.get("uri").asText();
        }
        return "redis://" + r.path("host").asText("127.0.0.1") + ":" + r.path("port").asInt(6379);
    }

    /** The reports of one run, in rank order, and its wall-clock time including process start-up. */
    static final class Run {
        final List<Map<String, Object>> reports;
        final long wallMs;

        Run(List<Map<String, Object>> reports, long wallMs) {
            this.reports = reports;
            this.wallMs = wallMs;
        }

        /**
         * Per phase of the map {@code key} of the reports (in rank 0's order): the fastest and
         * the slowest process's milliseconds.
         */
        Map<String, double[]> phases(String key) {
            Map<String, double[]> out = new LinkedHashMap<>();
            for (Map<String, Object> r : reports) {
                ((Map<?, ?>) r.get(key)).forEach((k, v) -> {
                    double ms = ((Number) v).doubleValue();
                    out.merge(String.valueOf(k), new double[] {ms, ms}, (a, b) -> new double[] {Math.min(a[0], ms), Math.max(a[1], ms)});
                });
            }
            return out;
        }

        /** Prints {@link #phases} as a table, and their sum on the slowest process. */
        void printPhases(PrintStream out, String key, String title) {
            out.printf(Locale.ROOT, "%s%n  %-16s %12s %12s%n", title, "phase", "fastest", "slowest");
            double total = 0;
            for (Map.Entry<String, double[]> e : phases(key).entrySet()) {
                out.printf(Locale.ROOT, "  %-16s %9.1f ms %9.1f ms%n", e.getKey(), e.getValue()[0], e.getValue()[1]);
                total += e.getValue()[1];
            }
            out.printf(Locale.ROOT, "  %-16s %12s %9.1f ms%n", "sum", "", total);
        }

        /** Prints the wall-clock time of the run and the slowest process's wait for all others and its connections. */
        void printWall(PrintStream out) {
            out.printf(Locale.ROOT, "whole job:     %d ms including process start-up; waiting for every process and connecting:"
                    + " %.1f ms (slowest process)%n", wallMs, Arrays.stream(numbers("connect_ms")).max().orElse(0));
        }

        /** The number {@code key} of every report, as doubles. */
        double[] numbers(String key) {
            return reports.stream().mapToDouble(r -> ((Number) r.get(key)).doubleValue()).toArray();
        }
    }

    /**
     * Runs {@code job} on {@link #peers} processes over {@link #channel}. Returns null, after
     * printing which ranks failed and why, when any did.
     */
    Run launch(Map<String, Object> job) throws Exception {
        FmiConfig cfg = base().withOnly(channel);
        if (redis != null) {
            cfg = cfg.withBackend("Redis", cfg.backend("Redis").map(BackendConfig::json).orElseGet(FmiConfig::newObject)
                    .put("uri", redis).put("enabled", true));
        }
        if (storage()) {
            job.put("store", redisUri(cfg));
        }
        long t0 = System.nanoTime();
        List<Map<String, Object>> reports = new LocalLauncher(out).run(cfg, peers, job, Duration.ofSeconds(timeoutSeconds));
        long wallMs = (System.nanoTime() - t0) / 1_000_000;
        return reportFailures(out, String.valueOf(job.get("job")), reports) ? null : new Run(reports, wallMs);
    }

    /** Whether any of {@code reports} failed; if so, prints {@code "<what> failed:"} and which ranks failed and why. */
    static boolean reportFailures(PrintStream out, String what, List<Map<String, Object>> reports) {
        List<String> failures = new ArrayList<>();
        reports.forEach(r -> {
            if (!Boolean.TRUE.equals(r.get("ok"))) {
                failures.add("rank " + r.get("rank") + ": " + r.get("error"));
            }
        });
        if (failures.isEmpty()) {
            return false;
        }
        out.println(what + " failed:");
        failures.forEach(f -> out.println("  " + f));
        return true;
    }
}
