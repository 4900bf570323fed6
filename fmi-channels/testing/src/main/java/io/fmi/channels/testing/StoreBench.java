package io.fmi.channels.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fmi.Communicator;
import io.fmi.FmiConfig;
import io.fmi.Operation;
import io.fmi.local.LocalCluster;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Latency of the mediated channels against the servers of this package: per channel, the round
 * trip (send + reply) of 8 B, 1 KiB, 64 KiB and 1 MiB between two peers, and a broadcast of 1 KiB
 * from one producer to 8 consumers (until the last consumer has it). Redis' 8 B round trip runs
 * interleaved with a raw Lettuce {@code RPUSH}/{@code BLPOP} round trip, the floor the channel is
 * held to, and is reported with the median ratio of the two (see {@link #againstRawLettuce}).
 * Each figure is the median over many iterations after a warm-up.
 *
 * <pre>
 * mvn -q install -DskipTests
 * mvn -q -pl fmi-channels/all exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.fmi.channels.testing.StoreBench [-Dexec.args="redis s3 dynamodb"]
 * </pre>
 *
 * Prints a Markdown table and writes {@code target/bench-mediated.csv}.
 */
public final class StoreBench {
    private static final int[] SIZES = {8, 1024, 64 * 1024, 1024 * 1024};
    /** Redis' 8 B round trip is measured against raw Lettuce, see {@link #againstRawLettuce}. */
    private static final int[] LARGER = {1024, 64 * 1024, 1024 * 1024};
    private static final List<String> ROWS = new ArrayList<>();
    /** The least time the 8 B comparison warms both paths up, alternating blocks as it then measures them. */
    private static final long WARMUP_NANOS = TimeUnit.MILLISECONDS.toNanos(Long.getLong("bench.warmup.ms", 2000));
    /**
     * After the least warm-up, the 8 B comparison goes on untimed until the JIT compiled nothing for
     * this long (-Dbench.warmup.jit.ms=0: it does not wait), up to {@link #WARMUP_MAX_NANOS}: the
     * channel's path is longer than a raw {@code RPUSH}, and it ran 1.3-4x slower than later for
     * its first 10,000 round trips while the JIT compiled it (docs/benchmarks.md).
     */
    private static final long JIT_QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(Long.getLong("bench.warmup.jit.ms", 1000));
    private static final long WARMUP_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(Long.getLong("bench.warmup.max.ms", 30000));
    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

    private StoreBench() {
    }

    public static void main(String[] args) throws IOException {
        List<String> which = args.length == 0 ? List.of("redis", "dynamodb", "s3") : Arrays.asList(args);
        System.out.println("| channel | measurement | median | p90 | iterations |");
        System.out.println("|---|---|---|---|---|");
        for (String ch : which) {
            switch (ch.toLowerCase(Locale.ROOT)) {
                case "redis":
                    againstRawLettuce(RedisServer.shared(), 60, 100);
                    channel("Redis", "redis", RedisServer.shared().backend(), LARGER, 2000, 200);
                    break;
                case "dynamodb":
                    channel("DynamoDB", "dynamodb", DynamoDbServer.shared().backend(), SIZES, 200, 30);
                    break;
                case "s3":
                    channel("S3", "s3", S3Server.shared().backend(), SIZES, 200, 30);
                    break;
                default:
                    throw new IllegalArgumentException("channel: " + ch + " (expected: redis, dynamodb, s3)");
            }
        }
        Path csv = Path.of("target", "bench-mediated.csv");
        Files.createDirectories(csv.getParent());
        try (PrintStream out = new PrintStream(Files.newOutputStream(csv), true, StandardCharsets.UTF_8)) {
            out.println("channel,measurement,median_us,p90_us,iterations");
            ROWS.forEach(out::println);
        }
        System.out.println("\nCSV: " + csv.toAbsolutePath());
        System.exit(0);
    }

    private static void report(String channel, String what, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        double median = s[s.length / 2] / 1e3;
        double p90 = s[(int) (s.length * 0.9)] / 1e3;
        System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %d |%n", channel, what, human(median), human(p90), s.length);
        ROWS.add(String.format(Locale.ROOT, "%s,%s,%.1f,%.1f,%d", channel, what, median, p90, s.length));
    }

    private static String human(double micros) {
        return micros >= 1000 ? String.format(Locale.ROOT, "%.2f ms", micros / 1000) : String.format(Locale.ROOT, "%.0f µs", micros);
    }

    private static String label(int bytes) {
        return bytes >= 1 << 20 ? (bytes >> 20) + " MiB" : bytes >= 1024 ? (bytes >> 10) + " KiB" : bytes + " B";
    }

    /** Round trips between two peers and a 1 → 8 broadcast over one channel. */
    private static void channel(String backend, String name, ObjectNode entry, int[] sizes, int smallIterations, int largeIterations) {
        FmiConfig cfg = config(backend, entry);
        for (int size : sizes) {
            int iterations = size >= 64 * 1024 ? largeIterations : smallIterations;
            int warmup = Math.max(10, iterations / 10);
            List<long[]> r = LocalCluster.run(cfg, 2, b -> b.timeout(Duration.ofSeconds(60)), comm -> {
                check(comm, name);
                byte[] buf = new byte[size];
                long[] t = new long[iterations];
                channelBlock(comm, buf, new long[warmup]);
                channelBlock(comm, buf, t);
                return t;
            });
            report(name, "round trip " + label(size), r.get(0));
        }
        int consumers = 8;
        int iterations = Math.max(20, smallIterations / 10);
        long[] start = new long[iterations + 10];
        long[][] done = new long[consumers + 1][iterations + 10];
        LocalCluster.run(cfg, consumers + 1, b -> b.timeout(Duration.ofSeconds(60)), comm -> {
            check(comm, name);
            byte[] buf = new byte[1024];
            for (int i = 0; i < iterations + 10; i++) {
                comm.barrier();
                if (comm.rank() == 0) {
                    start[i] = System.nanoTime();
                }
                comm.bcast(buf, 0);
                done[comm.rank()][i] = System.nanoTime();
            }
            comm.barrier();
            return null;
        });
        long[] t = new long[iterations];
        for (int i = 0; i < iterations; i++) {
            long last = 0;
            for (int c = 1; c <= consumers; c++) {
                last = Math.max(last, done[c][i + 10]);
            }
            t[i] = last - start[i + 10];
        }
        report(name, "bcast 1 KiB, 1 → 8", t);
    }

    private static FmiConfig config(String backend, ObjectNode entry) {
        return FmiConfig.defaults().withOnly(backend).withBackend(backend, entry.put("key_prefix", "bench-" + UUID.randomUUID() + "/"));
    }

    private static void check(Communicator comm, String name) {
        if (!name.equals(comm.channelFor(Operation.SEND, 8))) {
            throw new IllegalStateException("benchmark would run over " + comm.channelFor(Operation.SEND, 8) + ", not " + name);
        }
    }

    /**
     * The Redis channel's 8 B round trip against its floor, a raw Lettuce {@code RPUSH}/{@code
     * BLPOP} ping-pong (sync API, one connection per side), on the same two threads: blocks of
     * {@code perBlock} round trips of each, alternating, the pair's order swapped every block so
     * neither always runs first, after an equal warm-up of both (alternating blocks for at least
     * 2 s, then until the JIT has settled, see {@link #JIT_QUIET_NANOS}). Reports both medians
     * over all round trips and the median of the per-pair ratios of block medians, which cancels
     * load that changes slower than a pair of blocks (a few tens of milliseconds).
     */
    private static void againstRawLettuce(RedisServer server, int pairs, int perBlock) {
        FmiConfig cfg = config("Redis", server.backend());
        RedisClient client = RedisClient.create(server.uri());
        byte[] ping = ("bench-raw-" + UUID.randomUUID() + "/ping").getBytes(StandardCharsets.UTF_8);
        byte[] pong = ("bench-raw-" + UUID.randomUUID() + "/pong").getBytes(StandardCharsets.UTF_8);
        long[] warmMillis = {0};
        try {
            List<long[][]> r = LocalCluster.run(cfg, 2, b -> b.timeout(Duration.ofSeconds(60)), comm -> {
                check(comm, "redis");
                try (StatefulRedisConnection<byte[], byte[]> conn = client.connect(ByteArrayCodec.INSTANCE)) {
                    RedisCommands<byte[], byte[]> raw = conn.sync();
                    byte[] buf = new byte[8];
                    long[] ignored = new long[perBlock];
                    long warmStart = System.nanoTime();
                    long lastJit = jitMillis();
                    long lastJitChange = warmStart;
                    byte[] more = {1};
                    while (more[0] == 1) {
                        channelBlock(comm, buf, ignored);
                        rawBlock(comm.rank(), raw, ping, pong, buf, ignored);
                        long now = System.nanoTime();
                        long jit = jitMillis();
                        if (jit != lastJit) {
                            lastJit = jit;
                            lastJitChange = now;
                        }
                        boolean compiling = jit >= 0 && now - lastJitChange < JIT_QUIET_NANOS;
                        more[0] = (byte) (now - warmStart < WARMUP_NANOS || compiling && now - warmStart < WARMUP_MAX_NANOS ? 1 : 0);
                        comm.bcast(more, 0); // rank 0 decides for both: one JVM, one JIT
                    }
                    if (comm.rank() == 0) {
                        warmMillis[0] = (System.nanoTime() - warmStart) / 1_000_000;
                    }
                    long[][] t = new long[2 * pairs][perBlock];
                    for (int p = 0; p < pairs; p++) {
                        boolean channelFirst = p % 2 == 0;
                        for (int half = 0; half < 2; half++) {
                            if (channelFirst == (half == 0)) {
                                channelBlock(comm, buf, t[2 * p]);
                            } else {
                                rawBlock(comm.rank(), raw, ping, pong, buf, t[2 * p + 1]);
                            }
                        }
                    }
                    return t;
                }
            });
            long[][] blocks = r.get(0);
            long[] channel = new long[pairs * perBlock];
            long[] raw = new long[pairs * perBlock];
            double[] ratios = new double[pairs];
            for (int p = 0; p < pairs; p++) {
                System.arraycopy(blocks[2 * p], 0, channel, p * perBlock, perBlock);
                System.arraycopy(blocks[2 * p + 1], 0, raw, p * perBlock, perBlock);
                ratios[p] = (double) median(blocks[2 * p]) / median(blocks[2 * p + 1]);
            }
            report("raw Lettuce", "RPUSH/BLPOP round trip 8 B (interleaved)", raw);
            report("redis", "round trip 8 B (interleaved)", channel);
            Arrays.sort(ratios);
            double median = ratios[pairs / 2];
            double p10 = ratios[pairs / 10];
            double p90 = ratios[pairs * 9 / 10];
            System.out.printf(Locale.ROOT, "| redis / raw | ratio of block medians, 8 B (p10-p90 %.2f-%.2f, after %.1f s of warm-up) | %.2fx | %.2fx | %d pairs of %d |%n",
                    p10, p90, warmMillis[0] / 1000.0, median, p90, pairs, perBlock);
            ROWS.add(String.format(Locale.ROOT, "redis / raw,ratio 8 B,%.3f,%.3f,%d", median, p90, pairs));
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    /** Milliseconds this JVM's JIT has spent compiling, or -1 when it cannot tell. */
    private static long jitMillis() {
        return JIT != null && JIT.isCompilationTimeMonitoringSupported() ? JIT.getTotalCompilationTime() : -1;
    }

    /** {@code t.length} round trips between ranks 0 and 1, each one's time in {@code t}. */
    private static void channelBlock(Communicator comm, byte[] buf, long[] t) {
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            if (comm.rank() == 0) {
                comm.send(buf, 1);
                comm.recv(buf, 1);
            } else {
                comm.recv(buf, 0);
                comm.send(buf, 0);
            }
            t[i] = System.nanoTime() - t0;
        }
    }

    private static void rawBlock(int rank, RedisCommands<byte[], byte[]> raw, byte[] ping, byte[] pong, byte[] buf, long[] t) {
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            if (rank == 0) {
                raw.rpush(ping, buf);
                raw.blpop(10, pong);
            } else {
                KeyValue<byte[], byte[]> kv = raw.blpop(10, ping);
                raw.rpush(pong, kv.getValue());
            }
            t[i] = System.nanoTime() - t0;
        }
    }

    private static long median(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
