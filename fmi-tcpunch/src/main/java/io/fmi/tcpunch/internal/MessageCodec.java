package io.fmi.tcpunch.internal;

import static io.fmi.tcpunch.internal.Wire.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Encodes and decodes whole frames (header included) of protocol version 1. Stateless and
 * thread-safe; the framing itself is {@link FrameDecoder}'s job.
 *
 * <p>Payloads, after the 6-byte header ({@link Wire}):
 * <pre>
 * request preamble (REGISTER, PROBE, RELAY):
 *   flags (1) | timestamp ms since epoch (8, int64) | nonce (16) | ...body... | [HMAC-SHA256 (32) if flags&amp;1]
 *
 * REGISTER    preamble | name (string) | self id (string) | peer id (string) | nat flags (1)
 *                      | count (1, 0..8) | count x endpoint | [mac]
 * PROBE       preamble | [mac]
 * RELAY       preamble | token (16) | self id (string) | [mac]
 * REGISTERED  observed endpoint | ttl ms (4, uint32)
 * OBSERVED    observed endpoint | probe port (2, uint16; 0 = none)
 * PEER        token (16) | peer nat flags (1) | peer id (string) | peer public endpoint | count (1) | count x endpoint
 * RELAY_READY (empty)
 * ERROR       code (2) | text length (2) | UTF-8 text
 * HELLO       name (string) | from id (string) | to id (string) | nonce (16)
 * PROOF       HMAC-SHA256 (32)
 * SELECT      (empty)
 * </pre>
 */
public final class MessageCodec {

    /** Longest ERROR text sent; longer texts are cut. */
    public static final int MAX_ERROR_TEXT_BYTES = 512;

    private MessageCodec() {
    }

    // ---------------------------------------------------------------- decode

