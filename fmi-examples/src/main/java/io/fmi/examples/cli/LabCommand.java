package io.fmi.examples.cli;

import io.fmi.FmiConfig;
import io.fmi.Operation;
import io.fmi.examples.kmeans.KMeans;
import io.fmi.examples.lab.Lab;
import io.fmi.model.ChannelModel;
import io.fmi.model.CostModel;
import io.fmi.model.JobEstimate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ./fmi lab [options] JOB [job options]}: runs the N functions of a job the way AWS Lambda
 * runs them, on this machine, and reports each function's cold start, init, duration, peak memory
 * and channel; see {@link Lab}.
 *
 * <pre>
 * ./fmi lab --functions 4 --memory 512 kmeans
 * ./fmi lab --functions 4 --memory 1769 --kill 1@3 kmeans --epochs 100000
 * </pre>
 */
@Command(name = "lab", mixinStandardHelpOptions = true,
        description = {"Run the N functions of a job as AWS Lambda runs them: each a JVM started by AWS's runtime interface client"
                + " against a local Runtime API, with Lambda's environment and file layout, behind its own NAT, with Lambda's CPU share"
                + " and memory cap (as root; on plain loopback otherwise). Reports cold start, init, duration, max RSS and channel"
                + " per function.", ""},
        subcommands = {LabCommand.KMeansJob.class, LabCommand.AllreduceJob.class})
public final class LabCommand implements Runnable {
    @Option(names = "--functions", defaultValue = "4", description = "functions of the job (default: ${DEFAULT-VALUE})")
    int functions;

    @Option(names = "--memory", defaultValue = "512", description = "memory of each function, MB: CPU share memory/1769 vCPU,"
            + " memory cap, heap (default: ${DEFAULT-VALUE})")
    int memoryMiB;

    @Option(names = "--channel", defaultValue = "Direct", description = "Direct, Redis, S3 or DynamoDB; its server runs on the lab's"
            + " internet (default: ${DEFAULT-VALUE})")
    String channel;

    @Option(names = "--timeout", defaultValue = "120", description = "the functions' timeout, seconds (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Option(names = "--op-timeout", defaultValue = "0", description = "deadline of each blocking operation, ms"
            + " (event key timeout_ms; default: the channel's max_timeout)")
    long opTimeoutMs;

    @Option(names = "--c1-only", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "stop tiered compilation at level 1, as Lambda's Java 17 and 21 runtimes do (default: ${DEFAULT-VALUE})")
    boolean c1Only;

    @Option(names = "--java-tool-options", description = "JAVA_TOOL_OPTIONS of the functions, as a Lambda user sets it")
    String javaToolOptions;

    @Option(names = "--log-level", paramLabel = "LEVEL", description = "level of FMI's loggers in the functions (trace, debug,"
            + " info, warn, error), set through JAVA_TOOL_OPTIONS as on Lambda; each function's log lines from this level up are"
            + " shown (default: the functions log at INFO, WARN and above are shown)")
    String logLevel;

    @Option(names = "--kill", paramLabel = "RANK@SECONDS", description = "SIGKILL a function that long after it received its event")
    List<String> kills = new ArrayList<>();

    @Option(names = "--freeze", paramLabel = "RANK@SECONDS", description = "SIGSTOP a function that long after it received its event;"
            + " it is ended at its deadline")
    List<String> freezes = new ArrayList<>();

    @Option(names = "--loopback", description = "run on plain loopback without limits even as root")
    boolean loopback;

    @Option(names = "--config", description = "an fmi.json to start from, e.g. to set Direct's spin_us (default: built-in defaults)")
    Path config;

    @Option(names = "--layer", description = "the layer zip (default: fmi-examples/target/lab/fmi-lambda-layer-layer.zip)")
    Path layer;

    @Option(names = "--function", description = "the function's deployment package (default: fmi-examples' jar, as the SAM template deploys)")
    Path function;

    @Option(names = "--runtime", description = "directory of the runtime interface client's jars (default: fmi-examples/target/lab/runtime)")
    Path runtime;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The options as given, validated. */
    Lab.Options options() {
        Lab.Options.Builder b = Lab.Options.builder().functions(functions).memoryMiB(memoryMiB).channel(channel)
                .timeout(Duration.ofSeconds(timeoutSeconds)).operationTimeoutMs(opTimeoutMs).c1Only(c1Only)
                .javaToolOptions(javaToolOptions).logLevel(logLevel).loopback(loopback)
                .config(config == null ? FmiConfig.defaults() : FmiConfig.load(config))
                .layer(layer).function(function).runtime(runtime);
        kills.forEach(k -> b.fault(Lab.Fault.parse(Lab.Fault.Kind.KILL, k)));
        freezes.forEach(f -> b.fault(Lab.Fault.parse(Lab.Fault.Kind.FREEZE, f)));
        return b.build();
    }

