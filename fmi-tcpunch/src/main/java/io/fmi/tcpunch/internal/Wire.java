package io.fmi.tcpunch.internal;

import io.netty.buffer.ByteBuf;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * Constants and field codecs of the rendezvous wire protocol, version 1 ({@code docs/protocol.md}).
 *
 * <p>Every frame starts with the same 6-byte header; all integers are big-endian:
 * <pre>
 *  0      1      2         3        4      5
 * +------+------+---------+--------+------+------+=================+
 * | 0xFE | 0x50 | version | type   | payload len |  payload ...    |
 * +------+------+---------+--------+------+------+=================+
 *   magic "\xFEP"   = 1     see TYPE_*   uint16      len bytes
 * </pre>
 * 0xFE never occurs in UTF-8 text, so the first byte alone tells a framed client from a C++
 * TCPunch client, which opens with its raw pairing name.
 *
 * <p>Field encodings shared by several frames:
 * <pre>
 * string   : len (uint8) | UTF-8 bytes
 * endpoint : family (uint8: 4 or 6) | address (4 or 16 bytes) | port (uint16)
 * </pre>
 */
public final class Wire {

    public static final int MAGIC = 0xFE50;
    public static final int MAGIC_FIRST_BYTE = 0xFE;
    public static final byte VERSION = 1;
    public static final int HEADER_LENGTH = 6;
    public static final int LENGTH_FIELD_OFFSET = 4;
    public static final int LENGTH_FIELD_LENGTH = 2;
    /** Largest payload any frame of version 1 may carry. */
    public static final int MAX_PAYLOAD_LENGTH = 1024;
    public static final int MAX_FRAME_LENGTH = HEADER_LENGTH + MAX_PAYLOAD_LENGTH;

    public static final int NONCE_LENGTH = 16;
    public static final int MAC_LENGTH = 32;
    public static final int TOKEN_LENGTH = 16;
    public static final int MAX_STRING_BYTES = 255;
    public static final int MAX_PRIVATE_ENDPOINTS = 8;

    // client -> server
    public static final byte TYPE_REGISTER = 0x01;
    public static final byte TYPE_PROBE = 0x03;
    public static final byte TYPE_RELAY = 0x06;
    // server -> client
    public static final byte TYPE_REGISTERED = 0x02;
    public static final byte TYPE_OBSERVED = 0x04;
    public static final byte TYPE_PEER = 0x05;
    public static final byte TYPE_RELAY_READY = 0x07;
    public static final byte TYPE_ERROR = 0x0F;
    // peer <-> peer (punched or relayed connection)
    public static final byte TYPE_HELLO = 0x20;
    public static final byte TYPE_PROOF = 0x21;
    public static final byte TYPE_SELECT = 0x22;

    /** Peer id meaning "whoever else registers this name with this peer id" (the CLI probe uses it). */
    public static final String ANY_PEER = "*";
    /** Request flag: the frame ends with a 32-byte HMAC-SHA256. */
    public static final int FLAG_MAC = 0x01;
    /** REGISTER flag: the client saw two different public ports for one local port (symmetric NAT). */
    public static final int NAT_SYMMETRIC = 0x01;

    private Wire() {
    }

    public static String typeName(int type) {
        switch (type) {
            case TYPE_REGISTER: return "REGISTER";
            case TYPE_REGISTERED: return "REGISTERED";
            case TYPE_PROBE: return "PROBE";
            case TYPE_OBSERVED: return "OBSERVED";
            case TYPE_PEER: return "PEER";
            case TYPE_RELAY: return "RELAY";
            case TYPE_RELAY_READY: return "RELAY_READY";
            case TYPE_ERROR: return "ERROR";
            case TYPE_HELLO: return "HELLO";
            case TYPE_PROOF: return "PROOF";
            case TYPE_SELECT: return "SELECT";
            default: return String.format("0x%02X", type & 0xFF);
        }
    }

    /** Writes a header whose length field is patched by {@link #finishFrame}. Returns the frame start index. */
    public static int startFrame(ByteBuf out, byte type) {
        int start = out.writerIndex();
        out.writeShort(MAGIC).writeByte(VERSION).writeByte(type).writeShort(0);
        return start;
    }

    public static void finishFrame(ByteBuf out, int start) {
        int payload = out.writerIndex() - start - HEADER_LENGTH;
        if (payload > MAX_PAYLOAD_LENGTH) {
            throw new IllegalArgumentException(
                    "payload length: " + payload + " (expected: <= " + MAX_PAYLOAD_LENGTH + ")");
        }
        out.setShort(start + LENGTH_FIELD_OFFSET, payload);
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static void writeString(ByteBuf out, String s, String what) {
        byte[] b = utf8(s);
        if (b.length > MAX_STRING_BYTES) {
            throw new IllegalArgumentException(
                    what + " length: " + b.length + " bytes (expected: <= " + MAX_STRING_BYTES + ")");
        }
        out.writeByte(b.length).writeBytes(b);
    }

    public static String readString(ByteBuf in, String what, int maxBytes) {
        int len = readUnsignedByte(in, what + " length");
        if (len == 0 || len > maxBytes) {
            throw new ProtocolException(ErrorCode.MALFORMED,
                    what + " length: " + len + " (expected: 1.." + maxBytes + ")");
        }
        need(in, len, what);
        String s = in.readCharSequence(len, StandardCharsets.UTF_8).toString();
        if (s.indexOf('\uFFFD') >= 0) {
            throw new ProtocolException(ErrorCode.MALFORMED, what + " is not valid UTF-8");
        }
        return s;
    }

    public static void writeEndpoint(ByteBuf out, InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("endpoint: " + a + " (expected: a resolved address)");
        }
        byte[] raw = ip.getAddress();
        out.writeByte(raw.length == 4 ? 4 : 6).writeBytes(raw).writeShort(a.getPort());
    }

    public static InetSocketAddress readEndpoint(ByteBuf in, String what) {
        int family = readUnsignedByte(in, what + " family");
        int len;
        if (family == 4) {
            len = 4;
        } else if (family == 6) {
            len = 16;
        } else {
            throw new ProtocolException(ErrorCode.MALFORMED,
                    what + " family: " + family + " (expected: 4 or 6)");
        }
        need(in, len + 2, what);
        byte[] raw = new byte[len];
        in.readBytes(raw);
        int port = in.readUnsignedShort();
        try {
            // an IPv4-mapped IPv6 address comes back as IPv4, which is what it is
            return new InetSocketAddress(InetAddress.getByAddress(raw), port);
        } catch (UnknownHostException e) {
            throw new ProtocolException(ErrorCode.MALFORMED, what + ": bad address", e);
        }
    }

    public static boolean isIpv6(InetSocketAddress a) {
        return a.getAddress() instanceof Inet6Address;
    }

    public static byte[] readBytes(ByteBuf in, int len, String what) {
        need(in, len, what);
        byte[] b = new byte[len];
        in.readBytes(b);
        return b;
    }

    public static int readUnsignedByte(ByteBuf in, String what) {
        need(in, 1, what);
        return in.readUnsignedByte();
    }

    public static void need(ByteBuf in, int len, String what) {
        if (in.readableBytes() < len) {
            throw new ProtocolException(ErrorCode.MALFORMED,
                    what + ": " + in.readableBytes() + " bytes left (expected: >= " + len + ")");
        }
    }

    /** Hex of a short token, for logs (tokens are not secrets; they are never used alone as a key). */
    public static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length * 2);
        for (byte x : b) {
            sb.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
        }
        return sb.toString();
    }
}
