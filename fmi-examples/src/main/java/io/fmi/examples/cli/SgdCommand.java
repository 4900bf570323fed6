package io.fmi.examples.cli;

import io.fmi.Operation;
import io.fmi.ReduceOp;
import io.fmi.examples.sgd.LogisticSgd;
import io.fmi.examples.sgd.SgdData;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Data-parallel SGD for logistic regression on N local processes ({@link LogisticSgd}): the
 * gradients combined by reduceScatter, the weights shared by allgatherv, each step. Checked
 * against the same run in one process (bit-identical with {@code --exact}, within
 * {@link LogisticSgd#RELATIVE_TOLERANCE} otherwise); prints the time of each phase of a step and
 * the modelled latency and price of the steps' communication per channel.
 */
@Command(name = "sgd", mixinStandardHelpOptions = true,
        description = "Train logistic regression by data-parallel SGD on N local processes (reduceScatter + allgatherv per step), checked against one process.")
public final class SgdCommand implements Callable<Integer> {
    @Mixin
    JobOptions options = new JobOptions();

    @Option(names = "--steps", defaultValue = "100", description = "(default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--dims", defaultValue = "16384", description = "features, i.e. weights (default: ${DEFAULT-VALUE})")
    int dims;

    @Option(names = "--points", defaultValue = "10000", description = "examples per process (default: ${DEFAULT-VALUE})")
    int points;

    @Option(names = "--nnz", defaultValue = "32", description = "features per example (default: ${DEFAULT-VALUE})")
    int nnz;

    @Option(names = "--batch", defaultValue = "500", description = "examples per process per step (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--learning-rate", defaultValue = "50", description = "(default: ${DEFAULT-VALUE})")
    double learningRate;

    @Option(names = "--exact", description = "sum gradients strictly in rank order: bit-identical to one process, at the price of a reduce to rank 0")
    boolean exact;

    @Override
    public Integer call() throws Exception {
        PrintStream out = options.out;
        int peers = options.peers;
        if (peers < 1 || steps < 1 || dims < 1 || points < 1 || nnz < 1 || batch < 1 || !(learningRate > 0)) {
            System.err.println("--peers, --steps, --dims, --points, --nnz and --batch must be at least 1, --learning-rate above 0");
            return 2;
        }
        if (options.problem() != null) {
            System.err.println(options.problem());
            return 2;
        }
        // the storage twin sums in rank order, so it must match one process bit for bit, as --exact does
        boolean bitIdentical = exact || options.storage();
        out.printf(Locale.ROOT, "FMI SGD: logistic regression, %,d weights, on %d processes over %s; %,d examples of %d features"
                + " per process, batch %d per process, %d steps, gradients summed %s%n", dims, peers, options.exchangeName(), points, nnz,
                batch, steps, options.storage() ? "in rank order" : exact ? "in rank order (--exact)" : "by SUM");
        Map<String, Object> job = options.job("sgd");
        job.put("steps", steps);
        job.put("dims", dims);
        job.put("points", points);
        job.put("nnz", nnz);
        job.put("batch", batch);
        job.put("learning_rate", learningRate);
        job.put("exact", exact);
        job.put("report_weights", true);
        JobOptions.Run run = options.launch(job);
        if (run == null) {
            return 1;
        }
        Map<String, Object> r0 = run.reports.get(0);
        boolean agree = run.reports.stream().allMatch(r -> r.get("weights_hash").equals(r0.get("weights_hash")));
        List<?> got = (List<?>) r0.get("weights");
        LogisticSgd sgd = new LogisticSgd(dims, batch, learningRate, bitIdentical ? LogisticSgd.RANK_ORDER_SUM : ReduceOp.SUM);
        List<SgdData.Examples> parts = new ArrayList<>();
        for (int p = 0; p < peers; p++) {
            parts.add(SgdData.partition(options.seed, p, points, dims, nnz));
        }
        double[] expected = sgd.sequential(parts, steps);
        double maxDiff = 0;
        int differentBits = 0;
        for (int j = 0; j < dims; j++) {
            double v = ((Number) got.get(j)).doubleValue();
            maxDiff = Math.max(maxDiff, Math.abs(v - expected[j]) / Math.max(1, Math.abs(expected[j])));
            differentBits += Double.doubleToLongBits(v) == Double.doubleToLongBits(expected[j]) ? 0 : 1;
        }
        boolean same = bitIdentical ? differentBits == 0 : maxDiff <= LogisticSgd.RELATIVE_TOLERANCE;
        out.println();
        out.printf(Locale.ROOT, "channel used:  %s (reduceScatter of %,d bytes, allgatherv of %,d bytes per process per step)%n",
                r0.get("channel"), sgd.gradientBytes(), sgd.gradientBytes() / peers);
        run.printPhases(out, "phases_ms", "time per step (median over steps, each process's own clock):");
        run.printPhases(out, "total_ms", "time of all steps:");
        run.printWall(out);
        out.printf(Locale.ROOT, "model:         log-loss %.4f (0.6931 at the start), accuracy %.2f%% on the training data,"
                + " %.2f%% on held-out examples%n", ((Number) r0.get("loss")).doubleValue(),
                100 * ((Number) r0.get("accuracy")).doubleValue(), 100 * ((Number) r0.get("test_accuracy")).doubleValue());
        out.printf(Locale.ROOT, "check:         same weights on every process: %s; against one process: %s%n", agree ? "yes" : "NO",
                bitIdentical ? (differentBits == 0 ? "bit-identical" : "DIFFERENT in " + differentBits + " weights")
                        : String.format(Locale.ROOT, "%s (max relative difference %.1e, tolerance %.0e)", same ? "within tolerance" : "DIFFERENT",
                                maxDiff, LogisticSgd.RELATIVE_TOLERANCE));
        out.println();
        for (int m : options.modelPeers()) {
            JobModel.print(out, options.base(), m, n -> operations(n, sgd.gradientBytes()), "step", 1000);
        }
        return agree && same ? 0 : 1;
    }

    /** The communication of one step on {@code n} functions: the reduce-scatter of the gradient, the allgatherv of the weights. */
    static List<JobModel.Op> operations(int n, long gradientBytes) {
        return List.of(new JobModel.Op(Operation.REDUCE_SCATTER, gradientBytes), new JobModel.Op(Operation.ALLGATHERV, gradientBytes / n));
    }
}
