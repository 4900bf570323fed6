package io.fmi.tcpunch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.tcpunch.internal.ErrorCode;
import io.fmi.tcpunch.internal.Message;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two peers claiming one pairing name and self id (two jobs with the same communicator name and run
 * id): the second is refused at once and the first keeps its pairing. Real sockets on loopback.
 */
@Timeout(30)
class DuplicateRegistrationTest {
    private static final byte[] SECRET = "shared by both jobs".getBytes(StandardCharsets.UTF_8);
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    private RendezvousServer server;
    private HolePunchClient client;

    @BeforeEach
    void start() {
        server = RendezvousServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0).secret(SECRET)
                .build().start();
        client = HolePunchClient.builder().server(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()))
                .secret(SECRET).build();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private void awaitPending(int n) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.stats().pendingRegistrations() != n && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertEquals(n, server.stats().pendingRegistrations(), "pending registrations");
    }

    @Test
    void shouldRefuseTheSecondClaimWithinMillisecondsAndKeepTheFirstPairing() throws Exception {
        LoopbackPunchTest.Inbox firstGot = new LoopbackPunchTest.Inbox();
        CompletableFuture<PunchedConnection> first = client.connect("victim/0:0:1", "1", "0", DEADLINE,
                ch -> ch.pipeline().addLast(firstGot));
        awaitPending(1);

        // what the second job's rank 1 sees through the client API: a refusal, not a deadline
        long[] clientNanos = new long[5];
        for (int i = 0; i < clientNanos.length; i++) {
            long t0 = System.nanoTime();
            CompletionException e = assertThrows(CompletionException.class,
                    () -> client.connect("victim/0:0:1", "1", "0", DEADLINE, ch -> { }).join());
            clientNanos[i] = System.nanoTime() - t0;
            PunchException p = assertInstanceOf(PunchException.class, e.getCause());
            assertEquals(PunchException.Reason.DUPLICATE_REGISTRATION, p.reason(), p.getMessage());
            assertTrue(p.getMessage().contains("DUPLICATE_REGISTRATION") && p.getMessage().contains("victim/0:0:1"),
                    p.getMessage());
        }

        // and on the wire: REGISTER to ERROR
        long[] wireNanos = new long[5];
        for (int i = 0; i < wireNanos.length; i++) {
            try (WireClient dup = WireClient.connect(InetAddress.getLoopbackAddress(),
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), SECRET, 10_000)) {
                long t1 = System.nanoTime();
                dup.register("victim/0:0:1", "1", "0");
                assertInstanceOf(Message.Registered.class, dup.read());
                Message.Error err = assertInstanceOf(Message.Error.class, dup.read());
                wireNanos[i] = System.nanoTime() - t1;
                assertEquals(ErrorCode.DUPLICATE_REGISTRATION, err.code(), err.text());
                assertTrue(dup.closedByServer(), "the server closes after the refusal");
            }
        }
        Arrays.sort(clientNanos);
        Arrays.sort(wireNanos);
        System.out.printf("duplicate registrant refused: through HolePunchClient.connect median %.1f ms, max %.1f ms;"
                + " REGISTER to ERROR median %.2f ms, max %.2f ms (5 each)%n", clientNanos[2] / 1e6, clientNanos[4] / 1e6,
                wireNanos[2] / 1e6, wireNanos[4] / 1e6);
        // a refusal within seconds, where the deadline is 20 s
        assertTrue(clientNanos[4] < TimeUnit.SECONDS.toNanos(2), "refused after " + clientNanos[4] / 1e6 + " ms");
        assertFalse(first.isDone(), "the first registration still waits for its peer");
        awaitPending(1);

        LoopbackPunchTest.Inbox peerGot = new LoopbackPunchTest.Inbox();
        PunchedConnection b = client.connect("victim/0:0:1", "0", "1", DEADLINE,
                ch -> ch.pipeline().addLast(peerGot)).join();
        PunchedConnection a = first.join();
        a.channel().writeAndFlush(Unpooled.copiedBuffer("from 1\n", StandardCharsets.UTF_8));
        b.channel().writeAndFlush(Unpooled.copiedBuffer("from 0\n", StandardCharsets.UTF_8));
        assertEquals("from 1", peerGot.take());
        assertEquals("from 0", firstGot.take());
        a.channel().close();
        b.channel().close();
    }
}
