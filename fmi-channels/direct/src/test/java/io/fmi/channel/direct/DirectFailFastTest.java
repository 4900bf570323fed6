package io.fmi.channel.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fmi.ChannelException;
import io.fmi.Communicator;
import io.fmi.FmiConfig;
import io.fmi.FmiException;
import io.fmi.FmiTimeoutException;
import io.fmi.ReduceOp;
import io.fmi.local.LocalCluster;
import io.fmi.tcpunch.RendezvousServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A connection that cannot be opened fails the operation within seconds with a
 * {@link ChannelException} naming the server, the cause and the setting, never at the deadline:
 * no server, a wrong secret, a duplicate job, a full server; a server restart within the deadline
 * goes unnoticed; connection set-up keeps to the operation's deadline. Real servers on loopback.
 */
@ExtendWith(LeakCheck.class)
@Timeout(60)
class DirectFailFastTest {
    @RegisterExtension
    static final DirectTesting server = new DirectTesting();

    private static FmiConfig config(int port, Consumer<ObjectNode> tweak) {
        ObjectNode d = FmiConfig.newObject().put("enabled", true).put("host", "127.0.0.1").put("port", port)
                .put("nat_probe", false).put("secret", DirectTesting.SECRET).put("max_timeout", 60_000);
        tweak.accept(d);
        return FmiConfig.defaults().withOnly("Direct").withBackend("Direct", d);
    }

