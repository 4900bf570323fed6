package io.fmi.tcpunch.internal;

import static io.fmi.tcpunch.internal.ServerHarness.frame;
import static io.fmi.tcpunch.internal.ServerHarness.nonce;
import static io.fmi.tcpunch.internal.ServerHarness.register;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.tcpunch.internal.ServerHarness.Conn;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The server's connection handling, driven through EmbeddedChannel without sockets. */
@Timeout(10)
class ServerProtocolTest {
    private static final Hmac SECRET = new Hmac("s3cret".getBytes(StandardCharsets.UTF_8));

    private final ServerHarness server = new ServerHarness(ServerHarness.config(null, Duration.ofSeconds(60), 100));

    private static long now() {
        return System.currentTimeMillis();
    }

    private static void assertError(Conn c, ErrorCode code) {
        Message m = c.readMessage();
        Message.Error e = assertInstanceOf(Message.Error.class, m, "expected an ERROR frame");
        assertEquals(code, e.code(), e.text());
        assertFalse(c.isOpen(), "connection should be closed after " + code);
    }

    @Test
    void shouldAnswerRegisterWithTheObservedAddressAndPushBothPeersAtOnce() {
        Conn a = server.connect("203.0.113.1", 5001);
        Conn b = server.connect("203.0.113.2", 6001);
        a.writeInbound(frame(register("pair", "0", "1", now(), nonce(1), null), null));
        Message.Registered ra = assertInstanceOf(Message.Registered.class, a.readMessage());
        assertEquals(new InetSocketAddress("203.0.113.1", 5001), ra.observed());
        assertNull(a.readMessage(), "no PEER before the peer arrives");
        assertEquals(1, server.core.pendingRegistrations());

        b.writeInbound(frame(register("pair", "1", "0", now(), nonce(2), null), null));
        assertInstanceOf(Message.Registered.class, b.readMessage());
        Message.Peer pb = assertInstanceOf(Message.Peer.class, b.readMessage());
        Message.Peer pa = assertInstanceOf(Message.Peer.class, a.readMessage());
        assertEquals(new InetSocketAddress("203.0.113.1", 5001), pb.publicEndpoint());
        assertEquals(new InetSocketAddress("203.0.113.2", 6001), pa.publicEndpoint());
        assertEquals("0", pb.peerId());
        assertEquals("1", pa.peerId());
        assertEquals(1, pa.privateEndpoints().size());
        assertArrayEquals(pa.token(), pb.token());
        assertEquals(0, server.core.pendingRegistrations());
        a.finishAndReleaseAll();
        b.finishAndReleaseAll();
    }

    @Test
    void shouldServeIpv6Peers() {
        Conn a = server.connect("2001:db8::1", 5001);
        Conn b = server.connect("2001:db8::2", 5002);
        a.writeInbound(frame(register("v6", "a", "b", now(), nonce(1), null), null));
        b.writeInbound(frame(register("v6", "b", "a", now(), nonce(2), null), null));
        assertEquals(new InetSocketAddress("2001:db8::1", 5001),
                assertInstanceOf(Message.Registered.class, a.readMessage()).observed());
        assertInstanceOf(Message.Registered.class, b.readMessage());
        assertEquals(new InetSocketAddress("2001:db8::1", 5001),
                assertInstanceOf(Message.Peer.class, b.readMessage()).publicEndpoint());
        a.finishAndReleaseAll();
        b.finishAndReleaseAll();
    }

    @Test
    void shouldForgetAWaitingPeerWhoseConnectionClosed() {
        Conn dead = server.connect("203.0.113.1", 5001);
        dead.writeInbound(frame(register("n", "0", "1", now(), nonce(1), null), null));
        dead.readMessage();
        dead.close();
        assertEquals(0, server.core.pendingRegistrations());
        Conn b = server.connect("203.0.113.2", 6001);
        b.writeInbound(frame(register("n", "1", "0", now(), nonce(2), null), null));
        assertInstanceOf(Message.Registered.class, b.readMessage());
        assertNull(b.readMessage(), "must not be paired with the dead peer");
        b.finishAndReleaseAll();
        dead.finishAndReleaseAll();
    }

