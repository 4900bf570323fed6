package io.fmi.tcpunch.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Frame encoding and decoding without sockets. */
@Timeout(10)
class MessageCodecTest {
    private static final byte[] TOKEN = new byte[Wire.TOKEN_LENGTH];
    private static final byte[] NONCE = ServerHarness.nonce(42);

    private static Message roundTrip(Message m, Hmac key) {
        ByteBuf b = MessageCodec.encode(ByteBufAllocator.DEFAULT, m, key);
        try {
            assertEquals(b.readableBytes() - Wire.HEADER_LENGTH, b.getUnsignedShort(Wire.LENGTH_FIELD_OFFSET));
            return MessageCodec.decode(b);
        } finally {
            b.release();
        }
    }

    @Test
    void shouldRoundTripEveryFrameType() {
        Message.Auth auth = new Message.Auth(0, 1234567890123L, NONCE);
        List<InetSocketAddress> privates = List.of(new InetSocketAddress("10.1.2.3", 4000), new InetSocketAddress("fd00::5", 4000));
        Message.Register r = (Message.Register) roundTrip(new Message.Register(auth, "ñame", "3", "10", 1, privates), null);
        assertEquals("ñame", r.name());
        assertEquals(privates, r.privateEndpoints());
        assertTrue(r.symmetricNat());
        assertEquals(1234567890123L, r.auth().timestampMillis());
        assertArrayEquals(NONCE, r.auth().nonce());
        assertInstanceOf(Message.Probe.class, roundTrip(new Message.Probe(auth), null));
        Message.Relay relay = (Message.Relay) roundTrip(new Message.Relay(auth, TOKEN, "7"), null);
        assertEquals("7", relay.selfId());
        assertEquals(new InetSocketAddress("192.0.2.1", 65535),
                ((Message.Registered) roundTrip(new Message.Registered(new InetSocketAddress("192.0.2.1", 65535), 60000), null)).observed());
        Message.Observed o = (Message.Observed) roundTrip(new Message.Observed(new InetSocketAddress("2001:db8::1", 1), 10001), null);
        assertEquals(10001, o.probePort());
        Message.Peer p = (Message.Peer) roundTrip(new Message.Peer(TOKEN, 0, "9", new InetSocketAddress("192.0.2.1", 1), privates), null);
        assertEquals("9", p.peerId());
        assertEquals(privates, p.privateEndpoints());
        assertInstanceOf(Message.RelayReady.class, roundTrip(new Message.RelayReady(), null));
        Message.Error e = (Message.Error) roundTrip(new Message.Error(ErrorCode.NAME_IN_USE, "held"), null);
        assertEquals(ErrorCode.NAME_IN_USE, e.code());
        assertEquals("held", e.text());
        Message.Hello h = (Message.Hello) roundTrip(new Message.Hello("n", "a", "b", NONCE), null);
        assertEquals("b", h.to());
        assertInstanceOf(Message.Proof.class, roundTrip(new Message.Proof(new byte[Wire.MAC_LENGTH]), null));
        assertInstanceOf(Message.Select.class, roundTrip(new Message.Select(), null));
    }

    @Test
    void shouldSignRequestsSoThatTheTrailerVerifies() {
        Hmac key = new Hmac(new byte[] {1, 2, 3});
        ByteBuf b = MessageCodec.encode(ByteBufAllocator.DEFAULT,
                new Message.Probe(new Message.Auth(Wire.FLAG_MAC, 1L, NONCE)), key);
        try {
            assertTrue(key.verifyTrailer(b));
            assertTrue(((Message.Probe) MessageCodec.decode(b)).auth().hasMac());
            b.setByte(10, b.getByte(10) ^ 1);
            assertTrue(!key.verifyTrailer(b));
        } finally {
            b.release();
        }
    }

    @Test
    void shouldNameTheFieldAndTheExpectationInErrors() {
        ByteBuf b = Unpooled.wrappedBuffer(new byte[] {(byte) 0xFE, 0x50, 1, 0x02, 0, 3, 5, 1, 2});
        ProtocolException e = assertThrows(ProtocolException.class, () -> MessageCodec.decode(b));
        assertEquals("observed endpoint family: 5 (expected: 4 or 6)", e.getMessage());
        ByteBuf t = Unpooled.wrappedBuffer(new byte[] {(byte) 0xFE, 0x50, 1, 0x55, 0, 0});
        assertTrue(assertThrows(ProtocolException.class, () -> MessageCodec.decode(t)).getMessage().startsWith("frame type: 0x55"));
        ByteBuf len = Unpooled.wrappedBuffer(new byte[] {(byte) 0xFE, 0x50, 1, 0x07, 0, 4});
        assertEquals("payload length: 4 (expected: 0, the bytes in the frame)",
                assertThrows(ProtocolException.class, () -> MessageCodec.decode(len)).getMessage());
    }

    @Test
    void shouldRefuseOverlongFieldsWhenEncoding() {
        String longName = "x".repeat(256);
        assertThrows(IllegalArgumentException.class, () -> MessageCodec.encode(ByteBufAllocator.DEFAULT,
                new Message.Hello(longName, "a", "b", NONCE), null));
    }
}
