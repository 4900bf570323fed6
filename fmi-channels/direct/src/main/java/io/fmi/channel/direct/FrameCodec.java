package io.fmi.channel.direct;

import io.fmi.channel.Buf;
import io.fmi.channel.Mailbox;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The Direct channel's wire format, version {@value #VERSION}, in one place: its layout, its
 * encoder ({@link #putHeader}, {@link #preface}: static, no allocation per message) and its decoder
 * (an instance per connection, {@link #feed}). After fmi-tcpunch's handshake each direction of a
 * connection carries one preface, then frames. All integers are big-endian. {@code docs/protocol.md}
 * draws the same layout.
 *
 * <h2>Preface: version check, once per connection</h2>
 * <pre>
 *  0      1      2      3      4             6             8                          16           20           24
 * +------+------+------+------+-------------+-------------+--------------------------+------------+------------+
 * | 0xFD | 'F'  | 'M'  | 'D'  | version     | length      | features                 | rank       | size       |
 * |         magic               | uint16      | uint16      | int64, bit set           | int32      | int32      |
 * +------+------+------+------+-------------+-------------+--------------------------+------------+------------+
 *   never changes              | = 1         | = 24 (v1)   | = 0 (v1)                 | the sender | its communicator
 * </pre>
 * Each peer writes its preface as soon as it owns the socket, and its first frame only once the
 * other's preface has arrived and passed the checks below: no byte reaches an incompatible peer,
 * and no peer closes with the other's preface unread (on Linux that close is a reset, which throws
 * away what the closing peer had not sent yet). Bytes 0-7 keep this layout in every version: a receiver reads
 * them, and refuses a peer whose magic is missing (a Direct peer from before versions, which opens
 * with a frame) or whose version differs, naming both versions; the channel reports it as a
 * {@link io.fmi.ChannelException}. Then it checks the sender's rank and communicator size (a peer
 * configured with another size is refused the same way), and skips any bytes a later minor
 * revision appends ({@code length} up to {@value #MAX_PREFACE_BYTES}). A version-0 peer fails on our
 * preface too: it reads {@code 0xFD...} as a negative frame length and closes.
 *
 * <p>{@code features} is how a format grows without a version break: bit i set means "I speak
 * optional feature i". A peer may use a feature only when the other's preface set its bit, and
 * ignores bits it does not know. Version 1 defines none and sends 0. Reserved: bit 0 for the
 * rendezvous protocol of large messages (ANNOUNCE / CLEAR_TO_SEND below), bit 1 for heartbeats.
 *
 * <h2>Frame: one message or control signal</h2>
 * <pre>
 *  0            4      5      6      7      8                          16           20           24
 * +------------+------+------+------+------+--------------------------+------------+------------+==========+
 * | length     | type | flags| op   | rsvd | tag                      | context    | root       | payload  |
 * | int32      | uint8| uint8| uint8| uint8| int64                    | int32      | int32      | length B |
 * +------------+------+------+------+------+--------------------------+------------+------------+==========+
 * </pre>
 * <ul>
 * <li>{@code length}: payload bytes, {@code 0..max_message_bytes} for DATA and at most
 *     {@value #MAX_CONTROL_PAYLOAD} for the others; anything else closes the connection.</li>
 * <li>{@code type}: {@link #DATA} 1 (a message), {@link #BYE} 2 (the sender closes its communicator;
 *     empty), {@link #ABORT} 3 (the sender aborts; payload: the reason, UTF-8, never user data).
 *     Reserved: 4 ANNOUNCE and 5 CLEAR_TO_SEND for the rendezvous protocol of large messages (the
 *     sender announces tag, context and size; the payload follows as DATA once the receiver has
 *     posted a matching receive and said so), 6 HEARTBEAT for peer liveness. Version 1 refuses
 *     any other type.</li>
 * <li>{@code flags}, {@code rsvd}: 0 in version 1, which refuses anything else; for later
 *     features negotiated through the preface (e.g. "payload follows an ANNOUNCE").</li>
 * <li>{@code tag}: DATA: the operation's sequence number, {@code 0} point-to-point and
 *     {@code n >= 1} the collective numbered n (the same on every peer); matched with the source
 *     rank. 0 in control frames.</li>
 * <li>{@code op}, {@code root}: the collective the message belongs to ({@code op}: the
 *     operation's code, 0 = not stated) and its root rank, for detecting ranks that call
 *     different collectives or roots. Version 1 writes 0 and ignores both on receipt, so a sender
 *     may fill them without negotiation.</li>
 * <li>{@code context}: the communicator the frame belongs to on a connection shared by several
 *     (sub-communicators from {@code split} and {@code dup}); 0 = the communicator the connection
 *     was opened for. Version 1 has only that one and refuses any other.</li>
 * </ul>
 *
 * <h2>Decoding</h2>
 * One instance per connection, used by one thread at a time (the thread driving the channel's
 * I/O, {@link DirectIo}). A frame that lies whole in one read (every small message) is handed on
 * as a view of the read buffer: the receive matching copies it straight into the posted receive
 * buffer, no intermediate copy and no allocation. A DATA frame split across reads (every large
 * message) is streamed straight into the posted receive buffer when one is waiting
 * ({@link Sink#claim}), read by read, so it is copied once. Otherwise it is gathered into a staging
 * array kept per connection (grown to the largest message seen, never shrunk); a receive posted
 * while the frame is still arriving takes over from the staged part.
 */
final class FrameCodec {
    /** The preface's first four bytes, {@code 0xFD 'F' 'M' 'D'}: negative as an int32, so no frame length. */
    static final int MAGIC = 0xFD464D44;
    /** The version of the format this class speaks. */
    static final int VERSION = 1;
    /** Bytes of a version-1 preface. */
    static final int PREFACE_BYTES = 24;
    /** Largest preface a version-1 peer accepts (later revisions may append fields). */
    static final int MAX_PREFACE_BYTES = 1024;
    /** Optional features this implementation speaks (see the class comment): none in version 1. */
    static final long FEATURES = 0;
    /** Bytes of a frame header. */
    static final int HEADER_BYTES = 24;
    /** Frame type: a message. */
    static final byte DATA = 1;
    /** Frame type: the sender closes its communicator; empty payload. */
    static final byte BYE = 2;
    /** Frame type: the sender aborts; the payload is the reason in UTF-8. */
    static final byte ABORT = 3;
    /** Largest payload of a control frame (BYE, ABORT). */
    static final int MAX_CONTROL_PAYLOAD = 4096;

    /** The fixed part of any version's preface: magic, version, length. */
    private static final int PREFACE_HEAD_BYTES = 8;

    /** Where decoded frames go; called on the thread that feeds the decoder. */
    interface Sink {
        /** A DATA frame; {@code payload} is only valid during the call. */
        void onMessage(int src, long tag, ByteBuffer payload);

        /** A BYE ({@code abortReason} null) or ABORT frame: the peer says why it goes before it closes. */
        void onGoodbye(int src, String abortReason);

        /**
         * Claims the receive waiting for a message of exactly {@code length} bytes from {@code src}
         * with {@code tag}, for a frame whose payload is still arriving; null: none, stage it.
         */
        default Mailbox.Claim claim(int src, long tag, int length) {
            return null;
        }
    }

    // ---------------------------------------------------------------- encoding

    /**
     * Writes the header of a frame of version {@value #VERSION} at {@code dst}'s position (relative
     * puts, {@value #HEADER_BYTES} bytes); the payload follows it. No allocation.
     */
    static void putHeader(ByteBuffer dst, byte type, int length, long tag) {
        dst.putInt(length)
                .putInt(type << 24) // flags, op, rsvd: 0
                .putLong(tag)
                .putLong(0L); // context 0, root 0
    }

    /** This peer's preface: version {@value #VERSION}, {@link #FEATURES}, its rank and communicator size. */
    static ByteBuffer preface(int rank, int size) {
        return preface(VERSION, FEATURES, rank, size);
    }

    /** A preface of any version, with the version-1 layout after the fixed part (for tests of refusals). */
    static ByteBuffer preface(int version, long features, int rank, int size) {
        ByteBuffer b = ByteBuffer.allocate(PREFACE_BYTES);
        b.putInt(MAGIC).putShort((short) version).putShort((short) PREFACE_BYTES).putLong(features).putInt(rank).putInt(size);
        return b.flip();
    }

    /** The payload of a control frame: ABORT's reason, or BYE's empty text. */
    static ByteBuffer controlPayload(String reason) {
        return ByteBuffer.wrap(reason.getBytes(StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------- decoding

    private static final byte[] NONE = new byte[0];

    private final Sink sink;
    private final int peer;
    private final int size;
    private final int maxMessageBytes;

    private final byte[] preface = new byte[PREFACE_BYTES];
    private int prefaceFill;
    /** Bytes of the peer's preface still to skip (fields of a later revision); -1 until known. */
    private int prefaceSkip = -1;
    private boolean prefaceDone;
    private long peerFeatures;
    private boolean refused;

    private final byte[] header = new byte[HEADER_BYTES];
    private final ByteBuffer headerView = ByteBuffer.wrap(header);
    private int headerFill;
    private int bodyLength = -1;
    private byte bodyType;
    private long bodyTag;
    private byte[] staging = NONE;
    private int stagingFill;
    /** The posted receive the current frame's payload streams into, or null (staging). */
    private Mailbox.Claim claim;

    /**
     * A decoder for the connection to {@code peer}, of a communicator of {@code size} ranks, that
     * refuses DATA frames above {@code maxMessageBytes}.
     */
    FrameCodec(Sink sink, int peer, int size, int maxMessageBytes) {
        this.sink = sink;
        this.peer = peer;
        this.size = size;
        this.maxMessageBytes = maxMessageBytes;
    }

    /**
     * Consumes all of {@code in} (position to limit). Returns null, or a description of a protocol
     * error, after which the connection must close; {@link #refused()} then says whether the peer
     * speaks another version or belongs to another communicator, rather than sending bad bytes.
     */
    String feed(ByteBuffer in) {
        if (!prefaceDone) {
            String bad = readPreface(in);
            if (bad != null || !prefaceDone) {
                return bad;
            }
        }
        while (in.hasRemaining()) {
            if (bodyLength < 0) {
                String bad;
                if (headerFill == 0 && in.remaining() >= HEADER_BYTES) {
                    bad = startFrame(in, in.position());
                    in.position(in.position() + HEADER_BYTES);
                } else {
                    int n = Math.min(HEADER_BYTES - headerFill, in.remaining());
                    in.get(header, headerFill, n);
                    headerFill += n;
                    if (headerFill < HEADER_BYTES) {
                        return null;
                    }
                    headerFill = 0;
                    bad = startFrame(headerView, 0);
                }
                if (bad != null) {
                    return bad;
                }
                if (in.remaining() >= bodyLength) {
                    // Whole frame in this read: hand on a view, the matching copies it once.
                    int len = bodyLength;
                    bodyLength = -1;
                    int end = in.position() + len;
                    int limit = in.limit();
                    in.limit(end);
                    try {
                        dispatch(in);
                    } finally {
                        in.limit(limit);
                        in.position(end);
                    }
                    continue;
                }
                if (bodyType == DATA) {
                    claim = sink.claim(peer, bodyTag, bodyLength);
                }
                if (claim == null && staging.length < bodyLength) {
                    staging = new byte[bodyLength];
                }
            } else if (claim == null && bodyType == DATA) {
                // A receive posted while the frame arrives takes over from the staged part.
                Mailbox.Claim c = sink.claim(peer, bodyTag, bodyLength);
                if (c != null) {
                    Buf b = c.buffer();
                    System.arraycopy(staging, 0, b.array(), b.offset(), stagingFill);
                    claim = c;
                }
            }
            int n = Math.min(bodyLength - stagingFill, in.remaining());
            if (claim != null) {
                Buf b = claim.buffer();
                in.get(b.array(), b.offset() + stagingFill, n);
            } else {
                in.get(staging, stagingFill, n);
            }
            stagingFill += n;
            if (stagingFill == bodyLength) {
                int len = bodyLength;
                bodyLength = -1;
                stagingFill = 0;
                if (claim != null) {
                    Mailbox.Claim c = claim;
                    claim = null;
                    c.complete();
                } else {
                    dispatch(ByteBuffer.wrap(staging, 0, len));
                }
            }
        }
        return null;
    }

    /** Hands the payload of the frame just read (type {@link #bodyType}) to the sink. */
    private void dispatch(ByteBuffer payload) {
        if (bodyType == DATA) {
            sink.onMessage(peer, bodyTag, payload);
        } else {
            sink.onGoodbye(peer, bodyType == ABORT ? StandardCharsets.UTF_8.decode(payload).toString() : null);
        }
    }

    /** Reads and checks a frame header at {@code b}'s index {@code at}; null, or a protocol error. */
    private String startFrame(ByteBuffer b, int at) {
        int len = b.getInt(at);
        int word = b.getInt(at + 4);
        byte type = (byte) (word >>> 24);
        long tag = b.getLong(at + 8);
        int context = b.getInt(at + 16);
        // op (byte 6) and root (bytes 20-23) are not checked by version 1
        if (type != DATA && type != BYE && type != ABORT) {
            return "frame type " + (type & 0xFF) + " (expected: 1 DATA, 2 BYE or 3 ABORT in protocol version " + VERSION + ")";
        }
        if ((word & 0x00FF00FF) != 0) {
            return String.format("frame flags 0x%02X, reserved byte 0x%02X (expected: 0 in protocol version %d)",
                    (word >>> 16) & 0xFF, word & 0xFF, VERSION);
        }
        if (context != 0) {
            return "frame for communicator context " + context + " (expected: 0; protocol version " + VERSION
                    + " has no sub-communicators)";
        }
        if (type == DATA) {
            if (tag < 0) {
                return "message with tag " + tag + " (expected: >= 0)";
            }
            if (len < 0 || len > maxMessageBytes) {
                return "frame of " + (len & 0xFFFFFFFFL) + " bytes with tag " + tag
                        + " (expected: 0.." + maxMessageBytes + " bytes, backends.Direct.max_message_bytes)";
            }
        } else if (len < 0 || len > MAX_CONTROL_PAYLOAD) {
            return (type == BYE ? "BYE" : "ABORT") + " frame of " + (len & 0xFFFFFFFFL) + " bytes (expected: 0.."
                    + MAX_CONTROL_PAYLOAD + ")";
        }
        bodyLength = len;
        bodyType = type;
        bodyTag = tag;
        stagingFill = 0;
        return null;
    }

    /** Reads the peer's preface from {@code in}; null (done, or more to come) or the reason to close. */
    private String readPreface(ByteBuffer in) {
        while (prefaceFill < PREFACE_BYTES) {
            // First the part every version shares (then prefaceSkip is known), then version 1's fields.
            int want = prefaceSkip < 0 ? PREFACE_HEAD_BYTES : PREFACE_BYTES;
            int n = Math.min(want - prefaceFill, in.remaining());
            in.get(preface, prefaceFill, n);
            prefaceFill += n;
            if (prefaceFill < want) {
                return null;
            }
            String bad = prefaceSkip < 0 ? checkPrefaceHead() : checkPrefaceBody();
            if (bad != null) {
                return bad;
            }
        }
        int n = Math.min(prefaceSkip, in.remaining());
        in.position(in.position() + n);
        prefaceSkip -= n;
        prefaceDone = prefaceSkip == 0;
        return null;
    }

    private String checkPrefaceHead() {
        ByteBuffer p = ByteBuffer.wrap(preface);
        if (p.getInt(0) != MAGIC) {
            refused = true;
            StringBuilder first = new StringBuilder();
            for (int i = 0; i < PREFACE_HEAD_BYTES; i++) {
                first.append(String.format(i == 0 ? "%02X" : " %02X", preface[i] & 0xFF));
            }
            return "rank " + peer + " did not open with the Direct preface (first bytes " + first
                    + ", expected: FD 46 4D 44 and a version): it speaks the Direct protocol without versions "
                    + "(an fmi-channel-direct from before protocol version 1) or no Direct protocol at all; this peer "
                    + "speaks version " + VERSION;
        }
        int version = p.getShort(4) & 0xFFFF;
        if (version != VERSION) {
            refused = true;
            return "rank " + peer + " speaks Direct protocol version " + version + ", this peer version " + VERSION
                    + " (expected: the same fmi-channel-direct on every rank)";
        }
        int length = p.getShort(6) & 0xFFFF;
        if (length < PREFACE_BYTES || length > MAX_PREFACE_BYTES) {
            return "preface of " + length + " bytes (expected: " + PREFACE_BYTES + ".." + MAX_PREFACE_BYTES + ")";
        }
        prefaceSkip = length - PREFACE_BYTES;
        return null;
    }

    private String checkPrefaceBody() {
        ByteBuffer p = ByteBuffer.wrap(preface);
        peerFeatures = p.getLong(8);
        int rank = p.getInt(16);
        int peerSize = p.getInt(20);
        if (rank != peer) {
            refused = true;
            return "the connection to rank " + peer + " carries the preface of rank " + rank + " (expected: " + peer + ")";
        }
        if (peerSize != size) {
            refused = true;
            return "rank " + peer + " is in a communicator of " + peerSize + " ranks, this peer in one of " + size
                    + " (expected: the same size on every rank)";
        }
        return null;
    }

    /** Whether the last error means the peer is incompatible (another version, rank or size), not broken. */
    boolean refused() {
        return refused;
    }

    /** Whether the peer's preface has arrived whole (and passed its checks). */
    boolean prefaceReceived() {
        return prefaceDone;
    }

    /** The optional features the peer's preface announced (0 until it arrived). */
    long peerFeatures() {
        return peerFeatures;
    }

    /** Bytes of the frame in progress still to come (0 between frames). */
    int bodyRemaining() {
        return bodyLength < 0 ? 0 : bodyLength - stagingFill;
    }

    /** The connection ended: a receive that took part of a frame whose rest will never come fails with {@code cause}. */
    void fail(Throwable cause) {
        staging = NONE;
        Mailbox.Claim c = claim;
        if (c != null) {
            claim = null;
            bodyLength = -1;
            c.fail(cause);
        }
    }
}