    /** Runs {@code job}; exit code 0 when every function is ok, 1 otherwise, 2 for bad options. */
    int run(Lab.Job job) throws Exception {
        Lab.Options o;
        try {
            o = options();
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        Lab.Report r = new Lab(o, System.out).run(job);
        return r.ok() == r.functions.size() ? 0 : 1;
    }

    /** {@code lab kmeans}: the FMI paper's K-means, checked against a single-process run. */
    @Command(name = "kmeans", mixinStandardHelpOptions = true,
            description = "Distributed K-means (3 centroids x 28 dimensions, one allreduce per epoch), checked against a single-process run.")
    static final class KMeansJob implements Callable<Integer> {
        @ParentCommand
        LabCommand lab;

        @Option(names = "--epochs", defaultValue = "20", description = "(default: ${DEFAULT-VALUE})")
        int epochs;

        @Option(names = "--points", defaultValue = "10000", description = "points per function (default: ${DEFAULT-VALUE})")
        int points;

        @Override
        public Integer call() throws Exception {
            Lab.Job job = kmeans(lab.functions, epochs, points);
            FmiConfig config = lab.config == null ? FmiConfig.defaults() : FmiConfig.load(lab.config);
            return lab.run(new Lab.Job(job.name(), job.keys(), job.check(), r -> kmeansNotes(r, epochs, lab.memoryMiB, config)));
        }
    }

    /**
     * The K-means run's per-epoch times (medians over the functions that finished of each one's
     * median) and what 1,000 such epochs cost on Lambda: priced with this run's measured times
     * ({@link CostModel#measuredJob}) and with the channel's model ({@link CostModel#job}), under
     * the stated infrastructure assumption.
     */
    static List<String> kmeansNotes(Lab.Report report, int epochs, int memoryMiB, FmiConfig config) {
        List<Map<String, Object>> done = report.functions.stream().filter(f -> f.ok).map(f -> f.response).toList();
        if (done.isEmpty()) {
            return List.of();
        }
        double compute = median(done, "compute_ms");
        double comm = median(done, "communication_ms");
        String used = String.valueOf(done.get(0).get("channel"));
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "kmeans: %d epochs over %s, per epoch (median over the functions): compute %.3f ms,"
                + " allreduce %.3f ms", epochs, used, compute, comm));
        Map<String, ChannelModel> priced = Models.priced(config, System.err);
        String name = priced.keySet().stream().filter(used::equalsIgnoreCase).findFirst().orElse(null);
        if (name == null) {
            lines.add("  (no cost model for channel " + used + ")");
            return lines;
        }
        int n = report.functions.size();
        long bytes = new KMeans(KMeansCommand.K, KMeansCommand.DIMS).exchangeBytes();
        CostModel model = CostModel.fromConfig(config, priced, memoryMiB);
        JobEstimate measured = model.measuredJob(name, Operation.ALLREDUCE, bytes, n, 1000, compute / 1e3, comm / 1e3);
        JobEstimate modelled = model.job(name, Operation.ALLREDUCE, bytes, n, 1000, compute / 1e3);
        lines.add(String.format(Locale.ROOT, "on Lambda, %d functions of %d MB, per 1,000 epochs: USD %.6f at this run's times"
                        + " (FaaS %.3g, infrastructure %.3g, requests %.3g); modelled allreduce %.3f ms: USD %.6f", n, memoryMiB,
                measured.totalUsd(), measured.faasUsd(), measured.infrastructureUsd(), measured.requestUsd(),
                modelled.operation().latencySeconds() * 1e3, modelled.totalUsd()));
        lines.add("assumption: " + model.infrastructureAssumption());
        return lines;
    }

    private static double median(List<Map<String, Object>> reports, String key) {
        double[] v = reports.stream().map(r -> r.get(key)).filter(x -> x instanceof Number).mapToDouble(x -> ((Number) x).doubleValue())
                .sorted().toArray();
        return v.length == 0 ? Double.NaN : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** The K-means job of {@code functions} functions, each function's centroids checked against a single-process run. */
    static Lab.Job kmeans(int functions, int epochs, int points) {
        int k = KMeansCommand.K;
        int dims = KMeansCommand.DIMS;
        long seed = KMeansCommand.SEED;
        Map<String, Object> keys = KMeansCommand.jobKeys(epochs, points);
        double[] expected = functions * (long) points * epochs <= 2_000_000_000L
                ? KMeans.sequential(seed, functions, points, k, dims, epochs) : null;
        return new Lab.Job("kmeans", keys, report -> {
            if (expected == null) {
                return null;
            }
            List<?> c = (List<?>) report.get("centroids");
            if (c == null || c.size() != expected.length) {
                return "no centroids or the wrong number in the report";
            }
            for (int i = 0; i < expected.length; i++) {
                double v = ((Number) c.get(i)).doubleValue();
                if (Math.abs(v - expected[i]) > 1e-9 * Math.max(1, Math.abs(expected[i]))) {
                    return String.format(Locale.ROOT, "centroid coordinate %d is %s, a single-process run gives %s", i, v, expected[i]);
                }
            }
            return null;
        });
    }

    /** {@code lab allreduce}: one allreduce of one long, the shortest job: cold start to first collective. */
    @Command(name = "allreduce", mixinStandardHelpOptions = true,
            description = "One allreduce of one long per function: cold start to the first collective.")
    static final class AllreduceJob implements Callable<Integer> {
        @ParentCommand
        LabCommand lab;

        @Override
        public Integer call() throws Exception {
            return lab.run(allreduce(lab.functions));
        }
    }

    /** One allreduce; each function must report the sum 1 + 2 + ... + n. */
    static Lab.Job allreduce(int functions) {
        long expected = (long) functions * (functions + 1) / 2;
        return new Lab.Job("allreduce", Map.of("job", "allreduce"), report -> {
            Object sum = report.get("sum");
            return sum instanceof Number && ((Number) sum).longValue() == expected ? null
                    : "sum " + sum + " (expected: " + expected + ")";
        });
    }
}
