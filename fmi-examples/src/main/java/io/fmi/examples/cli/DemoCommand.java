package io.fmi.examples.cli;

import io.fmi.Communicator;
import io.fmi.FmiConfig;
import io.fmi.Operation;
import io.fmi.ReduceOp;
import io.fmi.examples.bench.Osu;
import io.fmi.local.LocalCluster;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs N peers in this JVM through every operation of the API, checks each result against a
 * sequential computation, and prints the results and median timings.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run N peers in one JVM through every collective; print results and timings.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--peers", description = "number of peers (default: ${DEFAULT-VALUE})", defaultValue = "8")
    int peers;

    @Option(names = "--channel", description = "Local (in-memory peer-to-peer) or LocalStore (in-memory store) (default: ${DEFAULT-VALUE})",
            defaultValue = "Local")
    String channel;

    @Option(names = "--iterations", description = "timed repetitions per operation (default: ${DEFAULT-VALUE})", defaultValue = "200")
    int iterations;

    @Option(names = "--length", description = "doubles per peer in reductions (default: ${DEFAULT-VALUE})", defaultValue = "84")
    int length;

    private interface Step {
        String run(Communicator comm);
    }

    @Override
    public Integer call() {
        if (peers < 1 || iterations < 1 || length < 1) {
            System.err.println("--peers, --iterations and --length must be at least 1");
            return 2;
        }
        FmiConfig config = FmiConfig.defaults().withOnly(channel);
        System.out.printf(Locale.ROOT, "FMI demo: %d peers in one JVM over '%s', %d timed iterations per operation%n%n",
                peers, channel, iterations);
        List<String[]> rows = new ArrayList<>();
        List<String> steps = List.of("send/recv ring", "bcast", "barrier", "gather", "scatter", "allgather",
                "alltoall", "reduce", "allreduce", "scan");
        for (String step : steps) {
            List<String> out = LocalCluster.run(config, peers, comm -> time(comm, step));
            String[] parts = out.get(0).split("\\|", 3);
            rows.add(new String[] {step, comm0Channel(config, step), parts[0], parts[1], parts[2]});
        }
        System.out.printf(Locale.ROOT, "%-15s %-12s %12s %12s  %s%n", "operation", "channel", "median (us)", "max (us)", "result on rank 0");
        for (String[] r : rows) {
            System.out.printf(Locale.ROOT, "%-15s %-12s %12s %12s  %s%n", (Object[]) r);
        }
        System.out.println();
        System.out.println("All results matched the sequential computation.");
        return 0;
    }

    private String comm0Channel(FmiConfig config, String step) {
        Operation op = step.startsWith("send") ? Operation.SEND : Operation.valueOf(step.toUpperCase(Locale.ROOT));
        return LocalCluster.run(config, 1, c -> c.channelFor(op, 8L * length)).get(0);
    }

    /** Runs one step {@code iterations} times on this peer; returns "median|max|result" (rank 0's view). */
    private String time(Communicator comm, String step) {
        int n = comm.size();
        int r = comm.rank();
        double[] mine = new double[length];
        for (int i = 0; i < length; i++) {
            mine[i] = r + i;
        }
        Step s;
        switch (step) {
            case "send/recv ring":
                s = c -> {
                    double[] in = new double[length];
                    c.isend(mine, (r + 1) % n);
                    c.recv(in, (r - 1 + n) % n);
                    check(in[0] == (r - 1 + n) % n, step);
                    return "received " + fmt(in) + " from rank " + (r - 1 + n) % n;
                };
                break;
            case "bcast":
                s = c -> {
                    double[] b = r == 0 ? mine.clone() : new double[length];
                    c.bcast(b, 0);
                    check(b[length - 1] == length - 1, step);
                    return "every rank holds " + fmt(b);
                };
                break;
            case "barrier":
                s = c -> {
                    c.barrier();
                    return "all " + n + " peers arrived";
                };
                break;
            case "gather":
                s = c -> {
                    int[] all = new int[n];
                    c.gather(new int[] {r * r}, all, 0);
                    check(r != 0 || all[n - 1] == (n - 1) * (n - 1), step);
                    return "root holds " + Arrays.toString(Arrays.copyOf(all, Math.min(n, 8))) + (n > 8 ? "..." : "");
                };
                break;
            case "scatter":
                s = c -> {
                    int[] all = new int[n];
                    for (int i = 0; i < n; i++) {
                        all[i] = 100 + i;
                    }
                    int[] one = new int[1];
                    c.scatter(all, one, 0);
                    check(one[0] == 100 + r, step);
                    return "rank i received 100 + i";
                };
                break;
            case "allgather":
                s = c -> {
                    long[] all = new long[n];
                    c.allgather(new long[] {r}, all);
                    check(all[n - 1] == n - 1, step);
                    return "every rank holds 0.." + (n - 1);
                };
                break;
            case "alltoall":
                s = c -> {
                    int[] out = new int[n];
                    for (int j = 0; j < n; j++) {
                        out[j] = r * 1000 + j;
                    }
                    int[] in = new int[n];
                    c.alltoall(out, in);
                    check(in[n - 1] == (n - 1) * 1000 + r, step);
                    return "rank j received i*1000 + j from every rank i";
                };
                break;
            case "reduce":
                s = c -> {
                    double[] sum = new double[length];
                    c.reduce(mine, sum, 0, ReduceOp.SUM);
                    check(r != 0 || sum[0] == n * (n - 1) / 2.0, step);
                    return "sum at root: " + fmt(sum);
                };
                break;
            case "allreduce":
                s = c -> {
                    double[] max = new double[length];
                    c.allreduce(mine, max, ReduceOp.MAX);
                    check(max[0] == n - 1, step);
                    return "max everywhere: " + fmt(max);
                };
                break;
            case "scan":
                s = c -> {
                    long[] prefix = new long[1];
                    c.scan(new long[] {r + 1}, prefix, ReduceOp.SUM);
                    check(prefix[0] == (long) (r + 1) * (r + 2) / 2, step);
                    return "rank i holds 1+2+...+(i+1); rank 0: " + prefix[0];
                };
                break;
            default:
                throw new IllegalArgumentException(step);
        }
        String result = s.run(comm); // warm-up and correctness
        long[] slowest = Osu.time(comm, 0, iterations, () -> s.run(comm));
        return String.format(Locale.ROOT, "%.1f|%.1f|%s", Osu.medianMicros(slowest), slowest[iterations - 1] / 1e3, result);
    }

    private static void check(boolean ok, String step) {
        if (!ok) {
            throw new IllegalStateException(step + ": result differs from the sequential computation");
        }
    }

    private static String fmt(double[] a) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < Math.min(3, a.length); i++) {
            b.append(i == 0 ? "" : ", ").append(a[i]);
        }
        return b.append(a.length > 3 ? ", ... (" + a.length + ")]" : "]").toString();
    }
}
