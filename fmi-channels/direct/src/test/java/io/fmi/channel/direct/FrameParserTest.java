package io.fmi.channel.direct;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The frame decoder without sockets. */
@Timeout(30)
class FrameParserTest {
    /** Payloads this large arrive in many reads. */
    private static final int LARGE = 256 * 1024;

    static class Recorder implements FrameParser.Sink {
        final List<Long> tags = new ArrayList<>();
        final List<byte[]> payloads = new ArrayList<>();

        @Override
        public void onFrame(int src, long tag, ByteBuffer payload) {
            byte[] b = new byte[payload.remaining()];
            payload.get(b);
            tags.add(tag);
            payloads.add(b);
        }
    }

    /** A whole frame as a sender writes it: header (length, tag), then a copy of {@code data}. */
    private static byte[] encode(long tag, ByteBuffer data) {
        int len = data.remaining();
        byte[] frame = new byte[Frames.HEADER_BYTES + len];
        ByteBuffer.wrap(frame).putInt(len).putLong(tag).put(data.duplicate());
        return frame;
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Feeds {@code wire} in reads of {@code chunk} bytes; returns the first protocol error. */
    private static String feed(FrameParser p, byte[] wire, int chunk) {
        for (int pos = 0; pos < wire.length; pos += chunk) {
            String bad = p.feed(ByteBuffer.wrap(wire, pos, Math.min(chunk, wire.length - pos)));
            if (bad != null) {
                return bad;
            }
        }
        return null;
    }

    @Test
    void shouldDecodeFramesOfEverySizeSplitAtEveryByte() {
        int[] sizes = {0, 1, 11, 12, 13, 1000, LARGE, LARGE + 1, 3 * LARGE + 17};
        java.io.ByteArrayOutputStream wire = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < sizes.length; i++) {
            wire.writeBytes(encode(i + 1, ByteBuffer.wrap(bytes(sizes[i], i))));
        }
        byte[] all = wire.toByteArray();
        for (int chunk : new int[] {1, 5, 12, 4096, all.length}) {
            Recorder r = new Recorder();
            FrameParser p = new FrameParser(r, 3, Integer.MAX_VALUE - 8);
            assertNull(feed(p, all, chunk));
            assertEquals(0, p.bodyRemaining());
            assertEquals(sizes.length, r.payloads.size(), "frames decoded with reads of " + chunk + " bytes");
            for (int i = 0; i < sizes.length; i++) {
                assertEquals(i + 1, r.tags.get(i));
                assertArrayEquals(bytes(sizes[i], i), r.payloads.get(i), "payload " + i + " with reads of " + chunk + " bytes");
            }
        }
    }

    @Test
    void shouldReportAFrameAboveTheLimit() {
        Recorder r = new Recorder();
        FrameParser p = new FrameParser(r, 3, 100);
        assertNull(feed(p, encode(7, ByteBuffer.wrap(new byte[100])), 7));
        String bad = feed(p, encode(7, ByteBuffer.wrap(new byte[101])), 1000);
        assertTrue(bad != null && bad.contains("101 bytes") && bad.contains("max_message_bytes"), bad);
        assertEquals(1, r.payloads.size(), "the frame within the limit only");
    }

    @Test
    void shouldEncodeControlFramesWithNegativeTags() {
        Recorder r = new Recorder();
        FrameParser p = new FrameParser(r, 0, 1000);
        assertNull(feed(p, encode(Frames.TAG_ABORT, Frames.controlPayload("boom")), 3));
        assertEquals(List.of(Frames.TAG_ABORT), r.tags);
        assertEquals("boom", new String(r.payloads.get(0), java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A sink whose receives are matched by a real mailbox, so large frames stream into posted buffers. */
    static final class MailboxSink extends Recorder {
        final io.fmi.channel.Mailbox mailbox = new io.fmi.channel.Mailbox();

        @Override
        public void onFrame(int src, long tag, ByteBuffer payload) {
            super.onFrame(src, tag, payload.duplicate());
            mailbox.deliver(src, tag, payload);
        }

        @Override
        public io.fmi.channel.Mailbox.Claim claim(int src, long tag, int length) {
            return mailbox.claim(src, tag, length);
        }
    }

    private static io.fmi.channel.OpContext op() {
        io.fmi.FmiConfig cfg = io.fmi.FmiConfig.defaults();
        io.fmi.channel.ChannelContext cc = new io.fmi.channel.ChannelContext("t", "r", 0, 4, cfg,
                cfg.backend("Direct").orElseThrow(), "Direct", java.time.Duration.ofSeconds(30), 1024, io.fmi.Hint.FAST, Runnable::run, null);
        return new io.fmi.channel.OpContext(io.fmi.Operation.SEND, "recv", 5, io.fmi.channel.Deadline.after(java.time.Duration.ofSeconds(30)), cc);
    }

    private static io.fmi.channel.Buf posted(io.fmi.channel.Mailbox mb, int n, java.util.concurrent.CompletableFuture<?>[] out) {
        io.fmi.channel.Buf b = io.fmi.channel.Buf.wrap(io.fmi.DataType.BYTE, new byte[n], 0, n);
        out[0] = mb.post(3, 5, b, op());
        return b;
    }

    @Test
    void shouldStreamSplitFramesIntoThePostedReceiveEvenWhenPostedMidFrame() throws Exception {
        int n = 3 * LARGE + 17;
        byte[] want = bytes(n, 9);
        byte[] wire = encode(5, ByteBuffer.wrap(want));
        for (boolean postFirst : new boolean[] {true, false}) {
            MailboxSink r = new MailboxSink();
            FrameParser p = new FrameParser(r, 3, Integer.MAX_VALUE - 8);
            java.util.concurrent.CompletableFuture<?>[] f = new java.util.concurrent.CompletableFuture<?>[1];
            io.fmi.channel.Buf b = postFirst ? posted(r.mailbox, n, f) : null;
            int chunk = 4096;
            for (int pos = 0; pos < wire.length; pos += chunk) {
                if (b == null && pos >= wire.length / 2) {
                    b = posted(r.mailbox, n, f); // the rest of the frame is still coming
                }
                assertNull(p.feed(ByteBuffer.wrap(wire, pos, Math.min(chunk, wire.length - pos))));
            }
            f[0].get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertArrayEquals(want, java.util.Arrays.copyOfRange(b.array(), b.offset(), b.offset() + n), "posted first: " + postFirst);
            assertTrue(r.payloads.isEmpty(), "streamed, not staged");
            assertEquals(0, r.mailbox.queuedMessages());
        }
    }

    @Test
    void shouldFailAStreamingReceiveWhenTheConnectionEndsMidFrame() {
        int n = 2 * LARGE;
        byte[] wire = encode(5, ByteBuffer.wrap(bytes(n, 4)));
        MailboxSink r = new MailboxSink();
        FrameParser p = new FrameParser(r, 3, Integer.MAX_VALUE - 8);
        java.util.concurrent.CompletableFuture<?>[] f = new java.util.concurrent.CompletableFuture<?>[1];
        posted(r.mailbox, n, f);
        assertNull(p.feed(ByteBuffer.wrap(wire, 0, wire.length / 2)));
        assertFalse(f[0].isDone());
        assertTrue(p.bodyRemaining() > 0);
        p.fail(new io.fmi.PeerFailedException(3, "rank 3 failed in the middle of a message"));
        java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.ExecutionException.class, () -> f[0].get(5, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof io.fmi.PeerFailedException, String.valueOf(e.getCause()));
    }
}
