package io.fmi.examples.cli;

import io.fmi.BackendConfig;
import io.fmi.FmiConfig;
import io.fmi.Operation;
import io.fmi.examples.kmeans.KMeans;
import io.fmi.examples.launch.LocalLauncher;
import io.fmi.lambda.FmiLambda;
import io.fmi.model.ChannelModel;
import io.fmi.model.CostModel;
import io.fmi.model.JobEstimate;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Distributed K-means on N local processes (the FMI paper's case study): one allreduce per
 * epoch over the chosen channel, checked against a single-process run, with the modelled cost
 * per 1,000 epochs of every channel.
 */
@Command(name = "kmeans", mixinStandardHelpOptions = true,
        description = "Run distributed K-means on N local processes over Direct (with an in-process rendezvous server) or Redis.")
public final class KMeansCommand implements Callable<Integer> {
    @Option(names = "--peers", defaultValue = "4", description = "processes (default: ${DEFAULT-VALUE})")
    int peers;

    @Option(names = "--channel", defaultValue = "Direct", description = "Direct, Redis or LocalStore... any backend of fmi.json (default: ${DEFAULT-VALUE})")
    String channel;

    @Option(names = "--redis", description = "Redis URI for --channel Redis, e.g. redis://127.0.0.1:6379")
    String redis;

    @Option(names = "--config", description = "an fmi.json to start from (default: built-in defaults)")
    java.nio.file.Path config;

    @Option(names = "--epochs", defaultValue = "20", description = "(default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--points", defaultValue = "10000", description = "points per process (default: ${DEFAULT-VALUE})")
    int points;

    @Option(names = "--timeout", defaultValue = "120",
            description = "seconds for the whole job, and the deadline of each operation (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    static final int K = 3;
    static final int DIMS = 28;
    static final long SEED = 42;

    @Override
    public Integer call() throws Exception {
        FmiConfig base = config == null ? FmiConfig.defaults() : FmiConfig.load(config);
        FmiConfig cfg = base.withOnly(channel);
        if (redis != null) {
            cfg = cfg.withBackend("Redis", cfg.backend("Redis").map(BackendConfig::json).orElseGet(FmiConfig::newObject)
                    .put("uri", redis).put("enabled", true));
        }
        KMeans km = new KMeans(K, DIMS);
        System.out.printf(Locale.ROOT, "FMI K-means: %d processes over %s; %d centroids x %d dimensions, %d points per process, %d epochs%n",
                peers, channel, K, DIMS, points, epochs);
        Map<String, Object> job = job();
        long t0 = System.nanoTime();
        List<Map<String, Object>> reports = new LocalLauncher(System.out).run(cfg, peers, job, Duration.ofSeconds(timeoutSeconds));
        long wallMs = (System.nanoTime() - t0) / 1_000_000;
        if (JobOptions.reportFailures(System.out, "K-means", reports)) {
            return 1;
        }
        double[] c0 = centroids(reports.get(0));
        boolean agree = reports.stream().allMatch(r -> Arrays.equals(c0, centroids(r)));
        double[] expected = KMeans.sequential(SEED, peers, points, K, DIMS, epochs);
        double maxDiff = 0;
        for (int i = 0; i < c0.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(c0[i] - expected[i]) / Math.max(1, Math.abs(expected[i])));
        }
        double compute = reports.stream().mapToDouble(r -> ((Number) r.get("compute_ms")).doubleValue()).max().orElse(0);
        double comm = reports.stream().mapToDouble(r -> ((Number) r.get("communication_ms")).doubleValue()).max().orElse(0);
        System.out.println();
        System.out.printf(Locale.ROOT, "channel used:           %s (allreduce of %d bytes per epoch)%n", reports.get(0).get("channel"), km.exchangeBytes());
        System.out.printf(Locale.ROOT, "per epoch (median, slowest process): compute %.3f ms, communication %.3f ms%n", compute, comm);
        System.out.printf(Locale.ROOT, "whole job:              %d ms including process start-up%n", wallMs);
        for (int c = 0; c < K; c++) {
            System.out.printf(Locale.ROOT, "centroid %d:             [%.4f, %.4f, %.4f, ...]%n", c, c0[c * DIMS], c0[c * DIMS + 1], c0[c * DIMS + 2]);
        }
        System.out.printf(Locale.ROOT, "same centroids on every process: %s; single-process run: %s (max relative difference %.1e)%n",
                agree ? "yes" : "NO", maxDiff < 1e-9 ? "same" : "DIFFERENT", maxDiff);
        System.out.println();
        System.out.printf(Locale.ROOT, "modelled on Lambda (%d functions of 1024 MiB, the channels' own models under the \"model\" section),"
                + " per 1,000 epochs: the allreduces alone (as the FMI paper prices them) and the whole job with this run's"
                + " %.3f ms of computing per epoch:%n", peers, compute);
        System.out.printf(Locale.ROOT, "  %-10s %14s %20s %18s%n", "channel", "latency/epoch", "USD communication", "USD whole job");
        Map<String, ChannelModel> priced = Models.priced(base, System.err);
        CostModel model = CostModel.fromConfig(base, priced, 1024);
        for (String ch : priced.keySet()) {
            JobEstimate j = model.job(ch, Operation.ALLREDUCE, km.exchangeBytes(), peers, 1000, compute / 1e3);
            System.out.printf(Locale.ROOT, "  %-10s %11.3f ms %20.6f %18.6f%n", ch.toLowerCase(Locale.ROOT),
                    j.operation().latencySeconds() * 1e3, j.communicationUsd(), j.totalUsd());
        }
        System.out.println("  assumption: " + model.infrastructureAssumption());
        return agree && maxDiff < 1e-9 ? 0 : 1;
    }

    /**
     * The job's event keys: {@link #jobKeys}, {@code name} and {@code timeout_ms} ({@code --timeout}).
     * The first allreduce waits for every process to start: N JVMs on a busy machine can take
     * longer than a channel's default deadline (60 s), so the job's own time bounds each operation.
     */
    Map<String, Object> job() {
        Map<String, Object> job = jobKeys(epochs, points);
        job.put("name", "kmeans");
        job.put(FmiLambda.TIMEOUT_MS, 1000L * timeoutSeconds);
        return job;
    }

    /** The example handler's event keys of the paper's K-means ({@value #K} centroids, {@value #DIMS} dimensions, seed {@value #SEED}). */
    static Map<String, Object> jobKeys(int epochs, int points) {
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("job", "kmeans");
        job.put("epochs", epochs);
        job.put("points", points);
        job.put("k", K);
        job.put("dims", DIMS);
        job.put("seed", SEED);
        return job;
    }

    private static double[] centroids(Map<String, Object> report) {
        List<?> l = (List<?>) report.get("centroids");
        double[] out = new double[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) l.get(i)).doubleValue();
        }
        return out;
    }
}
