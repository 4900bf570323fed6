package io.fmi.tcpunch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.tcpunch.internal.Message;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One source address floods the server with held registrations and idle connections, more than the
 * server's whole connection limit, and keeps opening more; meanwhile pairs from other addresses
 * must pair as fast as ever. Before per-address limits the flood took every connection slot (in
 * production: every file descriptor) and the other pairs failed. Real sockets on loopback, where
 * 127.0.0.2, 127.0.0.3 and 127.0.0.4 are distinct source addresses.
 */
@Timeout(60)
class FloodTest {
    private static final byte[] SECRET = "flood test".getBytes(StandardCharsets.UTF_8);
    private static final InetAddress FLOODER = WireClient.loopback(2);
    private static final int MAX_CONNECTIONS = 400;
    private static final int PER_ADDRESS_CONNECTIONS = 100;
    private static final int PER_ADDRESS_PENDING = 50;
    private static final int FLOOD = 600;
    private static final int PAIRS = 40;

    @Test
    void shouldKeepPairingOtherAddressesWithinMillisecondsWhileOneAddressFloods() throws Exception {
        PrintStream originalErr = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        System.setErr(new PrintStream(tee(originalErr, log), true, StandardCharsets.UTF_8)); // slf4j-simple writes here
        List<WireClient> held = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger churned = new AtomicInteger();
        Thread churn = null;
        try (RendezvousServer server = RendezvousServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0)
                .noProbePort().secret(SECRET).maxConnections(MAX_CONNECTIONS)
                .maxConnectionsPerAddress(PER_ADDRESS_CONNECTIONS).maxPendingPerAddress(PER_ADDRESS_PENDING)
                .build().start()) {
            InetSocketAddress addr = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());

            // the flood: more connections than the whole server allows, every other one registering
            for (int i = 0; i < FLOOD; i++) {
                WireClient c = WireClient.connect(FLOODER, addr, SECRET, 5_000);
                held.add(c);
                if (i % 2 == 0) {
                    try {
                        c.register("flood-" + i, "0", "1");
                    } catch (IOException e) {
                        // the server closed this one already
                    }
                }
            }
            awaitCondition(() -> server.stats().totalConnections() >= FLOOD);
            assertFloodHoldsAtMostItsLimits(server.stats());

            // ... and it goes on while the others pair
            churn = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    try (WireClient c = WireClient.connect(FLOODER, addr, SECRET, 5_000)) {
                        c.register("churn-" + i, "0", "1");
                        churned.incrementAndGet();
                    } catch (IOException e) {
                        // refused by the server while connecting or writing: what a flooder gets
                    }
                }
            }, "flooder");
            churn.start();

            long[] latencyNanos = new long[PAIRS];
            for (int p = 0; p < PAIRS; p++) {
                latencyNanos[p] = pairFromOtherAddresses(addr, "job/run:0:" + (p + 1));
            }
            stop.set(true);
            churn.join(10_000);
            Arrays.sort(latencyNanos);
            double medianMs = latencyNanos[PAIRS / 2] / 1e6;
            double maxMs = latencyNanos[PAIRS - 1] / 1e6;
            System.out.printf("%d pairs from other addresses during a flood from %s (%d held, %d more churned): pairing"
                    + " latency median %.2f ms, max %.2f ms; server %s%n", PAIRS, FLOODER.getHostAddress(), FLOOD,
                    churned.get(), medianMs, maxMs, server.stats().toLine());
            assertFloodHoldsAtMostItsLimits(server.stats());
            assertTrue(server.stats().totalLimited() >= FLOOD - PER_ADDRESS_CONNECTIONS,
                    "refusals: " + server.stats().toLine());
            // a pairing on loopback takes about a millisecond; the bounds leave room for a loaded machine
            assertTrue(medianMs < 100, "median pairing latency " + medianMs + " ms during the flood");
            assertTrue(maxMs < 1000, "slowest pairing " + maxMs + " ms during the flood");
        } finally {
            stop.set(true);
            if (churn != null) {
                churn.join(10_000);
            }
            for (WireClient c : held) {
                c.close();
            }
            System.setErr(originalErr);
        }
        // one line names the address and the limit; the hundreds of refusals after it do not flood the log
        List<String> lines = log.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> l.contains("WARN") && l.contains("refused")).toList();
        assertEquals(1, lines.stream().filter(l -> l.contains("connection from 127.0.0.2 refused: "
                + PER_ADDRESS_CONNECTIONS + " open connections from this address, the limit (maxConnectionsPerAddress,"
                + " CLI --max-connections-per-address)")).count(), String.join("\n", lines));
        assertTrue(lines.size() <= 4, "at most one line per limit within 10 s: " + String.join("\n", lines));
    }

    /** Registers both peers of {@code name} from 127.0.0.3 and 127.0.0.4; nanoseconds until both got PEER. */
    private static long pairFromOtherAddresses(InetSocketAddress server, String name) throws IOException {
        long t0 = System.nanoTime();
        try (WireClient a = WireClient.connect(WireClient.loopback(3), server, SECRET, 5_000);
             WireClient b = WireClient.connect(WireClient.loopback(4), server, SECRET, 5_000)) {
            a.register(name, "0", "1");
            b.register(name, "1", "0");
            for (WireClient c : new WireClient[] {a, b}) {
                Message first = c.read();
                assertInstanceOf(Message.Registered.class, first, name + ": " + first);
                Message second = c.read();
                assertInstanceOf(Message.Peer.class, second, name + ": " + second);
            }
            return System.nanoTime() - t0;
        }
    }

    private static void awaitCondition(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertTrue(condition.getAsBoolean(), "condition not met within 20 s");
    }

    private static OutputStream tee(OutputStream a, OutputStream b) {
        return new OutputStream() {
            @Override
            public void write(int c) throws IOException {
                a.write(c);
                b.write(c);
            }

            @Override
            public void write(byte[] buf, int off, int len) throws IOException {
                a.write(buf, off, len);
                b.write(buf, off, len);
            }
        };
    }

    /** The flood holds nothing beyond its per-address limits (others hold at most one pair in flight). */
    private static void assertFloodHoldsAtMostItsLimits(ServerStats s) {
        assertTrue(s.openConnections() <= PER_ADDRESS_CONNECTIONS + 2, "open connections: " + s.toLine());
        assertTrue(s.pendingRegistrations() <= PER_ADDRESS_PENDING + 1, "pending registrations: " + s.toLine());
    }
}
