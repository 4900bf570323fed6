package io.fmi.tcpunch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real sockets on loopback: server and clients in this JVM. */
@Timeout(60)
class LoopbackPunchTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    private RendezvousServer server;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void startServer() {
        server = RendezvousServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0).insecure(true).build().start();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        server.close();
    }

    private HolePunchClient client(Consumer<HolePunchClient.Builder> tweak) {
        HolePunchClient.Builder b = HolePunchClient.builder()
                .server(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
        tweak.accept(b);
        HolePunchClient c = b.build();
        closeables.add(c);
        return c;
    }

    /** Collects received text; the initializer that installs it is the one the API contract describes. */
    static final class Inbox extends SimpleChannelInboundHandler<ByteBuf> {
        final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        final StringBuilder partial = new StringBuilder();

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
            partial.append(msg.toString(StandardCharsets.UTF_8));
            int nl;
            while ((nl = partial.indexOf("\n")) >= 0) {
                received.add(partial.substring(0, nl));
                partial.delete(0, nl + 1);
            }
        }

        String take() throws InterruptedException {
            return received.poll(10, TimeUnit.SECONDS);
        }
    }

    private static void send(Channel ch, String line) {
        ch.writeAndFlush(Unpooled.copiedBuffer(line + "\n", StandardCharsets.UTF_8));
    }

    @Test
    void shouldConnectTwoPeersDirectlyAndExchangeBytes() throws Exception {
        HolePunchClient client = client(b -> { });
        Inbox inA = new Inbox();
        Inbox inB = new Inbox();
        CompletableFuture<PunchedConnection> a = client.connect("job:0:1", "0", "1", DEADLINE, ch -> ch.pipeline().addLast(inA));
        CompletableFuture<PunchedConnection> b = client.connect("job:0:1", "1", "0", DEADLINE, ch -> ch.pipeline().addLast(inB));
        PunchedConnection ca = a.join();
        PunchedConnection cb = b.join();
        assertTrue(ca.path().direct(), "path " + ca.path());
        assertEquals(ca.path(), cb.path());
        send(ca.channel(), "hello from 0");
        send(cb.channel(), "hello from 1");
        assertEquals("hello from 0", inB.take());
        assertEquals("hello from 1", inA.take());
        ca.channel().close();
        cb.channel().close();
    }

    @Test
    void shouldRelayWhenDirectPathsAreDisabled() throws Exception {
        HolePunchClient client = client(b -> b.direct(false));
        Inbox inA = new Inbox();
        Inbox inB = new Inbox();
        CompletableFuture<PunchedConnection> a = client.connect("relay:a:b", "a", "b", DEADLINE, ch -> ch.pipeline().addLast(inA));
        CompletableFuture<PunchedConnection> b = client.connect("relay:a:b", "b", "a", DEADLINE, ch -> ch.pipeline().addLast(inB));
        PunchedConnection ca = a.join();
        PunchedConnection cb = b.join();
        assertEquals(PunchPath.RELAY, ca.path());
        assertEquals(PunchPath.RELAY, cb.path());
        send(ca.channel(), "via relay");
        assertEquals("via relay", inB.take());
        send(cb.channel(), "and back");
        assertEquals("and back", inA.take());
        assertEquals(1, server.stats().totalRelays());
    }

    @Test
    void shouldFailWithTheNameServerAndDeadlineWhenThePeerNeverComes() {
        HolePunchClient client = client(b -> { });
        CompletionException e = assertThrows(CompletionException.class,
                () -> client.connect("lonely", "0", "1", Duration.ofMillis(500), ch -> { }).join());
        PunchException p = assertInstanceOf(PunchException.class, e.getCause());
        assertEquals(PunchException.Reason.TIMEOUT, p.reason());
        assertTrue(p.getMessage().contains("'lonely'") && p.getMessage().contains(String.valueOf(server.port()))
                && p.getMessage().contains("PT0.5S") && p.getMessage().contains("did not register"), p.getMessage());
    }

    @Test
    void shouldCompleteManyConcurrentPairingsWithoutLosingEarlyBytes() throws Exception {
        HolePunchClient client = client(b -> { });
        int pairs = 64;
        List<CompletableFuture<PunchedConnection>> futures = new ArrayList<>();
        List<Inbox> inboxes = new ArrayList<>();
        for (int p = 0; p < pairs; p++) {
            for (int side = 0; side < 2; side++) {
                String self = side == 0 ? "r" + p : "s" + p;
                String peer = side == 0 ? "s" + p : "r" + p;
                Inbox in = new Inbox();
                inboxes.add(in);
                // each side writes inside the initializer: the peer may still be finishing its handshake
                futures.add(client.connect("many:" + p, self, peer, DEADLINE, ch -> {
                    ch.pipeline().addLast(in);
                    send(ch, "first from " + self);
                }));
            }
        }
        CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).join();
        for (int p = 0; p < pairs; p++) {
            assertEquals("first from s" + p, inboxes.get(2 * p).take());
            assertEquals("first from r" + p, inboxes.get(2 * p + 1).take());
        }
        for (CompletableFuture<PunchedConnection> f : futures) {
            f.join().channel().close();
        }
        assertEquals(pairs, server.stats().totalPairings());
        assertEquals(0, server.stats().pendingRegistrations());
    }

    @Test
    void shouldRefuseAClientWithTheWrongSecret() {
        RendezvousServer secured = RendezvousServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0)
                .secret("right".getBytes(StandardCharsets.UTF_8)).build().start();
        closeables.add(secured);
        HolePunchClient wrong = HolePunchClient.builder()
                .server(new InetSocketAddress(InetAddress.getLoopbackAddress(), secured.port()))
                .secret("wrong".getBytes(StandardCharsets.UTF_8)).build();
        closeables.add(wrong);
        CompletionException e = assertThrows(CompletionException.class,
                () -> wrong.connect("s", "0", "1", DEADLINE, ch -> { }).join());
        PunchException p = assertInstanceOf(PunchException.class, e.getCause());
        assertEquals(PunchException.Reason.AUTH_FAILED, p.reason(), p.getMessage());
    }

    @Test
    void shouldPairTwoTcpunchClientsOverRealSockets() throws Exception {
        try (java.net.Socket a = new java.net.Socket(InetAddress.getLoopbackAddress(), server.port());
             java.net.Socket b = new java.net.Socket(InetAddress.getLoopbackAddress(), server.port())) {
            a.getOutputStream().write("cpp".getBytes(StandardCharsets.US_ASCII));
            byte[] ownA = a.getInputStream().readNBytes(8);
            assertEquals(a.getLocalPort(), ((ownA[4] & 0xFF) << 8) | (ownA[5] & 0xFF));
            b.getOutputStream().write("cpp".getBytes(StandardCharsets.US_ASCII));
            byte[] ownB = b.getInputStream().readNBytes(8);
            byte[] peerOfB = b.getInputStream().readNBytes(8);
            byte[] peerOfA = a.getInputStream().readNBytes(8);
            assertEquals(java.util.Arrays.toString(ownA), java.util.Arrays.toString(peerOfB));
            assertEquals(java.util.Arrays.toString(ownB), java.util.Arrays.toString(peerOfA));
        }
    }
}
