package io.fmi.examples.cli;

import io.fmi.Operation;
import io.fmi.examples.sort.SampleSort;
import io.fmi.examples.sort.SortData;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Distributed sample sort on N local processes ({@link SampleSort}): samples shared with an
 * allgather, the sizes with an alltoall, the data shuffled with one alltoallv. Checked against a
 * single-process sort of the same generated input; prints the time of each phase and the
 * modelled latency and price of the job's communication per channel.
 */
@Command(name = "sort", mixinStandardHelpOptions = true,
        description = "Sort 10^7 random longs on N local processes (sample sort: allgather, alltoall, alltoallv), checked against a single-process sort.")
public final class SortCommand implements Callable<Integer> {
    @Mixin
    JobOptions options = new JobOptions();

    @Option(names = "--longs", defaultValue = "10000000", description = "longs in the whole job (default: ${DEFAULT-VALUE})")
    long longs;

    @Option(names = "--samples", defaultValue = "" + SampleSort.DEFAULT_SAMPLES, description = "samples per process (default: ${DEFAULT-VALUE})")
    int samples;

    @Override
    public Integer call() throws Exception {
        PrintStream out = options.out;
        int peers = options.peers;
        if (peers < 1 || longs < 0 || longs > Integer.MAX_VALUE - 8 || samples < 1) {
            // the check sorts the whole input in this process, in one array
            System.err.println("--peers and --samples must be at least 1, --longs between 0 and " + (Integer.MAX_VALUE - 8));
            return 2;
        }
        if (options.problem() != null) {
            System.err.println(options.problem());
            return 2;
        }
        out.printf(Locale.ROOT, "FMI sort: %,d longs on %d processes over %s (%,d per process, %d samples each)%n",
                longs, peers, options.exchangeName(), longs / peers, samples);
        Map<String, Object> job = options.job("sort");
        job.put("longs", longs);
        job.put("samples", samples);
        JobOptions.Run run = options.launch(job);
        if (run == null) {
            return 1;
        }
        List<String> problems = check(run.reports);
        double[] counts = run.numbers("count");
        double largest = Arrays.stream(counts).max().orElse(0);
        double sent = Arrays.stream(run.numbers("sent")).sum();
        out.println();
        out.printf(Locale.ROOT, "channel used:  %s (alltoallv of %.1f MB per process)%n", run.reports.get(0).get("channel"),
                8.0 * longs / peers / 1e6);
        run.printPhases(out, "phases_ms", "time per phase (each process's own clock):");
        run.printWall(out);
        out.printf(Locale.ROOT, "balance:       largest range %,d longs, %.3f x the mean; %.1f%% of the longs changed process%n",
                (long) largest, longs == 0 ? 1 : largest * peers / longs, longs == 0 ? 0 : 100 * sent / longs);
        out.printf(Locale.ROOT, "check:         %s%n", problems.isEmpty()
                ? "every range sorted, ranges in order, same longs at the same places as a single-process sort"
                : "FAILED: " + String.join("; ", problems));
        out.println();
        for (int m : options.modelPeers()) {
            JobModel.print(out, options.base(), m, n -> operations(n, longs, samples), "job", 1);
        }
        return problems.isEmpty() ? 0 : 1;
    }

    /** The communication of one sort on {@code n} functions: samples, sizes, shuffle of each function's share. */
    static List<JobModel.Op> operations(int n, long longs, int samples) {
        return List.of(new JobModel.Op(Operation.ALLGATHER, 8L * (samples + 1)), new JobModel.Op(Operation.ALLTOALL, 4L * n),
                new JobModel.Op(Operation.ALLTOALLV, 8 * (longs / n)));
    }

    /**
     * What is wrong with a run, or nothing: every range sorted, ranges adjacent and in order, all
     * longs accounted for, and the fingerprints adding up to that of a single-process sort.
     */
    List<String> check(List<Map<String, Object>> reports) {
        List<String> problems = new ArrayList<>();
        long[] all = new long[(int) longs];
        for (int p = 0, at = 0; p < options.peers; p++) {
            long[] part = SortData.partition(options.seed, longs, options.peers, p);
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        Arrays.sort(all);
        long fingerprint = 0;
        long expectedOffset = 0;
        Long previousLast = null;
        for (Map<String, Object> r : reports) {
            long count = ((Number) r.get("count")).longValue();
            if (!Boolean.TRUE.equals(r.get("sorted"))) {
                problems.add("rank " + r.get("rank") + " is not sorted");
            }
            if (((Number) r.get("offset")).longValue() != expectedOffset) {
                problems.add("rank " + r.get("rank") + " starts at " + r.get("offset") + " (expected: " + expectedOffset + ")");
            }
            if (count > 0) {
                long first = ((Number) r.get("first")).longValue();
                if (previousLast != null && previousLast > first) {
                    problems.add("rank " + r.get("rank") + " starts below the end of the range before it");
                }
                previousLast = ((Number) r.get("last")).longValue();
            }
            expectedOffset += count;
            fingerprint += ((Number) r.get("fingerprint")).longValue();
        }
        if (expectedOffset != longs) {
            problems.add(expectedOffset + " longs in all (expected: " + longs + ")");
        }
        if (fingerprint != SampleSort.fingerprint(all, 0)) {
            problems.add("the fingerprints do not add up to that of a single-process sort");
        }
        return problems;
    }
}