    @Test
    void shouldExpireRegistrations() {
        ServerHarness s = new ServerHarness(ServerHarness.config(null, Duration.ofMillis(100), 100));
        Conn a = s.connect("203.0.113.1", 5001);
        a.writeInbound(frame(register("late", "0", "1", now(), nonce(1), null), null));
        assertInstanceOf(Message.Registered.class, a.readMessage());
        a.advanceTimeBy(150, TimeUnit.MILLISECONDS);
        a.runScheduledPendingTasks();
        assertError(a, ErrorCode.EXPIRED);
        assertEquals(0, s.core.pendingRegistrations());
        assertEquals(1, s.core.stats().totalExpired());
        a.finishAndReleaseAll();
    }

    @Test
    void shouldCloseAClientThatSendsNothing() {
        Conn a = server.connect("203.0.113.1", 5001);
        a.advanceTimeBy(11, TimeUnit.SECONDS);
        a.runScheduledPendingTasks();
        assertError(a, ErrorCode.TOO_SLOW);
        a.finishAndReleaseAll();
    }

    @Test
    void shouldBoundPendingRegistrations() {
        ServerHarness s = new ServerHarness(ServerHarness.config(null, Duration.ofSeconds(60), 2));
        Conn[] c = new Conn[3];
        for (int i = 0; i < 3; i++) {
            c[i] = s.connect("203.0.113.1", 5000 + i);
            c[i].writeInbound(frame(register("n" + i, "0", "1", now(), nonce(i), null), null));
        }
        assertInstanceOf(Message.Registered.class, c[0].readMessage());
        assertInstanceOf(Message.Registered.class, c[1].readMessage());
        c[2].readMessage(); // REGISTERED goes out first, then the refusal
        assertError(c[2], ErrorCode.SERVER_FULL);
        assertEquals(2, s.core.pendingRegistrations());
        for (Conn x : c) {
            x.finishAndReleaseAll();
        }
    }

    @Test
    void shouldRefuseANameHeldByAnotherPair() {
        Conn a = server.connect("203.0.113.1", 5001);
        a.writeInbound(frame(register("taken", "0", "1", now(), nonce(1), null), null));
        a.readMessage();
        Conn thief = server.connect("198.51.100.9", 7000);
        thief.writeInbound(frame(register("taken", "7", "0", now(), nonce(2), null), null));
        thief.readMessage();
        assertError(thief, ErrorCode.NAME_IN_USE);
        assertTrue(a.isOpen());
        a.finishAndReleaseAll();
        thief.finishAndReleaseAll();
    }

    @Test
    void shouldRefuseASecondRegistrationOfTheSameNameAndSelfIdAndKeepTheFirstPaired() {
        Conn first = server.connect("203.0.113.1", 5001);
        first.writeInbound(frame(register("victim/0:0:1", "1", "0", now(), nonce(1), null), null));
        assertInstanceOf(Message.Registered.class, first.readMessage());
        // the same name and self id, with the same peer id, another peer id, or any peer
        String[] peerIds = {"0", "2", Wire.ANY_PEER};
        for (int i = 0; i < peerIds.length; i++) {
            Conn dup = server.connect("198.51.100.9", 7000 + i);
            dup.writeInbound(frame(register("victim/0:0:1", "1", peerIds[i], now(), nonce(10 + i), null), null));
            dup.readMessage(); // REGISTERED goes out first, then the refusal
            Message.Error e = assertInstanceOf(Message.Error.class, dup.readMessage());
            assertEquals(ErrorCode.DUPLICATE_REGISTRATION, e.code(), e.text());
            assertTrue(e.text().contains("'victim/0:0:1'") && e.text().contains("self id '1'")
                    && e.text().contains("already registered by another peer"), e.text());
            assertFalse(dup.isOpen());
            assertTrue(first.isOpen(), "the first registration keeps its place");
            assertNull(first.readMessage(), "the first registration is told nothing");
            dup.finishAndReleaseAll();
        }
        assertEquals(1, server.core.pendingRegistrations());

        Conn peer = server.connect("203.0.113.2", 6001);
        peer.writeInbound(frame(register("victim/0:0:1", "0", "1", now(), nonce(20), null), null));
        assertInstanceOf(Message.Registered.class, peer.readMessage());
        Message.Peer toPeer = assertInstanceOf(Message.Peer.class, peer.readMessage());
        assertEquals(new InetSocketAddress("203.0.113.1", 5001), toPeer.publicEndpoint());
        assertEquals(new InetSocketAddress("203.0.113.2", 6001),
                assertInstanceOf(Message.Peer.class, first.readMessage()).publicEndpoint());
        first.finishAndReleaseAll();
        peer.finishAndReleaseAll();
    }

