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
import java.util.concurrent.locks.LockSupport;
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
            // the same pairs without the flood first: this machine's own latency, which its load decides
            long[] reference = pairs(addr, "quiet");
            awaitCondition(() -> server.stats().openConnections() == 0);
            long before = server.stats().totalConnections();

            // the flood: more connections than the whole server allows, every other one registering
            long start = System.nanoTime();
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
            awaitCondition(() -> server.stats().totalConnections() >= before + FLOOD);
            // A refused connection is closed at once, but counted open until its event loop has run
            // the close: on a loaded machine that lags the accepts by a few milliseconds.
            awaitCondition(() -> holdsAtMostItsLimits(server.stats()));
            assertFloodHoldsAtMostItsLimits(server.stats());

            // ... and it goes on while the others pair, at up to 1,000 connections a second: the limits
            // are about what a flood holds, not about the CPU it costs (a shared 2-core machine has little)
            churn = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    try (WireClient c = WireClient.connect(FLOODER, addr, SECRET, 5_000)) {
                        c.register("churn-" + i, "0", "1");
                        churned.incrementAndGet();
                    } catch (IOException e) {
                        // refused by the server while connecting or writing: what a flooder gets
                    }
                    LockSupport.parkNanos(1_000_000);
                }
            }, "flooder");
            churn.start();

            System.out.printf("flood of %d connections from %s opened and seen by the server in %d ms%n", FLOOD,
                    FLOODER.getHostAddress(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            long[] flooded = pairs(addr, "flooded");
            stop.set(true);
            churn.join(10_000);
            double medianMs = flooded[PAIRS / 2] / 1e6;
            double maxMs = flooded[PAIRS - 1] / 1e6;
            double quietMedianMs = reference[PAIRS / 2] / 1e6;
            System.out.printf("%d pairs from other addresses: pairing latency median %.2f ms, max %.2f ms without a"
                    + " flood; median %.2f ms, max %.2f ms during a flood from %s (%d held, %d more churned); server %s%n",
                    PAIRS, quietMedianMs, reference[PAIRS - 1] / 1e6, medianMs, maxMs, FLOODER.getHostAddress(), FLOOD,
                    churned.get(), server.stats().toLine());
            assertFloodHoldsAtMostItsLimits(server.stats());
            assertTrue(server.stats().totalLimited() >= FLOOD - PER_ADDRESS_CONNECTIONS,
                    "refusals: " + server.stats().toLine());
            // Before the limits these pairs failed (no connection slot left). Now they pair as fast as
            // without the flood, up to this machine's noise: a shared 2-core machine at a load of 25
            // gives tens of milliseconds with or without a flood. The absolute bound is far below
            // the 18 s and the failures of the report.
            assertTrue(medianMs < 3 * quietMedianMs + 50, "median pairing latency " + medianMs + " ms during the flood, "
                    + quietMedianMs + " ms without");
            assertTrue(maxMs < 2000, "slowest pairing " + maxMs + " ms during the flood");

            long drain = System.nanoTime();
            for (WireClient c : held) {
                c.close();
            }
            // every slot comes back when the flood stops: nothing counted stays behind
            awaitCondition(() -> server.stats().openConnections() == 0 && server.stats().pendingRegistrations() == 0);
            System.out.printf("flood closed: the server's counts were back to 0 after %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - drain));
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

    /** {@value #PAIRS} pairs one after the other; their latencies, sorted. */
    private static long[] pairs(InetSocketAddress server, String prefix) throws IOException {
        long[] latencyNanos = new long[PAIRS];
        for (int p = 0; p < PAIRS; p++) {
            latencyNanos[p] = pairFromOtherAddresses(server, prefix + "/run:0:" + (p + 1));
        }
        Arrays.sort(latencyNanos);
        return latencyNanos;
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

    private static boolean holdsAtMostItsLimits(ServerStats s) {
        return s.openConnections() <= PER_ADDRESS_CONNECTIONS + 2 && s.pendingRegistrations() <= PER_ADDRESS_PENDING + 1;
    }

    /** The flood holds nothing beyond its per-address limits (others hold at most one pair in flight). */
    private static void assertFloodHoldsAtMostItsLimits(ServerStats s) {
        assertTrue(s.openConnections() <= PER_ADDRESS_CONNECTIONS + 2, "open connections: " + s.toLine());
        assertTrue(s.pendingRegistrations() <= PER_ADDRESS_PENDING + 1, "pending registrations: " + s.toLine());
    }
}
