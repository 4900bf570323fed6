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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Latency of the mediated channels against the servers of this package: per channel, the round
 * trip (send + reply) of 8 B, 1 KiB, 64 KiB and 1 MiB between two peers, and a broadcast of 1 KiB
 * from one producer to 8 consumers (until the last consumer has it); for Redis also a raw Lettuce
 * {@code RPUSH}/{@code BLPOP} round trip of 8 B in the same run, the floor the channel is held to.
 * Each figure is the median over many iterations after a warm-up.
 *
 * <pre>
 * mvn -q -pl fmi-core,fmi-tcpunch install -DskipTests
 * mvn -q -pl fmi-channels test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.fmi.channels.testing.StoreBench [-Dexec.args="redis s3 dynamodb"]
 * </pre>
 *
 * Prints a Markdown table and writes {@code target/bench-mediated.csv}.
 */
public final class StoreBench {
    private static final int[] SIZES = {8, 1024, 64 * 1024, 1024 * 1024};
    private static final List<String> ROWS = new ArrayList<>();

    private StoreBench() {
    }

    public static void main(String[] args) throws IOException {
        List<String> which = args.length == 0 ? List.of("redis", "dynamodb", "s3") : Arrays.asList(args);
        System.out.println("| channel | measurement | median | p90 | iterations |");
        System.out.println("|---|---|---|---|---|");
        for (String ch : which) {
            switch (ch.toLowerCase(Locale.ROOT)) {
                case "redis":
                    rawLettuce(RedisServer.shared(), 2000);
                    channel("Redis", "redis", RedisServer.shared().backend(), 2000, 200);
                    rawLettuce(RedisServer.shared(), 2000);
                    break;
                case "dynamodb":
                    channel("DynamoDB", "dynamodb", DynamoDbServer.shared().backend(), 200, 30);
                    break;
                case "s3":
                    channel("S3", "s3", S3Server.shared().backend(), 200, 30);
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
    private static void channel(String backend, String name, ObjectNode entry, int smallIterations, int largeIterations) {
        FmiConfig cfg = FmiConfig.defaults().withOnly(backend).withBackend(backend, entry.put("key_prefix", "bench-" + UUID.randomUUID() + "/"));
        for (int size : SIZES) {
            int iterations = size >= 64 * 1024 ? largeIterations : smallIterations;
            int warmup = Math.max(10, iterations / 10);
            List<long[]> r = LocalCluster.run(cfg, 2, b -> b.timeout(Duration.ofSeconds(60)), comm -> {
                check(comm, name);
                byte[] buf = new byte[size];
                long[] t = new long[iterations];
                for (int i = -warmup; i < iterations; i++) {
                    long t0 = System.nanoTime();
                    if (comm.rank() == 0) {
                        comm.send(buf, 1);
                        comm.recv(buf, 1);
                    } else {
                        comm.recv(buf, 0);
                        comm.send(buf, 0);
                    }
                    if (i >= 0) {
                        t[i] = System.nanoTime() - t0;
                    }
                }
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

    private static void check(Communicator comm, String name) {
        if (!name.equals(comm.channelFor(Operation.SEND, 8))) {
            throw new IllegalStateException("benchmark would run over " + comm.channelFor(Operation.SEND, 8) + ", not " + name);
        }
    }

    /** The floor: 8 B ping-pong with plain Lettuce RPUSH and BLPOP on two connections per side. */
    private static void rawLettuce(RedisServer server, int iterations) {
        RedisClient client = RedisClient.create(server.uri());
        String ping = "bench-raw-" + UUID.randomUUID() + "/ping";
        String pong = ping.replace("/ping", "/pong");
        int warmup = iterations / 10;
        try (StatefulRedisConnection<byte[], byte[]> a = client.connect(ByteArrayCodec.INSTANCE);
             StatefulRedisConnection<byte[], byte[]> b = client.connect(ByteArrayCodec.INSTANCE)) {
            byte[] pingKey = ping.getBytes(StandardCharsets.UTF_8);
            byte[] pongKey = pong.getBytes(StandardCharsets.UTF_8);
            CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> {
                RedisCommands<byte[], byte[]> r = b.sync();
                for (int i = 0; i < warmup + iterations; i++) {
                    KeyValue<byte[], byte[]> kv = r.blpop(10, pingKey);
                    r.rpush(pongKey, kv.getValue());
                }
            });
            RedisCommands<byte[], byte[]> r = a.sync();
            byte[] msg = new byte[8];
            long[] t = new long[iterations];
            for (int i = -warmup; i < iterations; i++) {
                long t0 = System.nanoTime();
                r.rpush(pingKey, msg);
                r.blpop(10, pongKey);
                if (i >= 0) {
                    t[i] = System.nanoTime() - t0;
                }
            }
            echo.join();
            report("raw Lettuce", "RPUSH/BLPOP round trip 8 B", t);
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }
}
