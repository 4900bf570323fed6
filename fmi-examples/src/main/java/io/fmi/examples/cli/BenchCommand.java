package io.fmi.examples.cli;

import io.fmi.Communicator;
import io.fmi.FmiConfig;
import io.fmi.Operation;
import io.fmi.ReduceOp;
import io.fmi.examples.bench.Osu;
import io.fmi.examples.bench.Plots;
import io.fmi.local.LocalCluster;
import io.fmi.model.ChannelModel;
import io.fmi.model.CostModel;
import io.fmi.model.Estimate;
import io.fmi.tcpunch.RendezvousServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The FMI paper's micro-benchmarks over the configured channels, in one command: point-to-point
 * latency and bandwidth per size, one producer to {@code c} consumers, and collectives across
 * peer counts. Peers are threads of this JVM ({@code LocalCluster}), over real sockets and
 * servers; writes CSV files and PNG plots.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Micro-benchmarks per channel: latency/bandwidth by size, 1 -> N fan-out, collectives by peer count; CSV and PNG plots.")
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--channels", split = ",", defaultValue = "Local,Direct",
            description = "backends to measure: Local, LocalStore, Direct (in-process rendezvous server), Redis (needs --redis), any backend of --config (default: ${DEFAULT-VALUE})")
    List<String> channels;

    @Option(names = "--redis", description = "Redis URI for the Redis channel, e.g. redis://127.0.0.1:6379")
    String redis;

    @Option(names = "--config", description = "fmi.json for other backends (S3, DynamoDB, ...)")
    Path config;

    @Option(names = "--sizes", split = ",", defaultValue = "8,1024,65536,1048576", description = "message sizes in bytes (default: ${DEFAULT-VALUE})")
    List<Integer> sizes;

    @Option(names = "--consumers", defaultValue = "8", description = "consumers of the fan-out benchmark (default: ${DEFAULT-VALUE})")
    int consumers;

    @Option(names = "--peers", split = ",", defaultValue = "2,4,8", description = "peer counts of the collective benchmark (default: ${DEFAULT-VALUE})")
    List<Integer> peers;

    @Option(names = "--iterations", defaultValue = "50", description = "timed iterations per point (default: ${DEFAULT-VALUE})")
    int iterations;

    @Option(names = "--warmup", defaultValue = "300",
            description = "untimed iterations before each small-message point, so the JIT has compiled the path; a tenth for 1 MiB and up (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--cost-only", description = "measure nothing: write only cost.csv and cost-per-channel.png, the cost model's"
            + " price of 1,000 broadcasts by size (./fmi bench --cost-only --out docs/img/bench redraws the docs' plot)")
    boolean costOnly;

    @Option(names = "--out", defaultValue = "target/bench", description = "directory for CSV and PNG files (default: ${DEFAULT-VALUE})")
    Path out;

    private final PrintStream err = System.err;
    private int done;
    private int total;

    private static final class Row {
        final String channel;
        final String benchmark;
        final int peers;
        final long bytes;
        final double medianUs;
        final double p99Us;

        Row(String channel, String benchmark, int peers, long bytes, long[] sorted) {
            this.channel = channel;
            this.benchmark = benchmark;
            this.peers = peers;
            this.bytes = bytes;
            this.medianUs = Osu.medianMicros(sorted);
            this.p99Us = Osu.percentileMicros(sorted, 0.99);
        }
    }

    @Override
    public Integer call() throws IOException {
        Files.createDirectories(out);
        FmiConfig base = config == null ? FmiConfig.defaults() : FmiConfig.load(config);
        if (costOnly) {
            CostModel model = writeCost(base);
            System.out.println("wrote " + out.resolve("cost.csv") + " and " + out.resolve("cost-per-channel.png") + ": "
                    + model.infrastructureAssumption());
            return 0;
        }
        RendezvousServer server = null;
        String secret = java.util.UUID.randomUUID().toString(); // for the in-process server, secure by default
        Map<String, FmiConfig> configs = new LinkedHashMap<>();
        try {
            for (String ch : channels) {
                FmiConfig c = base.withOnly(ch);
                if (ch.equalsIgnoreCase("Direct")) {
                    if (server == null) {
                        server = RendezvousServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0)
                                .secret(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)).build().start();
                    }
                    c = c.withBackend("Direct", c.backend("Direct").orElseThrow().json().put("host", "127.0.0.1")
                            .put("port", server.port()).put("secret", secret));
                } else if (ch.equalsIgnoreCase("Redis")) {
                    if (redis == null) {
                        err.println("skipping Redis: no --redis URI given");
                        continue;
                    }
                    c = c.withBackend("Redis", c.backend("Redis").orElseThrow().json().put("uri", redis));
                }
                configs.put(ch, c);
            }
            total = configs.size() * (sizes.size() * 2 + peers.size() * 4);
            List<Row> rows = new ArrayList<>();
            for (Map.Entry<String, FmiConfig> e : configs.entrySet()) {
                rows.addAll(measure(e.getKey(), e.getValue()));
            }
            err.println();
            write(rows, base);
        } finally {
            if (server != null) {
                server.close();
            }
        }
        return 0;
    }

    /** Warm-up iterations for a point moving {@code bytes} per message: fewer for large messages. */
    private int warmupFor(long bytes) {
        return bytes >= (1 << 20) ? Math.max(2, warmup / 10) : warmup;
    }

    private List<Row> measure(String channel, FmiConfig cfg) {
        List<Row> rows = new ArrayList<>();
        Consumer<Communicator.Builder> opts = b -> b.timeout(Duration.ofSeconds(60));
        for (int size : sizes) {
            progress(channel + " ping-pong " + size + " B");
            long[] t = LocalCluster.run(cfg, 2, opts, comm -> {
                byte[] buf = new byte[size];
                return Osu.time(comm, warmupFor(size), iterations, () -> {
                    if (comm.rank() == 0) {
                        comm.send(buf, 1);
                        comm.recv(buf, 1);
                    } else {
                        comm.recv(buf, 0);
                        comm.send(buf, 0);
                    }
                });
            }).get(0);
            rows.add(new Row(channel, "pingpong", 2, size, t));
        }
        for (int size : sizes) {
            progress(channel + " 1 -> " + consumers + " bcast " + size + " B");
            long[] t = LocalCluster.run(cfg, consumers + 1, opts, comm -> {
                byte[] buf = new byte[size];
                return Osu.time(comm, warmupFor(size), iterations, () -> comm.bcast(buf, 0));
            }).get(0);
            rows.add(new Row(channel, "fanout", consumers + 1, size, t));
        }
        for (int n : peers) {
            progress(channel + " allreduce 1 int, " + n + " peers");
            rows.add(new Row(channel, "allreduce-1int", n, 4, LocalCluster.run(cfg, n, opts, comm -> {
                int[] in = {comm.rank()};
                int[] o = new int[1];
                return Osu.time(comm, warmupFor(4), iterations, () -> comm.allreduce(in, o, ReduceOp.SUM));
            }).get(0)));
            progress(channel + " allreduce 1 MiB, " + n + " peers");
            rows.add(new Row(channel, "allreduce-1MiB", n, 1 << 20, LocalCluster.run(cfg, n, opts, comm -> {
                double[] in = new double[1 << 17];
                double[] o = new double[1 << 17];
                return Osu.time(comm, warmupFor(1 << 20), Math.max(5, iterations / 5), () -> comm.allreduce(in, o, ReduceOp.SUM));
            }).get(0)));
            progress(channel + " barrier, " + n + " peers");
            rows.add(new Row(channel, "barrier", n, 0, LocalCluster.run(cfg, n, opts, comm ->
                    Osu.time(comm, warmupFor(0), iterations, comm::barrier)).get(0)));
            progress(channel + " gather 5000 ints, " + n + " peers");
            rows.add(new Row(channel, "gather-5000int", n, 20_000, LocalCluster.run(cfg, n, opts, comm -> {
                int[] in = new int[5000];
                int[] o = new int[5000 * n];
                return Osu.time(comm, warmupFor(20_000), iterations, () -> comm.gather(in, o, 0));
            }).get(0)));
        }
        return rows;
    }

    private void progress(String what) {
        done++;
        int width = 30;
        int filled = total == 0 ? width : done * width / total;
        err.printf(Locale.ROOT, "\r[%s%s] %d/%d %-50s", "#".repeat(filled), ".".repeat(width - filled), done, total, what);
        err.flush();
    }

    private void write(List<Row> rows, FmiConfig base) throws IOException {
        StringBuilder csv = new StringBuilder("channel,benchmark,peers,bytes,median_us,p99_us,bandwidth_MBps\n");
        for (Row r : rows) {
            double bw = r.benchmark.equals("pingpong") && r.bytes > 0 ? r.bytes / (r.medianUs / 2) : 0;
            csv.append(String.format(Locale.ROOT, "%s,%s,%d,%d,%.2f,%.2f,%.1f%n", r.channel, r.benchmark, r.peers, r.bytes, r.medianUs, r.p99Us, bw));
        }
        Files.writeString(out.resolve("bench.csv"), csv);
        CostModel model = writeCost(base);
        writePlots(rows);
        printRows(rows, model);
    }

    /**
     * Writes cost.csv and cost-per-channel.png: the cost model's price of 1,000 broadcasts to
     * {@code consumers} consumers at each size, per priced channel, on functions of 1 GiB.
     */
    private CostModel writeCost(FmiConfig base) throws IOException {
        Map<String, ChannelModel> priced = Models.priced(base, err);
        CostModel model = CostModel.fromConfig(base, priced, 1024);
        StringBuilder cost = new StringBuilder("channel,operation,peers,bytes,modelled_latency_ms,usd_per_1000\n");
        Map<String, double[]> costSeries = new LinkedHashMap<>();
        for (String backend : priced.keySet()) {
            String ch = backend.toLowerCase(Locale.ROOT);
            double[] ys = new double[sizes.size()];
            for (int i = 0; i < sizes.size(); i++) {
                Estimate e = model.estimate(ch, Operation.BCAST, sizes.get(i), consumers + 1);
                ys[i] = e.totalUsd() * 1000;
                cost.append(String.format(Locale.ROOT, "%s,bcast,%d,%d,%.4f,%.6f%n", ch, consumers + 1, sizes.get(i), e.latencySeconds() * 1e3, ys[i]));
            }
            costSeries.put(ch, ys);
        }
        Files.writeString(out.resolve("cost.csv"), cost);
        double[] xs = sizes.stream().mapToDouble(Integer::doubleValue).toArray();
        Map<String, double[][]> costPlot = new LinkedHashMap<>();
        costSeries.forEach((ch, ys) -> costPlot.put(ch, new double[][] {xs, ys}));
        Plots.logLog(out.resolve("cost-per-channel.png"), "Modelled cost of 1,000 broadcasts to " + consumers + " consumers (Lambda 1 GiB)",
                "message size (bytes)", "USD per 1,000", costPlot);
        return model;
    }

    private void writePlots(List<Row> rows) throws IOException {
        Map<String, double[][]> lat = new LinkedHashMap<>();
        Map<String, double[][]> coll = new LinkedHashMap<>();
        Map<String, double[][]> fan = new LinkedHashMap<>();
        for (Row r : rows) {
            if (r.benchmark.equals("pingpong")) {
                add(lat, r.channel, r.bytes, r.medianUs / 2);
            } else if (r.benchmark.equals("fanout")) {
                add(fan, r.channel, r.bytes, r.medianUs);
            } else if (r.benchmark.equals("allreduce-1int")) {
                add(coll, r.channel, r.peers, r.medianUs);
            }
        }
        Plots.logLog(out.resolve("latency-vs-size.png"), "Point-to-point latency (one way, median)", "message size (bytes)", "latency (us)", lat);
        Plots.logLog(out.resolve("fanout-vs-size.png"), "1 -> " + consumers + " broadcast (median, slowest consumer)", "message size (bytes)", "time (us)", fan);
        Plots.linear(out.resolve("allreduce-vs-peers.png"), "Allreduce of 1 int (median, slowest rank)", "peers", "latency (us)", coll);
    }

    private void printRows(List<Row> rows, CostModel model) {
        System.out.printf(Locale.ROOT, "%-10s %-16s %5s %10s %12s %12s%n", "channel", "benchmark", "peers", "bytes", "median (us)", "p99 (us)");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "%-10s %-16s %5d %10d %12.1f %12.1f%n", r.channel, r.benchmark, r.peers, r.bytes, r.medianUs, r.p99Us);
        }
        System.out.println("wrote " + out.resolve("bench.csv") + ", " + out.resolve("cost.csv") + " and 4 PNG plots in " + out);
        System.out.println("cost.csv and cost-per-channel.png: " + model.infrastructureAssumption());
    }

    private static void add(Map<String, double[][]> series, String name, double x, double y) {
        double[][] s = series.get(name);
        double[][] n = s == null ? new double[][] {{x}, {y}} : new double[][] {append(s[0], x), append(s[1], y)};
        series.put(name, n);
    }

    private static double[] append(double[] a, double v) {
        double[] b = java.util.Arrays.copyOf(a, a.length + 1);
        b[a.length] = v;
        return b;
    }
}