    /**
     * Decodes one frame from {@code frame}'s readable bytes without moving its reader index.
     *
     * @throws ProtocolException if the bytes are not exactly one well-formed frame
     */
    public static Message decode(ByteBuf frame) {
        ByteBuf in = frame.duplicate();
        need(in, HEADER_LENGTH, "header");
        int magic = in.readUnsignedShort();
        if (magic != MAGIC) {
            throw new ProtocolException(ErrorCode.MALFORMED,
                    String.format("magic: 0x%04X (expected: 0x%04X)", magic, MAGIC));
        }
        int version = in.readUnsignedByte();
        if (version != VERSION) {
            throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION,
                    "version: " + version + " (expected: " + VERSION + ")");
        }
        byte type = in.readByte();
        int len = in.readUnsignedShort();
        if (len != in.readableBytes()) {
            throw new ProtocolException(ErrorCode.MALFORMED,
                    "payload length: " + len + " (expected: " + in.readableBytes() + ", the bytes in the frame)");
        }
        Message m;
        switch (type) {
            case TYPE_REGISTER:
            case TYPE_PROBE:
            case TYPE_RELAY:
                m = decodeRequest(type, in);
                break;
            case TYPE_REGISTERED:
                m = new Message.Registered(readEndpoint(in, "observed endpoint"), readTtl(in));
                break;
            case TYPE_OBSERVED:
                m = new Message.Observed(readEndpoint(in, "observed endpoint"), readPort(in));
                break;
            case TYPE_PEER:
                m = new Message.Peer(readBytes(in, TOKEN_LENGTH, "token"), readUnsignedByte(in, "nat flags"),
                        readString(in, "peer id", MAX_STRING_BYTES), readEndpoint(in, "peer public endpoint"), readEndpoints(in));
                break;
            case TYPE_RELAY_READY:
                m = new Message.RelayReady();
                break;
            case TYPE_ERROR:
                m = decodeError(in);
                break;
            case TYPE_HELLO:
                m = new Message.Hello(readString(in, "name", MAX_STRING_BYTES), readString(in, "from id", MAX_STRING_BYTES),
                        readString(in, "to id", MAX_STRING_BYTES), readBytes(in, NONCE_LENGTH, "nonce"));
                break;
            case TYPE_PROOF:
                m = new Message.Proof(readBytes(in, MAC_LENGTH, "proof"));
                break;
            case TYPE_SELECT:
                m = new Message.Select();
                break;
            default:
                throw new ProtocolException(ErrorCode.MALFORMED, "frame type: " + typeName(type)
                        + " (expected: one of the types of version " + VERSION + ")");
        }
        expectEnd(in, type);
        return m;
    }

    private static Message decodeRequest(byte type, ByteBuf in) {
        int flags = readUnsignedByte(in, "flags");
        if ((flags & ~FLAG_MAC) != 0) {
            throw new ProtocolException(ErrorCode.MALFORMED,
                    String.format("flags: 0x%02X (expected: only bit 0x%02X)", flags, FLAG_MAC));
        }
        need(in, 8 + NONCE_LENGTH, "request preamble");
        Message.Auth auth = new Message.Auth(flags, in.readLong(), readBytes(in, NONCE_LENGTH, "nonce"));
        if (auth.hasMac()) {
            need(in, MAC_LENGTH, "mac");
            // the body ends where the MAC begins; the MAC itself is checked by whoever holds the key
            ByteBuf body = in.readSlice(in.readableBytes() - MAC_LENGTH);
            Message m = decodeRequestBody(type, auth, body);
            expectEnd(body, type);
            in.skipBytes(MAC_LENGTH);
            return m;
        }
        return decodeRequestBody(type, auth, in);
    }

    private static Message decodeRequestBody(byte type, Message.Auth auth, ByteBuf in) {
        switch (type) {
            case TYPE_REGISTER:
                return new Message.Register(auth, readString(in, "name", MAX_STRING_BYTES),
                        readString(in, "self id", MAX_STRING_BYTES), readString(in, "peer id", MAX_STRING_BYTES),
                        readUnsignedByte(in, "nat flags"), readEndpoints(in));
            case TYPE_PROBE:
                return new Message.Probe(auth);
            default:
                return new Message.Relay(auth, readBytes(in, TOKEN_LENGTH, "token"),
                        readString(in, "self id", MAX_STRING_BYTES));
        }
    }

    private static int readPort(ByteBuf in) {
        need(in, 2, "probe port");
        return in.readUnsignedShort();
    }

    private static int readTtl(ByteBuf in) {
        need(in, 4, "ttl");
        long ttl = in.readUnsignedInt();
        return (int) Math.min(ttl, Integer.MAX_VALUE);
    }

    private static List<InetSocketAddress> readEndpoints(ByteBuf in) {
        int n = readUnsignedByte(in, "endpoint count");
        if (n > MAX_PRIVATE_ENDPOINTS) {
            throw new ProtocolException(ErrorCode.MALFORMED,
                    "endpoint count: " + n + " (expected: <= " + MAX_PRIVATE_ENDPOINTS + ")");
        }
        if (n == 0) {
            return Collections.emptyList();
        }
        List<InetSocketAddress> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(readEndpoint(in, "private endpoint " + i));
        }
        return Collections.unmodifiableList(list);
    }

    private static Message.Error decodeError(ByteBuf in) {
        need(in, 4, "error");
        int code = in.readUnsignedShort();
        int len = in.readUnsignedShort();
        need(in, len, "error text");
        String text = in.readCharSequence(len, StandardCharsets.UTF_8).toString();
        return new Message.Error(ErrorCode.of(code), code, text);
    }

    private static void expectEnd(ByteBuf in, byte type) {
        if (in.isReadable()) {
            throw new ProtocolException(ErrorCode.MALFORMED, typeName(type) + ": " + in.readableBytes()
                    + " trailing bytes (expected: 0)");
        }
    }

    // ---------------------------------------------------------------- encode

    /**
     * Encodes {@code m} as one frame. Requests are signed with {@code key} when it is not null; other
     * frames ignore it.
     */
    public static ByteBuf encode(ByteBufAllocator alloc, Message m, Hmac key) {
        ByteBuf out = alloc.buffer(128);
        try {
            encode(out, m, key);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    public static void encode(ByteBuf out, Message m, Hmac key) {
        int start;
        if (m instanceof Message.Request) {
            Message.Request r = (Message.Request) m;
            byte type = m instanceof Message.Register ? TYPE_REGISTER
                    : m instanceof Message.Probe ? TYPE_PROBE : TYPE_RELAY;
            start = startFrame(out, type);
            out.writeByte(key != null ? FLAG_MAC : 0).writeLong(r.auth().timestampMillis()).writeBytes(r.auth().nonce());
            if (m instanceof Message.Register) {
                Message.Register g = (Message.Register) m;
                writeString(out, g.name(), "name");
                writeString(out, g.selfId(), "self id");
                writeString(out, g.peerId(), "peer id");
                out.writeByte(g.natFlags());
                writeEndpoints(out, g.privateEndpoints());
            } else if (m instanceof Message.Relay) {
                Message.Relay relay = (Message.Relay) m;
                out.writeBytes(relay.token());
                writeString(out, relay.selfId(), "self id");
            }
            if (key != null) {
                // the length field is part of what is signed, so patch it before signing
                out.setShort(start + LENGTH_FIELD_OFFSET, out.writerIndex() - start - HEADER_LENGTH + MAC_LENGTH);
                key.sign(out, start);
            }
        } else if (m instanceof Message.Registered) {
            Message.Registered r = (Message.Registered) m;
            start = startFrame(out, TYPE_REGISTERED);
            writeEndpoint(out, r.observed());
            out.writeInt(r.ttlMillis());
        } else if (m instanceof Message.Observed) {
            Message.Observed o = (Message.Observed) m;
            start = startFrame(out, TYPE_OBSERVED);
            writeEndpoint(out, o.observed());
            out.writeShort(o.probePort());
        } else if (m instanceof Message.Peer) {
            Message.Peer p = (Message.Peer) m;
            start = startFrame(out, TYPE_PEER);
            out.writeBytes(p.token()).writeByte(p.natFlags());
            writeString(out, p.peerId(), "peer id");
            writeEndpoint(out, p.publicEndpoint());
            writeEndpoints(out, p.privateEndpoints());
        } else if (m instanceof Message.RelayReady) {
            start = startFrame(out, TYPE_RELAY_READY);
        } else if (m instanceof Message.Error) {
            Message.Error e = (Message.Error) m;
            start = startFrame(out, TYPE_ERROR);
            byte[] text = utf8(e.text());
            int len = Math.min(text.length, MAX_ERROR_TEXT_BYTES);
            out.writeShort(e.rawCode()).writeShort(len).writeBytes(text, 0, len);
        } else if (m instanceof Message.Hello) {
            Message.Hello h = (Message.Hello) m;
            start = startFrame(out, TYPE_HELLO);
            writeString(out, h.name(), "name");
            writeString(out, h.from(), "from id");
            writeString(out, h.to(), "to id");
            out.writeBytes(h.nonce());
        } else if (m instanceof Message.Proof) {
            start = startFrame(out, TYPE_PROOF);
            out.writeBytes(((Message.Proof) m).mac());
        } else if (m instanceof Message.Select) {
            start = startFrame(out, TYPE_SELECT);
        } else {
            throw new IllegalArgumentException("message: " + m + " (expected: a protocol version 1 frame)");
        }
        finishFrame(out, start);
    }

    private static void writeEndpoints(ByteBuf out, List<InetSocketAddress> endpoints) {
        if (endpoints.size() > MAX_PRIVATE_ENDPOINTS) {
            throw new IllegalArgumentException(
                    "endpoints: " + endpoints.size() + " (expected: <= " + MAX_PRIVATE_ENDPOINTS + ")");
        }
        out.writeByte(endpoints.size());
        for (InetSocketAddress a : endpoints) {
            writeEndpoint(out, a);
        }
    }
}
