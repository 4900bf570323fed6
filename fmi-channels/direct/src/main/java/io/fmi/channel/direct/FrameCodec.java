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
 * ignores bits it does not know. Defined: bit 0 ({@link #FEATURE_RENDEZVOUS}) the rendezvous
 * protocol of large messages (ANNOUNCE / CLEAR_TO_SEND below), bit 1 ({@link #FEATURE_HEARTBEAT})
 * heartbeats. This implementation sets both ({@link #FEATURES}); the first release of version 1
 * sent 0, and gets neither from this one.
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
 *     empty), {@link #ABORT} 3 (the sender aborts; payload: the reason, UTF-8, never user data),
 *     and, for the peers whose preface set the feature's bit: {@link #ANNOUNCE} 4 and
 *     {@link #CLEAR_TO_SEND} 5 (rendezvous, below), {@link #HEARTBEAT} 6 (empty: "I am alive",
 *     written on a connection that carried nothing else for a while). Any other type is
 *     refused.</li>
 * <li>{@code flags}: 0, except {@link #FLAG_RENDEZVOUS} (0x01) on a DATA frame that carries an
 *     announced message, and {@link #FLAG_WITHDRAW} (0x01) on an ANNOUNCE that takes one back.
 *     {@code rsvd}: 0. Anything else is refused.</li>
 * <li>{@code tag}: DATA and ANNOUNCE: the operation's sequence number, {@code 0} point-to-point and
 *     {@code n >= 1} the collective numbered n (the same on every peer); matched with the source
 *     rank. A DATA frame with {@link #FLAG_RENDEZVOUS} carries the announcement's id instead (the
 *     receiver knows the tag from the ANNOUNCE). 0 in the other frames.</li>
 * <li>{@code op}, {@code root}: the collective the message belongs to ({@code op}: the
 *     operation's code, 0 = not stated) and its root rank, for detecting ranks that call
 *     different collectives or roots. Version 1 writes 0 and ignores both on receipt, so a sender
 *     may fill them without negotiation.</li>
 * <li>{@code context}: the communicator the frame belongs to on a connection shared by several
 *     (sub-communicators from {@code split} and {@code dup}); 0 = the communicator the connection
 *     was opened for. Version 1 has only that one and refuses any other.</li>
 * </ul>
 *
 * <h2>Rendezvous: large messages move only into a posted receive</h2>
 * A message of {@code rendezvous_bytes} or more is not sent at once (MPI's rendezvous protocol):
 * <pre>
 * sender                                       receiver
 * ANNOUNCE  tag=t  payload: id int64, size int32  -&gt;  queued in the receive matching like a message
 *                                                   (a receive of another size fails, the announcement stays)
 *           &lt;-  CLEAR_TO_SEND  payload: id int64    a receive of {@code size} bytes is posted and bound to it
 * DATA      flags=RENDEZVOUS  tag=id  size bytes  -&gt;  streamed straight into that receive's buffer
 * ANNOUNCE  flags=WITHDRAW  tag=t  id, size       -&gt;  the sender gave up (its deadline): the announcement,
 *                                                   or the receive bound to it, is dropped
 * </pre>
 * Ids are the sender's, one sequence per connection. So no payload is ever copied or staged by the
 * receiver, and a size mismatch is refused before any payload moves.
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
    /** Feature bit 0: the rendezvous protocol of large messages (ANNOUNCE, CLEAR_TO_SEND). */
    static final long FEATURE_RENDEZVOUS = 1L;
    /** Feature bit 1: heartbeats on idle connections (HEARTBEAT), for peer liveness. */
    static final long FEATURE_HEARTBEAT = 1L << 1;
    /** Optional features this implementation speaks (see the class comment). */
    static final long FEATURES = FEATURE_RENDEZVOUS | FEATURE_HEARTBEAT;
    /** Bytes of a frame header. */
    static final int HEADER_BYTES = 24;
    /** Frame type: a message. */
    static final byte DATA = 1;
    /** Frame type: the sender closes its communicator; empty payload. */
    static final byte BYE = 2;
    /** Frame type: the sender aborts; the payload is the reason in UTF-8. */
    static final byte ABORT = 3;
    /** Frame type: the sender has a large message for the receiver (rendezvous); payload id, size. */
    static final byte ANNOUNCE = 4;
    /** Frame type: the receiver posted a receive for an announced message; payload its id. */
    static final byte CLEAR_TO_SEND = 5;
    /** Frame type: the sender is alive; empty. */
    static final byte HEARTBEAT = 6;
    /** DATA flag: the payload of an announced message; the tag field holds the announcement's id. */
    static final byte FLAG_RENDEZVOUS = 0x01;
    /** ANNOUNCE flag: the sender takes the announcement back. */
    static final byte FLAG_WITHDRAW = 0x01;
    /** Payload bytes of ANNOUNCE: id (int64), size (int32). */
    static final int ANNOUNCE_PAYLOAD = 12;
    /** Payload bytes of CLEAR_TO_SEND: id (int64). */
    static final int CLEAR_TO_SEND_PAYLOAD = 8;
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

        /** An ANNOUNCE: {@code src} has a message of {@code size} bytes with {@code tag}, or takes it back ({@code withdrawn}). */
        default void onAnnounce(int src, long tag, long id, int size, boolean withdrawn) {
        }

        /** A CLEAR_TO_SEND: {@code src} posted the receive for this peer's announcement {@code id}. */
        default void onClearToSend(int src, long id) {
        }

        /**
         * The receive this peer bound to {@code src}'s announcement {@code id} (and cleared to send),
         * for the DATA frame of {@code length} bytes that carries it; null when there is none, a
         * protocol error.
         */
        default Mailbox.Claim claimAnnounced(int src, long id, int length) {
            return null;
        }
    }

    // ---------------------------------------------------------------- encoding

    /**
     * Writes the header of a frame of version {@value #VERSION} at {@code dst}'s position (relative
     * puts, {@value #HEADER_BYTES} bytes); the payload follows it. No allocation.
     */
    static void putHeader(ByteBuffer dst, byte type, int length, long tag) {
        putHeader(dst, type, (byte) 0, length, tag);
    }

    /** {@link #putHeader(ByteBuffer, byte, int, long)} with {@code flags}. */
    static void putHeader(ByteBuffer dst, byte type, byte flags, int length, long tag) {
        dst.putInt(length)
                .putInt(type << 24 | (flags & 0xFF) << 16) // op, rsvd: 0
                .putLong(tag)
                .putLong(0L); // context 0, root 0
    }

    /** The payload of an ANNOUNCE: the announcement's id and the message's size. */
    static ByteBuffer announcePayload(long id, int size) {
        return ByteBuffer.allocate(ANNOUNCE_PAYLOAD).putLong(id).putInt(size).flip();
    }

    /** The payload of a CLEAR_TO_SEND: the announcement's id. */
    static ByteBuffer clearToSendPayload(long id) {
        return ByteBuffer.allocate(CLEAR_TO_SEND_PAYLOAD).putLong(id).flip();
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
    private byte bodyFlags;
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
                if (bodyType == DATA && bodyFlags == FLAG_RENDEZVOUS) {
                    // An announced message: it goes into the receive bound to the announcement, whole or read by read.
                    claim = sink.claimAnnounced(peer, bodyTag, bodyLength);
                    if (claim == null) {
                        int len = bodyLength;
                        bodyLength = -1;
                        return "DATA of " + len + " bytes for announcement " + bodyTag
                                + ", which no receive of this peer cleared to send with that size (expected: a"
                                + " CLEAR_TO_SEND for it first)";
                    }
                    if (bodyLength == 0) {
                        bodyLength = -1;
                        Mailbox.Claim c = claim;
                        claim = null;
                        c.complete();
                        continue;
                    }
                } else if (in.remaining() >= bodyLength) {
                    // Whole frame in this read: hand on a view, the matching copies it once.
                    int len = bodyLength;
                    bodyLength = -1;
                    int end = in.position() + len;
                    int limit = in.limit();
                    in.limit(end);
                    String error;
                    try {
                        error = dispatch(in);
                    } finally {
                        in.limit(limit);
                        in.position(end);
                    }
                    if (error != null) {
                        return error;
                    }
                    continue;
                } else if (bodyType == DATA) {
                    claim = sink.claim(peer, bodyTag, bodyLength);
                }
                if (claim == null && staging.length < bodyLength) {
                    staging = new byte[bodyLength];
                }
            } else if (claim == null && bodyType == DATA && bodyFlags == 0) {
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
                    String error = dispatch(ByteBuffer.wrap(staging, 0, len));
                    if (error != null) {
                        return error;
                    }
                }
            }
        }
        return null;
    }

    /** Hands the payload of the frame just read (type {@link #bodyType}) to the sink; null, or a protocol error. */
    private String dispatch(ByteBuffer payload) {
        switch (bodyType) {
            case DATA:
                sink.onMessage(peer, bodyTag, payload);
                return null;
            case ANNOUNCE: {
                int p = payload.position();
                long id = payload.getLong(p);
                int size = payload.getInt(p + 8);
                if (size < 0 || size > maxMessageBytes) {
                    return "announced message of " + (size & 0xFFFFFFFFL) + " bytes with tag " + bodyTag
                            + " (expected: 0.." + maxMessageBytes + " bytes, backends.Direct.max_message_bytes)";
                }
                sink.onAnnounce(peer, bodyTag, id, size, bodyFlags == FLAG_WITHDRAW);
                return null;
            }
            case CLEAR_TO_SEND:
                sink.onClearToSend(peer, payload.getLong(payload.position()));
                return null;
            case HEARTBEAT:
                return null; // reading it is the point: the connection carried something
            default:
                sink.onGoodbye(peer, bodyType == ABORT ? StandardCharsets.UTF_8.decode(payload).toString() : null);
                return null;
        }
    }

    /** Reads and checks a frame header at {@code b}'s index {@code at}; null, or a protocol error. */
    private String startFrame(ByteBuffer b, int at) {
        int len = b.getInt(at);
        int word = b.getInt(at + 4);
        byte type = (byte) (word >>> 24);
        long tag = b.getLong(at + 8);
        int context = b.getInt(at + 16);
        byte flags = (byte) (word >>> 16);
        // op (byte 6) and root (bytes 20-23) are not checked by version 1
        if (type < DATA || type > HEARTBEAT) {
            return "frame type " + (type & 0xFF) + " (expected: 1 DATA, 2 BYE, 3 ABORT, 4 ANNOUNCE, 5 CLEAR_TO_SEND or"
                    + " 6 HEARTBEAT in protocol version " + VERSION + ")";
        }
        boolean flagsOk = flags == 0 || (flags == FLAG_RENDEZVOUS && type == DATA) || (flags == FLAG_WITHDRAW && type == ANNOUNCE);
        if (!flagsOk || (word & 0xFF) != 0) {
            return String.format("frame type %d with flags 0x%02X, reserved byte 0x%02X (expected: flags 0, or 0x01 on"
                    + " DATA and ANNOUNCE; reserved 0 in protocol version %d)", type & 0xFF, flags & 0xFF, word & 0xFF, VERSION);
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
        } else if (type == ANNOUNCE || type == CLEAR_TO_SEND || type == HEARTBEAT) {
            int want = type == ANNOUNCE ? ANNOUNCE_PAYLOAD : type == CLEAR_TO_SEND ? CLEAR_TO_SEND_PAYLOAD : 0;
            if (len != want) {
                return typeName(type) + " frame of " + (len & 0xFFFFFFFFL) + " bytes (expected: " + want + ")";
            }
            if (type == ANNOUNCE && tag < 0) {
                return "announcement with tag " + tag + " (expected: >= 0)";
            }
        } else if (len < 0 || len > MAX_CONTROL_PAYLOAD) {
            return typeName(type) + " frame of " + (len & 0xFFFFFFFFL) + " bytes (expected: 0.."
                    + MAX_CONTROL_PAYLOAD + ")";
        }
        bodyLength = len;
        bodyType = type;
        bodyFlags = flags;
        bodyTag = tag;
        stagingFill = 0;
        return null;
    }

    private static String typeName(byte type) {
        switch (type) {
            case BYE: return "BYE";
            case ABORT: return "ABORT";
            case ANNOUNCE: return "ANNOUNCE";
            case CLEAR_TO_SEND: return "CLEAR_TO_SEND";
            case HEARTBEAT: return "HEARTBEAT";
            default: return "DATA";
        }
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
