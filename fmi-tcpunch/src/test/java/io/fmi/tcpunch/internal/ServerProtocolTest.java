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

    /** A connection from {@code ip} that sent REGISTER for {@code name} as "0" waiting for "1". */
    private static Conn registerFrom(ServerHarness s, String ip, int port, String name, int seed) {
        Conn c = s.connect(ip, port);
        c.writeInbound(frame(register(name, "0", "1", now(), nonce(seed), null), null));
        return c;
    }

    @Test
    void shouldCapPendingRegistrationsPerSourceAddressAndNotOthers() {
        ServerHarness s = new ServerHarness(ServerHarness.limits(null, Duration.ofSeconds(60), 100, 2, 100, 100));
        Conn[] flood = new Conn[3];
        for (int i = 0; i < flood.length; i++) {
            flood[i] = registerFrom(s, "203.0.113.1", 5000 + i, "flood" + i, i);
            assertInstanceOf(Message.Registered.class, flood[i].readMessage());
        }
        Message.Error e = assertInstanceOf(Message.Error.class, flood[2].readMessage());
        assertEquals(ErrorCode.SERVER_FULL, e.code());
        assertTrue(e.text().contains("from 203.0.113.1: 2") && e.text().contains("maxPendingPerAddress")
                && e.text().contains("--max-pending-per-address"), e.text());
        assertEquals(2, s.core.pendingRegistrations(new InetSocketAddress("203.0.113.1", 0).getAddress()));

        Conn other = registerFrom(s, "198.51.100.7", 6000, "fine", 9);
        assertInstanceOf(Message.Registered.class, other.readMessage());
        assertNull(other.readMessage(), "another address is not limited");

        flood[0].close(); // a slot of the address comes back when one of its registrations goes
        Conn again = registerFrom(s, "203.0.113.1", 5009, "flood9", 19);
        assertInstanceOf(Message.Registered.class, again.readMessage());
        assertNull(again.readMessage());
        assertEquals(1, s.core.stats().totalLimited());
        for (Conn c : new Conn[] {flood[0], flood[1], flood[2], other, again}) {
            c.finishAndReleaseAll();
        }
    }

    @Test
    void shouldCountAnIpv6Slash64AsOneSource() {
        ServerHarness s = new ServerHarness(ServerHarness.limits(null, Duration.ofSeconds(60), 100, 1, 100, 100));
        Conn a = registerFrom(s, "2001:db8:0:7::1", 5000, "v6a", 1);
        Conn sameNet = registerFrom(s, "2001:db8:0:7:ffff::2", 5001, "v6b", 2);
        Conn otherNet = registerFrom(s, "2001:db8:0:8::1", 5002, "v6c", 3);
        assertInstanceOf(Message.Registered.class, a.readMessage());
        assertNull(a.readMessage());
        sameNet.readMessage();
        Message.Error e = assertInstanceOf(Message.Error.class, sameNet.readMessage());
        assertTrue(e.text().contains("2001:db8:0:7:0:0:0:0/64"), e.text());
        assertInstanceOf(Message.Registered.class, otherNet.readMessage());
        assertNull(otherNet.readMessage());
        for (Conn c : new Conn[] {a, sameNet, otherNet}) {
            c.finishAndReleaseAll();
        }
    }

    @Test
    void shouldCloseConnectionsBeyondThePerAddressAndTotalLimitsAtOnce() {
        ServerHarness s = new ServerHarness(ServerHarness.limits(null, Duration.ofSeconds(60), 100, 100, 3, 2));
        Conn a1 = s.connect("203.0.113.1", 5001);
        Conn a2 = s.connect("203.0.113.1", 5002);
        Conn a3 = s.connect("203.0.113.1", 5003);
        assertTrue(a1.isOpen() && a2.isOpen());
        assertFalse(a3.isOpen(), "third connection of one address: closed at once");
        assertNull(a3.readMessage(), "closed without a frame: the protocol is not known yet");
        Conn b1 = s.connect("198.51.100.7", 6001);
        assertTrue(b1.isOpen(), "another address still connects");
        Conn b2 = s.connect("198.51.100.7", 6002);
        assertFalse(b2.isOpen(), "fourth connection in all: over the total of 3");
        assertEquals(3, s.core.stats().openConnections());
        assertEquals(2, s.core.openConnections(new InetSocketAddress("203.0.113.1", 0).getAddress()));
        a1.close();
        Conn a4 = s.connect("203.0.113.1", 5004);
        assertTrue(a4.isOpen(), "the address got its slot back");
        assertEquals(2, s.core.stats().totalLimited());
        for (Conn c : new Conn[] {a1, a2, a3, a4, b1, b2}) {
            c.finishAndReleaseAll();
        }
    }

    @Test
    void shouldRejectBadMagicAtTheFirstBytes() {
        ServerHarness s = new ServerHarness(new ServerConfig(null, Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(1), Duration.ofSeconds(1), 10, 10, 10, 10, 10, 10, 200, 64, false));
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
