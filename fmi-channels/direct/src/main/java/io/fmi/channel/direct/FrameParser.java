package io.fmi.channel.direct;

import io.fmi.channel.Buf;
import io.fmi.channel.Mailbox;
import java.nio.ByteBuffer;

/**
 * Decodes the frames of one connection, fed with the bytes read from its socket, and hands each
 * message to its channel's receive matching. One instance per connection, used by one thread at a
 * time (the thread driving the channel's I/O, {@link DirectIo}).
 *
 * <pre>
 * +------------------+---------------------------+--------------------+
 * | length: int32 BE | tag: int64 BE             | payload            |
 * | payload bytes    | operation sequence number | (length bytes)     |
 * +------------------+---------------------------+--------------------+
 *  0                  4                           12
 * </pre>
 *
 * A tag {@code >= 0} is a message ({@code 0} point-to-point, {@code n >= 1} collective number n);
 * negative tags are control frames ({@link Frames#TAG_BYE}, {@link Frames#TAG_ABORT}).
 *
 * <p>A frame that lies whole in one read (every small message) is handed on as a view of the read
 * buffer: the receive matching copies it straight into the posted receive buffer, no intermediate
 * copy and no allocation. A frame split across reads (every large message) is streamed straight
 * into the posted receive buffer when one is waiting ({@link Sink#claim}), read by read, so it is
 * copied once. Otherwise it is gathered into a staging array kept per connection (grown to the
 * largest message seen, never shrunk); a receive posted while the frame is still arriving takes
 * over from the staged part.
 */
final class FrameParser {
    /** Where decoded frames go; called on the thread that feeds the parser. */
    interface Sink {
        /** A frame; {@code payload} is only valid during the call. */
        void onFrame(int src, long tag, ByteBuffer payload);

        /**
         * Claims the receive waiting for a message of exactly {@code length} bytes from {@code src}
         * with {@code tag}, for a frame whose payload is still arriving; null: none, stage it.
         */
        default Mailbox.Claim claim(int src, long tag, int length) {
            return null;
        }
    }

    private static final byte[] NONE = new byte[0];

    private final Sink sink;
    private final int peer;
    private final int maxMessageBytes;

    private final byte[] header = new byte[Frames.HEADER_BYTES];
    private int headerFill;
    private int bodyLength = -1;
    private long bodyTag;
    private byte[] staging = NONE;
    private int stagingFill;
    /** The posted receive the current frame's payload streams into, or null (staging). */
    private Mailbox.Claim claim;

    FrameParser(Sink sink, int peer, int maxMessageBytes) {
        this.sink = sink;
        this.peer = peer;
        this.maxMessageBytes = maxMessageBytes;
    }

    /**
     * Consumes all of {@code in} (position to limit). Returns null, or a description of a protocol
     * error (a frame longer than {@code max_message_bytes}), after which the connection must close.
     */
    String feed(ByteBuffer in) {
        while (in.hasRemaining()) {
            if (bodyLength < 0) {
                String bad;
                if (headerFill == 0 && in.remaining() >= Frames.HEADER_BYTES) {
                    int len = in.getInt();
                    long tag = in.getLong();
                    bad = startBody(len, tag);
                } else {
                    int n = Math.min(Frames.HEADER_BYTES - headerFill, in.remaining());
                    in.get(header, headerFill, n);
                    headerFill += n;
                    if (headerFill < Frames.HEADER_BYTES) {
                        return null;
                    }
                    headerFill = 0;
                    ByteBuffer h = ByteBuffer.wrap(header);
                    bad = startBody(h.getInt(0), h.getLong(4));
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
                        sink.onFrame(peer, bodyTag, in);
                    } finally {
                        in.limit(limit);
                        in.position(end);
                    }
                    continue;
                }
                if (bodyTag >= 0) {
                    claim = sink.claim(peer, bodyTag, bodyLength);
                }
                if (claim == null && staging.length < bodyLength) {
                    staging = new byte[bodyLength];
                }
            } else if (claim == null && bodyTag >= 0) {
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
                    sink.onFrame(peer, bodyTag, ByteBuffer.wrap(staging, 0, len));
                }
            }
        }
        return null;
    }

    /** Bytes of the frame in progress still to come (0 between frames); a hint for the next read. */
    int bodyRemaining() {
        return bodyLength < 0 ? 0 : bodyLength - stagingFill;
    }

    private String startBody(int len, long tag) {
        if (len < 0 || len > maxMessageBytes) {
            return "frame of " + (len & 0xFFFFFFFFL) + " bytes with tag " + tag
                    + " (expected: 0.." + maxMessageBytes + " bytes, backends.Direct.max_message_bytes)";
        }
        bodyLength = len;
        bodyTag = tag;
        stagingFill = 0;
        return null;
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
