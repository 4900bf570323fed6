package io.fmi.tcpunch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
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

    /**
     * Reads one line from a handed-over socket: first from the bytes the client read ahead, then
     * from the socket through a selector of this test's own (which also proves the socket is free
     * to register), within 10 s.
     */
    private static String readLine(PunchedSocket s, ByteBuffer readAhead) throws IOException {
        StringBuilder line = new StringBuilder();
        ByteBuffer buf = ByteBuffer.allocate(256);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try (Selector sel = Selector.open()) {
            SelectionKey key = null;
            while (true) {
                while (readAhead.hasRemaining()) {
                    char c = (char) readAhead.get();
                    if (c == '\n') {
                        return line.toString();
                    }
                    line.append(c);
                }
                if (key == null) {
                    key = s.socket().register(sel, SelectionKey.OP_READ);
                }
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new AssertionError("no line within 10 s from " + s + "; got '" + line + "'");
                }
                sel.select(left);
                buf.clear();
                if (s.socket().read(buf) < 0) {
                    throw new AssertionError("EOF from " + s + " after '" + line + "'");
                }
                readAhead = buf.flip();
            }
        }
    }

    private static void write(PunchedSocket s, String line) throws IOException {
        ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            s.socket().write(b);
        }
    }

    /** Both ends of pairing {@code name} between ids {@code a} and {@code b}, as sockets closed after the test. */
    private PunchedSocket[] socketPair(HolePunchClient client, String name, String a, String b) {
        CompletableFuture<PunchedSocket> fa = client.connectSocket(name, a, b, DEADLINE);
        CompletableFuture<PunchedSocket> fb = client.connectSocket(name, b, a, DEADLINE);
        PunchedSocket[] pair = {fa.join(), fb.join()};
        closeables.add(pair[0].socket());
        closeables.add(pair[1].socket());
        return pair;
    }

    @Test
    void shouldHandOverAPlainSocketOffTheEventLoop() throws Exception {
        PunchedSocket[] pair = socketPair(client(b -> { }), "sock:0:1", "0", "1");
        PunchedSocket sa = pair[0];
        PunchedSocket sb = pair[1];
        assertTrue(sa.path().direct(), "path " + sa.path());
        assertEquals(sa.path(), sb.path());
        for (PunchedSocket s : List.of(sa, sb)) {
            assertTrue(s.socket().isConnected(), s.toString());
            assertFalse(s.socket().isBlocking(), s.toString());
            assertFalse(s.socket().isRegistered(), "still registered with the client's selector: " + s);
            assertTrue(s.socket().getOption(StandardSocketOptions.TCP_NODELAY), s.toString());
            assertEquals(0, s.received().remaining(), "nobody wrote after the handshake: " + s);
        }
        assertEquals(sa.socket().getLocalAddress(), sb.socket().getRemoteAddress());
        // free of any selector: blocking mode is allowed
        sb.socket().configureBlocking(true);
        write(sa, "plain from 0");
        ByteBuffer in = ByteBuffer.allocate("plain from 0\n".length());
        while (in.hasRemaining()) {
            assertTrue(sb.socket().read(in) > 0);
        }
        assertEquals("plain from 0\n", new String(in.array(), StandardCharsets.UTF_8));
    }

    @Test
    void shouldHandOverSocketsWithoutLosingBytesSentRightAfterTheHandshake() throws Exception {
        HolePunchClient client = client(b -> { });
        int pairs = 32;
        List<CompletableFuture<PunchedSocket>> sockets = new ArrayList<>();
        List<CompletableFuture<PunchedConnection>> channels = new ArrayList<>();
        List<Inbox> inboxes = new ArrayList<>();
        for (int p = 0; p < pairs; p++) {
            // a Netty peer that writes inside its initializer, so its bytes often travel with the handshake
            String self = "n" + p;
            Inbox in = new Inbox();
            inboxes.add(in);
            channels.add(client.connect("early:" + p, self, "s" + p, DEADLINE, ch -> {
                ch.pipeline().addLast(in);
                send(ch, "first from " + self);
            }));
            sockets.add(client.connectSocket("early:" + p, "s" + p, self, DEADLINE));
        }
        int readAhead = 0;
        for (int p = 0; p < pairs; p++) {
            PunchedSocket s = sockets.get(p).join();
            closeables.add(s.socket());
            readAhead += s.received().remaining() > 0 ? 1 : 0;
            assertEquals("first from n" + p, readLine(s, s.received()));
            write(s, "reply from s" + p);
            assertEquals("reply from s" + p, inboxes.get(p).take());
            channels.get(p).join().channel().close();
        }
        System.out.println(readAhead + " of " + pairs + " sockets came with bytes read ahead");
    }

    @Test
    void shouldHandOverARelayedSocket() throws Exception {
        PunchedSocket[] pair = socketPair(client(b -> b.direct(false)), "relay-sock:a:b", "a", "b");
        PunchedSocket sa = pair[0];
        PunchedSocket sb = pair[1];
        assertEquals(PunchPath.RELAY, sa.path());
        assertEquals(PunchPath.RELAY, sb.path());
        write(sa, "via relay");
        assertEquals("via relay", readLine(sb, sb.received()));
        write(sb, "and back");
        assertEquals("and back", readLine(sa, sa.received()));
        assertEquals(1, server.stats().totalRelays());
    }

    @Test
    void shouldRefuseToHandOverSocketsFromEpollLoops() {
        assumeTrue(Epoll.isAvailable(), "no native epoll transport here");
        io.netty.channel.EventLoopGroup epoll = new io.netty.channel.epoll.EpollEventLoopGroup(1);
        try {
            HolePunchClient client = client(b -> b.eventLoopGroup(epoll));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> client.connectSocket("epoll:0:1", "0", "1", DEADLINE));
            assertTrue(e.getMessage().contains("connectSocket") && e.getMessage().contains("NioEventLoopGroup"), e.getMessage());
        } finally {
            epoll.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void shouldFailASocketAttemptWhenTheClientCloses() {
        HolePunchClient client = client(b -> { });
        CompletableFuture<PunchedSocket> a = client.connectSocket("closing:0:1", "0", "1", DEADLINE);
        client.close();
        CompletionException e = assertThrows(CompletionException.class, a::join);
        PunchException p = assertInstanceOf(PunchException.class, e.getCause());
        assertEquals(PunchException.Reason.CLOSED, p.reason(), p.getMessage());
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
    void shouldReportAnUnreachableServerWithItsCauseAfterTheRetriesNotAtTheDeadline() throws Exception {
        int unused;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            unused = s.getLocalPort(); // nothing listens there once it closes: connections are refused
        }
        int port = unused;
        HolePunchClient client = HolePunchClient.builder()
                .server(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
                .serverRetryTimeout(Duration.ofMillis(1500)).build();
        closeables.add(client);
        long t0 = System.nanoTime();
        CompletionException e = assertThrows(CompletionException.class,
                () -> client.connectSocket("nobody:0:1", "0", "1", DEADLINE).join());
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        PunchException p = assertInstanceOf(PunchException.class, e.getCause());
        assertEquals(PunchException.Reason.SERVER_UNREACHABLE, p.reason(), p.getMessage());
        assertTrue(p.retryable());
        assertTrue(p.getMessage().contains("Connection refused") && p.getMessage().contains(":" + port)
                && p.getMessage().contains("1500 ms"), p.getMessage());
        // retried (100, 200, 400, 800 ms back-off) for about the retry timeout, far from the 20 s deadline
        assertTrue(ms >= 600 && ms < 4_000, "failed after " + ms + " ms");
    }

    @Test
    void shouldRetryThroughARestartOfTheServerWithinTheDeadline() throws Exception {
        int port = server.port();
        HolePunchClient first = client(b -> b.serverRetryTimeout(Duration.ofSeconds(10)));
        CompletableFuture<PunchedSocket> a = first.connectSocket("restart:0:1", "0", "1", DEADLINE);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.stats().pendingRegistrations() != 1 && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertEquals(1, server.stats().pendingRegistrations(), "registered before the restart");
        server.close(); // the waiting registration is gone with it
        Thread.sleep(300); // down for a moment: connections are refused meanwhile
        assertFalse(a.isDone(), "still retrying while the server is down");
        server = RendezvousServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(port).insecure(true)
                .build().start();
        HolePunchClient second = client(b -> { });
        PunchedSocket b = second.connectSocket("restart:0:1", "1", "0", DEADLINE).get(15, TimeUnit.SECONDS);
        PunchedSocket s = a.get(15, TimeUnit.SECONDS);
        s.socket().close();
        b.socket().close();
    }

    @Test
    void shouldRetryAFullServerForTheRetryTimeoutThenSaySo() throws Exception {
        RendezvousServer full = RendezvousServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0)
                .insecure(true).maxPendingPerAddress(1).build().start();
        closeables.add(full);
        HolePunchClient client = HolePunchClient.builder()
                .server(new InetSocketAddress(InetAddress.getLoopbackAddress(), full.port()))
                .serverRetryTimeout(Duration.ofMillis(1500)).build();
        closeables.add(client);
        CompletableFuture<PunchedSocket> holder = client.connectSocket("full:0:1", "0", "1", DEADLINE);
        // The server is full only once the first registration is pending there; before that the second would fit.
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (full.stats().pendingRegistrations() != 1 && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertEquals(1, full.stats().pendingRegistrations(), "the first registration is pending");
        long t0 = System.nanoTime();
        CompletionException e = assertThrows(CompletionException.class,
                () -> client.connectSocket("full:0:2", "0", "2", DEADLINE).join());
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        PunchException p = assertInstanceOf(PunchException.class, e.getCause());
        assertEquals(PunchException.Reason.BUSY, p.reason(), p.getMessage());
        assertTrue(p.getMessage().contains("SERVER_FULL"), p.getMessage());
        // SERVER_FULL follows REGISTERED: that acknowledgement must not restart the run of retries
        assertTrue(ms >= 600 && ms < 4_000, "failed after " + ms + " ms (retry timeout 1500 ms, deadline 20 s)");
        assertFalse(holder.isDone());
        holder.cancel(false);
    }

    @Test
    void shouldRefuseADuplicateRegistrationAtOnceWithItsOwnReason() {
        HolePunchClient client = client(b -> { });
        CompletableFuture<PunchedSocket> holder = client.connectSocket("dup:0:1", "0", "1", DEADLINE);
        long t0 = System.nanoTime();
        CompletionException e = assertThrows(CompletionException.class,
                () -> {
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (server.stats().pendingRegistrations() != 1 && System.nanoTime() < end) {
                        Thread.onSpinWait();
                    }
                    client.connectSocket("dup:0:1", "0", "1", DEADLINE).join();
                });
        PunchException p = assertInstanceOf(PunchException.class, e.getCause());
        assertEquals(PunchException.Reason.DUPLICATE_REGISTRATION, p.reason(), p.getMessage());
        assertFalse(p.retryable());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
        assertFalse(holder.isDone(), "the first registration keeps waiting");
        holder.cancel(false);
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