    private static int unusedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static long ms(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    /** Runs {@code op} on every rank of a 2-rank job; returns each rank's error, checked to have come within {@code maxMs}. */
    private static List<FmiException> failEveryRank(FmiConfig cfg, long maxMs, Consumer<Communicator> op) {
        return LocalCluster.run(cfg, 2, b -> b.timeout(Duration.ofSeconds(30)), comm -> {
            long t0 = System.nanoTime();
            FmiException e = assertThrows(FmiException.class, () -> op.accept(comm));
            long took = ms(t0);
            System.out.printf("rank %d failed after %d ms: %s%n", comm.rank(), took, e.getMessage());
            assertTrue(took < maxMs, "rank " + comm.rank() + " failed after " + took + " ms (deadline 30000 ms): " + e);
            return e;
        });
    }

    @Test
    void shouldNameAMissingServerWithinSecondsNotAtTheDeadline() throws Exception {
        int port = unusedPort();
        FmiConfig cfg = config(port, d -> d.put("server_retry_ms", 1000));
        long t0 = System.nanoTime();
        List<FmiException> errors = failEveryRank(cfg, 5_000, comm -> comm.allreduce(new int[1], new int[1], ReduceOp.SUM));
        assertTrue(ms(t0) < 8_000, "close() returned promptly too: " + ms(t0) + " ms in all");
        for (FmiException e : errors) {
            assertInstanceOf(ChannelException.class, e, e.toString());
            for (String s : List.of("allreduce #1", "127.0.0.1:" + port, "unreachable", "Connection refused",
                    "backends.Direct.host", "backends.Direct.port", "server_retry_ms")) {
                assertTrue(e.getMessage().contains(s), s + " in: " + e.getMessage());
            }
            assertTrue(e.retryable(), "a server may come back");
        }
    }

    @Test
    void shouldNameAWrongSecretAtOnceAndOnEveryLaterOperation() {
        FmiConfig cfg = config(server.port(), d -> d.put("secret", "not-the-servers"));
        long t0 = System.nanoTime();
        List<FmiException> errors = failEveryRank(cfg, 3_000, comm -> {
            try {
                comm.recv(new int[1], 1 - comm.rank());
            } finally {
                // and later operations with that peer fail at once, the same way
                long t1 = System.nanoTime();
                ChannelException again = assertThrows(ChannelException.class, () -> comm.send(new int[1], 1 - comm.rank()));
                assertTrue(again.getMessage().contains("AUTH_FAILED"), again.getMessage());
                assertTrue(ms(t1) < 100, "at once: " + ms(t1) + " ms");
            }
        });
        assertTrue(ms(t0) < 5_000, "close() returned promptly too: " + ms(t0) + " ms in all");
        for (FmiException e : errors) {
            assertInstanceOf(ChannelException.class, e, e.toString());
            for (String s : List.of("recv", "127.0.0.1:" + server.port(), "AUTH_FAILED", "backends.Direct.secret",
                    "backends.Direct.secret_file", "FMI_SECRET")) {
                assertTrue(e.getMessage().contains(s), s + " in: " + e.getMessage());
            }
            assertFalse(e.retryable());
            assertFalse(e.getMessage().contains("not-the-servers"), "never the secret");
        }
    }

    @Test
    void shouldNameAnotherJobWithTheSameNameAndRunIdAtOnce() throws Exception {
        FmiConfig cfg = server.config();
        try (Communicator first = Communicator.builder().config(cfg).name("twice").runId("7").rank(0).size(2)
                .timeout(Duration.ofSeconds(30)).build()) {
            int[] got = new int[1];
            CompletableFuture<Void> waiting = first.irecv(got, 1); // registers twice/7:0:1 as rank 0
            Thread.sleep(500);
            try (Communicator second = Communicator.builder().config(cfg).name("twice").runId("7").rank(0).size(2)
                    .timeout(Duration.ofSeconds(30)).build()) {
                long t0 = System.nanoTime();
                ChannelException e = assertThrows(ChannelException.class, () -> second.recv(new int[1], 1));
                long took = ms(t0);
                System.out.println("duplicate job refused after " + took + " ms: " + e.getMessage());
                assertTrue(took < 2_000, "refused after " + took + " ms");
                for (String s : List.of("another job with this name and run id is running", "DUPLICATE_REGISTRATION",
                        "'twice'", "'7'", "runId")) {
                    assertTrue(e.getMessage().contains(s), s + " in: " + e.getMessage());
                }
                assertFalse(e.retryable());
            }
            assertFalse(waiting.isDone(), "the first job keeps its registration");
            // the first job's own rank 1 still finds it
            try (Communicator one = Communicator.builder().config(cfg).name("twice").runId("7").rank(1).size(2)
                    .timeout(Duration.ofSeconds(30)).build()) {
                one.send(new int[] {5}, 0);
                waiting.get(20, TimeUnit.SECONDS);
                assertEquals(5, got[0]);
            }
        }
    }

    @Test
    void shouldNameAFullServerAfterItsRetries() {
        try (RendezvousServer full = RendezvousServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0)
                .secret(DirectTesting.SECRET.getBytes(StandardCharsets.UTF_8)).maxPendingPerAddress(1).build().start()) {
            FmiConfig cfg = config(full.port(), d -> d.put("server_retry_ms", 1000));
            try (Communicator c = Communicator.builder().config(cfg).name("full").runId("r1").rank(0).size(3)
                    .timeout(Duration.ofSeconds(30)).build()) {
                CompletableFuture<Void> first = c.irecv(new int[1], 1); // holds this address's one pending registration
                // The server is full only once that registration is pending there; before that the next would fit.
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (full.stats().pendingRegistrations() != 1 && System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
                assertEquals(1, full.stats().pendingRegistrations(), "the first registration is pending");
                long t0 = System.nanoTime();
                ChannelException e = assertThrows(ChannelException.class, () -> c.recv(new int[1], 2));
                long took = ms(t0);
                System.out.println("full server reported after " + took + " ms: " + e.getMessage());
                assertTrue(took >= 500 && took < 5_000, "after " + took + " ms (retried for 1000 ms, deadline 30000 ms)");
                for (String s : List.of("127.0.0.1:" + full.port(), "SERVER_FULL", "server_retry_ms")) {
                    assertTrue(e.getMessage().contains(s), s + " in: " + e.getMessage());
                }
                assertTrue(e.retryable());
                assertFalse(first.isDone());
            }
        }
    }

    @Test
    void shouldRideOutARestartOfTheServerWithinTheDeadline() throws Exception {
        int port = unusedPort();
        RendezvousServer s = RendezvousServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(port)
                .secret(DirectTesting.SECRET.getBytes(StandardCharsets.UTF_8)).build().start();
        FmiConfig cfg = config(port, d -> d.put("server_retry_ms", 10_000));
        try (Communicator zero = Communicator.builder().config(cfg).name("restart").runId("r1").rank(0).size(2)
                .timeout(Duration.ofSeconds(30)).build()) {
            int[] got = new int[1];
            CompletableFuture<Void> r = zero.irecv(got, 1); // registered with the first server
            Thread.sleep(500);
            s.close();
            Thread.sleep(500); // refused meanwhile
            s = RendezvousServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(port)
                    .secret(DirectTesting.SECRET.getBytes(StandardCharsets.UTF_8)).build().start();
            try (Communicator one = Communicator.builder().config(cfg).name("restart").runId("r1").rank(1).size(2)
                    .timeout(Duration.ofSeconds(30)).build()) {
                one.send(new int[] {11}, 0);
                r.get(20, TimeUnit.SECONDS);
                assertEquals(11, got[0]);
            }
        } finally {
            s.close();
        }
    }

    @Test
    void shouldSetUpConnectionsWithinTheOperationsDeadlineNotMaxTimeout() {
        // max_timeout 60 s, the builder's timeout 1 s; rank 1 never starts
        try (Communicator c = Communicator.builder().config(server.config(d -> d.put("max_timeout", 60_000)))
                .name("alone").runId("r1").rank(0).size(2).timeout(Duration.ofSeconds(1)).build()) {
            long t0 = System.nanoTime();
            FmiTimeoutException e = assertThrows(FmiTimeoutException.class, () -> c.recv(new int[1], 1));
            long took = ms(t0);
            assertTrue(took >= 900 && took < 3_000, "after " + took + " ms (deadline 1000 ms)");
            assertTrue(e.getMessage().contains("no connection to rank 1 yet"), e.getMessage());
            long t1 = System.nanoTime();
            c.close();
            assertTrue(ms(t1) < 1_000, "close() took " + ms(t1) + " ms");
        }
    }
}