    @Test
    void shouldAcceptTheSameNameAndSelfIdAgainOnceTheHolderIsGone() {
        Conn old = server.connect("203.0.113.1", 5001);
        old.writeInbound(frame(register("r", "0", "1", now(), nonce(1), null), null));
        old.readMessage();
        old.close();
        Conn fresh = server.connect("203.0.113.1", 5002);
        fresh.writeInbound(frame(register("r", "0", "1", now(), nonce(2), null), null));
        assertInstanceOf(Message.Registered.class, fresh.readMessage());
        assertNull(fresh.readMessage(), "no refusal once the old connection closed");
        assertTrue(fresh.isOpen());
        assertEquals(1, server.core.pendingRegistrations());
        old.finishAndReleaseAll();
        fresh.finishAndReleaseAll();
    }

    @Test
    void shouldRejectBadMagicAtTheFirstBytes() {
        ServerHarness s = new ServerHarness(new ServerConfig(null, Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(1), Duration.ofSeconds(1), 10, 10, 10, 10, 200, 64, false));
        Conn a = s.connect("203.0.113.1", 5001);
        a.writeInbound(Unpooled.wrappedBuffer(new byte[] {'G', 'E', 'T', ' '}));
        assertError(a, ErrorCode.MALFORMED);
        Conn b = s.connect("203.0.113.1", 5002);
        b.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0xFE, 0x51}));
        assertError(b, ErrorCode.MALFORMED);
        a.finishAndReleaseAll();
        b.finishAndReleaseAll();
    }

    @Test
    void shouldRejectAnUnknownVersion() {
        Conn a = server.connect("203.0.113.1", 5001);
        a.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0xFE, 0x50, 2, 1, 0, 0}));
        assertError(a, ErrorCode.UNSUPPORTED_VERSION);
        a.finishAndReleaseAll();
    }

    @Test
    void shouldRejectAnOversizeFrameWithoutWaitingForIt() {
        Conn a = server.connect("203.0.113.1", 5001);
        a.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0xFE, 0x50, 1, 1, (byte) 0xFF, (byte) 0xFF}));
        assertError(a, ErrorCode.MALFORMED);
        a.finishAndReleaseAll();
    }

    @Test
    void shouldRejectTrailingBytesAndTruncatedFields() {
        ByteBuf f = frame(register("x", "0", "1", now(), nonce(1), null), null);
        ByteBuf longer = Unpooled.buffer().writeBytes(f, 0, f.readableBytes()).writeByte(0);
        longer.setShort(4, longer.readableBytes() - Wire.HEADER_LENGTH);
        Conn a = server.connect("203.0.113.1", 5001);
        a.writeInbound(longer);
        assertError(a, ErrorCode.MALFORMED);
        ByteBuf shorter = Unpooled.buffer().writeBytes(f, 0, f.readableBytes() - 3);
        shorter.setShort(4, shorter.readableBytes() - Wire.HEADER_LENGTH);
        Conn b = server.connect("203.0.113.1", 5002);
        b.writeInbound(shorter);
        assertError(b, ErrorCode.MALFORMED);
        f.release();
        a.finishAndReleaseAll();
        b.finishAndReleaseAll();
    }

    @Test
    void shouldCloseAClientThatKeepsSendingAfterRegistering() {
        Conn a = server.connect("203.0.113.1", 5001);
        a.writeInbound(frame(register("f", "0", "1", now(), nonce(1), null), null));
        a.readMessage();
        a.writeInbound(frame(register("f", "0", "1", now(), nonce(2), null), null));
        assertError(a, ErrorCode.UNEXPECTED_FRAME);
        assertEquals(0, server.core.pendingRegistrations());
        a.finishAndReleaseAll();
    }

    @Test
    void shouldLimitProbesPerConnection() {
        Conn a = server.connect("203.0.113.1", 5001);
        for (int i = 0; i < ServerConnectionHandler.MAX_PROBES; i++) {
            a.writeInbound(frame(new Message.Probe(new Message.Auth(0, now(), nonce(i))), null));
            assertEquals(new InetSocketAddress("203.0.113.1", 5001),
                    assertInstanceOf(Message.Observed.class, a.readMessage()).observed());
        }
        a.writeInbound(frame(new Message.Probe(new Message.Auth(0, now(), nonce(9))), null));
        assertError(a, ErrorCode.UNEXPECTED_FRAME);
        a.finishAndReleaseAll();
    }

    @Test
    void shouldAcceptASignedRequestOnceAndRefuseItsReplay() {
        ServerHarness s = new ServerHarness(ServerHarness.config(SECRET, Duration.ofSeconds(60), 100));
        ByteBuf signed = frame(register("auth", "0", "1", now(), nonce(1), SECRET), SECRET);
        Conn a = s.connect("203.0.113.1", 5001);
        a.writeInbound(signed.retainedDuplicate());
        assertInstanceOf(Message.Registered.class, a.readMessage());
        Conn replay = s.connect("198.51.100.9", 7000);
        replay.writeInbound(signed);
        assertError(replay, ErrorCode.REPLAYED);
        a.finishAndReleaseAll();
        replay.finishAndReleaseAll();
    }

    @Test
    void shouldRefuseUnsignedWronglySignedAndStaleRequests() {
        ServerHarness s = new ServerHarness(ServerHarness.config(SECRET, Duration.ofSeconds(60), 100));
        Conn unsigned = s.connect("203.0.113.1", 5001);
        unsigned.writeInbound(frame(register("auth", "0", "1", now(), nonce(1), null), null));
        assertError(unsigned, ErrorCode.AUTH_FAILED);

        Hmac other = new Hmac("other".getBytes(StandardCharsets.UTF_8));
        Conn wrong = s.connect("203.0.113.1", 5002);
        wrong.writeInbound(frame(register("auth", "0", "1", now(), nonce(2), other), other));
        assertError(wrong, ErrorCode.AUTH_FAILED);

        ByteBuf tampered = frame(register("auth", "0", "1", now(), nonce(3), SECRET), SECRET);
        tampered.setByte(Wire.HEADER_LENGTH + 1 + 8 + Wire.NONCE_LENGTH + 1, 'X');
        Conn t = s.connect("203.0.113.1", 5003);
        t.writeInbound(tampered);
        assertError(t, ErrorCode.AUTH_FAILED);

        Conn stale = s.connect("203.0.113.1", 5004);
        stale.writeInbound(frame(register("auth", "0", "1", now() - 120_000, nonce(4), SECRET), SECRET));
        assertError(stale, ErrorCode.REPLAYED);
        assertEquals(0, s.core.pendingRegistrations());
        for (Conn c : new Conn[] {unsigned, wrong, t, stale}) {
            c.finishAndReleaseAll();
        }
    }

    @Test
    void shouldServeUnmodifiedTcpunchClients() {
        Conn a = server.connect("203.0.113.1", 5001);
        Conn b = server.connect("203.0.113.2", 6001);
        a.writeInbound(Unpooled.copiedBuffer("cpp-pair", StandardCharsets.US_ASCII));
        a.pipeline().fireChannelReadComplete();
        ByteBuf own = a.readFrame();
        assertArrayEquals(new byte[] {(byte) 203, 0, 113, 1, 0x13, (byte) 0x89, 0, 0}, bytes(own));
        b.writeInbound(Unpooled.copiedBuffer("cpp-pair", StandardCharsets.US_ASCII));
        b.pipeline().fireChannelReadComplete();
        assertArrayEquals(new byte[] {(byte) 203, 0, 113, 2, 0x17, 0x71, 0, 0}, bytes(b.readFrame()));
        assertArrayEquals(new byte[] {(byte) 203, 0, 113, 1, 0x13, (byte) 0x89, 0, 0}, bytes(b.readFrame()));
        assertArrayEquals(new byte[] {(byte) 203, 0, 113, 2, 0x17, 0x71, 0, 0}, bytes(a.readFrame()));
        assertEquals(1, server.core.stats().totalLegacyPairings());
        a.finishAndReleaseAll();
        b.finishAndReleaseAll();
    }

    private static byte[] bytes(ByteBuf b) {
        try {
            byte[] r = new byte[b.readableBytes()];
            b.readBytes(r);
            return r;
        } finally {
            b.release();
        }
    }
}
