package io.fmi.channel.direct;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.DataType;
import io.fmi.FmiConfig;
import io.fmi.Hint;
import io.fmi.Operation;
import io.fmi.PeerFailedException;
import io.fmi.channel.Buf;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.Deadline;
import io.fmi.channel.Mailbox;
import io.fmi.channel.OpContext;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Direct wire format without sockets: its encoder and decoder against each other and against its documented bytes. */
@Timeout(30)
class FrameCodecTest {
    /** Payloads this large arrive in many reads. */
    private static final int LARGE = 256 * 1024;
    /** The decoder's peer: rank 3 of 4. */
    static final int PEER = 3;
    static final int SIZE = 4;
    private static final int NO_LIMIT = Integer.MAX_VALUE - 8;

    /** Records what the decoder hands on. */
    static class Recorder implements FrameCodec.Sink {
        final List<Long> tags = new ArrayList<>();
        final List<byte[]> payloads = new ArrayList<>();
        final List<String> goodbyes = new ArrayList<>();

        @Override
        public void onMessage(int src, long tag, ByteBuffer payload) {
            assertEquals(PEER, src);
            byte[] b = new byte[payload.remaining()];
            payload.get(b);
            tags.add(tag);
            payloads.add(b);
        }

        @Override
        public void onGoodbye(int src, String abortReason) {
            assertEquals(PEER, src);
            goodbyes.add(abortReason == null ? "BYE" : "ABORT " + abortReason);
        }
    }

    /** A whole frame as a sender writes it, through the codec's encoder. */
    static byte[] frame(byte type, long tag, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(FrameCodec.HEADER_BYTES + payload.length);
        FrameCodec.putHeader(b, type, payload.length, tag);
        assertEquals(FrameCodec.HEADER_BYTES, b.position(), "header bytes written");
        return b.put(payload).array();
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    /** The preface of {@link #PEER}, as the decoder expects it. */
    static byte[] preface() {
        return bytes(FrameCodec.preface(PEER, SIZE));
    }

    private static byte[] random(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Feeds {@code wire} in reads of {@code chunk} bytes; returns the first protocol error. */
    static String feed(FrameCodec c, byte[] wire, int chunk) {
        for (int pos = 0; pos < wire.length; pos += chunk) {
            String bad = c.feed(ByteBuffer.wrap(wire, pos, Math.min(chunk, wire.length - pos)));
            if (bad != null) {
                return bad;
            }
        }
        return null;
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02X", x & 0xFF));
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- the documented bytes

    @Test
    void shouldWriteTheHeaderAsDrawnInTheJavadoc() {
        ByteBuffer b = ByteBuffer.allocate(FrameCodec.HEADER_BYTES);
        FrameCodec.putHeader(b, FrameCodec.DATA, 0x01020304, 0x1122334455667788L);
        // length | type flags op rsvd | tag | context | root
        assertEquals("01020304" + "01000000" + "1122334455667788" + "00000000" + "00000000", hex(b.array()));
        b.clear();
        FrameCodec.putHeader(b, FrameCodec.ABORT, 0, 0);
        assertEquals("00000000" + "03000000" + "0000000000000000" + "00000000" + "00000000", hex(b.array()));
    }

    @Test
    void shouldWriteThePrefaceAsDrawnInTheJavadoc() {
        // magic "\xFDFMD" | version 1 | length 24 | features 3 (rendezvous, heartbeats) | rank 3 | size 4
        assertEquals("FD464D44" + "0001" + "0018" + "0000000000000003" + "00000003" + "00000004", hex(preface()));
        assertTrue(ByteBuffer.wrap(preface()).getInt() < 0, "the magic is negative as a version-0 frame length");
    }

    // ---------------------------------------------------------------- round trips

    @Test
    void shouldDecodeWhatItEncodesOfEverySizeSplitAtEveryByte() {
        int[] sizes = {0, 1, 23, 24, 25, 1000, LARGE, LARGE + 1, 3 * LARGE + 17};
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes(preface());
        for (int i = 0; i < sizes.length; i++) {
            wire.writeBytes(frame(FrameCodec.DATA, i + 1, random(sizes[i], i)));
        }
        wire.writeBytes(frame(FrameCodec.DATA, Long.MAX_VALUE, random(5, 99)));
        wire.writeBytes(frame(FrameCodec.ABORT, 0, "boom: \u00e9".getBytes(StandardCharsets.UTF_8)));
        wire.writeBytes(frame(FrameCodec.BYE, 0, new byte[0]));
        byte[] all = wire.toByteArray();
        for (int chunk : new int[] {1, 5, 23, 24, 25, 4096, all.length}) {
            Recorder r = new Recorder();
            FrameCodec c = new FrameCodec(r, PEER, SIZE, NO_LIMIT);
            assertNull(feed(c, all, chunk), "reads of " + chunk + " bytes");
            assertTrue(c.prefaceReceived());
            assertEquals(FrameCodec.FEATURES, c.peerFeatures());
            assertEquals(0, c.bodyRemaining());
            assertEquals(sizes.length + 1, r.payloads.size(), "frames decoded with reads of " + chunk + " bytes");
            for (int i = 0; i < sizes.length; i++) {
                assertEquals(i + 1, r.tags.get(i));
                assertArrayEquals(random(sizes[i], i), r.payloads.get(i), "payload " + i + " with reads of " + chunk + " bytes");
            }
            assertEquals(Long.MAX_VALUE, r.tags.get(sizes.length));
            assertEquals(List.of("ABORT boom: \u00e9", "BYE"), r.goodbyes);
        }
    }

    @Test
    void shouldWaitForThePrefaceBeforeAnyFrame() {
        Recorder r = new Recorder();
        FrameCodec c = new FrameCodec(r, PEER, SIZE, NO_LIMIT);
        byte[] wire = concat(preface(), frame(FrameCodec.DATA, 7, new byte[] {1, 2}));
        for (int i = 0; i < FrameCodec.PREFACE_BYTES; i++) {
            assertNull(c.feed(ByteBuffer.wrap(wire, i, 1)));
            assertEquals(i == FrameCodec.PREFACE_BYTES - 1, c.prefaceReceived(), "after byte " + i);
        }
        assertNull(c.feed(ByteBuffer.wrap(wire, FrameCodec.PREFACE_BYTES, wire.length - FrameCodec.PREFACE_BYTES)));
        assertEquals(List.of(7L), r.tags);
    }

    @Test
    void shouldSkipFieldsALaterRevisionAppendsToThePreface() {
        byte[] longer = concat(preface(), new byte[] {9, 9, 9, 9, 9});
        ByteBuffer.wrap(longer).putShort(6, (short) longer.length);
        byte[] wire = concat(longer, frame(FrameCodec.DATA, 1, new byte[] {42}));
        for (int chunk : new int[] {1, 7, 24, 25, wire.length}) {
            Recorder r = new Recorder();
            assertNull(feed(new FrameCodec(r, PEER, SIZE, NO_LIMIT), wire, chunk));
            assertEquals(1, r.payloads.size(), "reads of " + chunk);
            assertArrayEquals(new byte[] {42}, r.payloads.get(0));
        }
    }

    @Test
    void shouldIgnoreTheOperationAndRootAVersion1SenderLeavesZero() {
        byte[] f = frame(FrameCodec.DATA, 5, new byte[] {1});
        f[6] = 7; // op
        ByteBuffer.wrap(f).putInt(20, 2); // root
        Recorder r = new Recorder();
        assertNull(feed(new FrameCodec(r, PEER, SIZE, NO_LIMIT), concat(preface(), f), 1000));
        assertEquals(List.of(5L), r.tags);
    }

    // ---------------------------------------------------------------- refusals and protocol errors

    /** Feeds the preface, then {@code frame}; returns the error. */
    private static String afterPreface(byte[] frame, int maxMessageBytes) {
        Recorder r = new Recorder();
        String bad = feed(new FrameCodec(r, PEER, SIZE, maxMessageBytes), concat(preface(), frame), 7);
        assertTrue(r.payloads.isEmpty() && r.goodbyes.isEmpty(), "nothing handed on before the error");
        return bad;
    }

    @Test
    void shouldReportAFrameAboveTheLimit() {
        Recorder r = new Recorder();
        FrameCodec c = new FrameCodec(r, PEER, SIZE, 100);
        assertNull(feed(c, concat(preface(), frame(FrameCodec.DATA, 7, new byte[100])), 7));
        String bad = feed(c, frame(FrameCodec.DATA, 7, new byte[101]), 1000);
        assertTrue(bad != null && bad.contains("101 bytes") && bad.contains("max_message_bytes"), bad);
        assertFalse(c.refused(), "a bad frame is no refusal of the peer");
        assertEquals(1, r.payloads.size(), "the frame within the limit only");
    }

    @Test
    void shouldReportHeadersVersion1DoesNotSpeak() {
        byte[] type = frame(FrameCodec.DATA, 1, new byte[0]);
        type[4] = 7;
        assertTrue(afterPreface(type, NO_LIMIT).contains("frame type 7"), afterPreface(type, NO_LIMIT));
        byte[] flags = frame(FrameCodec.DATA, 1, new byte[0]);
        flags[5] = 2;
        assertTrue(afterPreface(flags, NO_LIMIT).contains("flags 0x02"), afterPreface(flags, NO_LIMIT));
        byte[] byeFlags = frame(FrameCodec.BYE, 0, new byte[0]);
        byeFlags[5] = 1;
        assertTrue(afterPreface(byeFlags, NO_LIMIT).contains("flags 0x01"), afterPreface(byeFlags, NO_LIMIT));
        byte[] reserved = frame(FrameCodec.DATA, 1, new byte[0]);
        reserved[7] = (byte) 0x80;
        assertTrue(afterPreface(reserved, NO_LIMIT).contains("reserved byte 0x80"), afterPreface(reserved, NO_LIMIT));
        byte[] context = frame(FrameCodec.DATA, 1, new byte[0]);
        ByteBuffer.wrap(context).putInt(16, 5);
        assertTrue(afterPreface(context, NO_LIMIT).contains("context 5"), afterPreface(context, NO_LIMIT));
        String tag = afterPreface(frame(FrameCodec.DATA, -1, new byte[0]), NO_LIMIT);
        assertTrue(tag.contains("tag -1"), tag);
        byte[] len = frame(FrameCodec.DATA, 1, new byte[0]);
        ByteBuffer.wrap(len).putInt(0, -1);
        assertTrue(afterPreface(len, NO_LIMIT).contains("4294967295 bytes"), afterPreface(len, NO_LIMIT));
        String control = afterPreface(frame(FrameCodec.ABORT, 0, new byte[FrameCodec.MAX_CONTROL_PAYLOAD + 1]), NO_LIMIT);
        assertTrue(control.contains("ABORT frame of 4097 bytes"), control);
    }

    /** Feeds {@code wire} from the start; returns the error, which must be a refusal. */
    private static String refusal(byte[] wire) {
        Recorder r = new Recorder();
        FrameCodec c = new FrameCodec(r, PEER, SIZE, NO_LIMIT);
        String bad = feed(c, wire, 3);
        assertTrue(bad != null && c.refused(), "refused: " + bad);
        assertFalse(c.prefaceReceived());
        assertTrue(r.payloads.isEmpty());
        return bad;
    }

    @Test
    void shouldRefuseAPeerOfAnotherVersionNamingBothVersions() {
        for (int version : new int[] {0, 2, 0xFFFF}) {
            String bad = refusal(bytes(FrameCodec.preface(version, 0, PEER, SIZE)));
            assertTrue(bad.contains("rank 3 speaks Direct protocol version " + version + ", this peer version 1"), bad);
        }
    }

    @Test
    void shouldRefuseAPeerThatOpensWithAFrameOfTheUnversionedFormat() {
        // version 0 of the format: length int32, tag int64, payload; no preface
        byte[] legacy = ByteBuffer.allocate(16).putInt(4).putLong(0).putInt(42).array();
        String bad = refusal(legacy);
        assertTrue(bad.contains("did not open with the Direct preface") && bad.contains("00 00 00 04 00 00 00 00")
                && bad.contains("without versions") && bad.contains("version 1"), bad);
    }

    @Test
    void shouldRefuseAPeerOfAnotherCommunicatorSizeOrRank() {
        String size = refusal(bytes(FrameCodec.preface(FrameCodec.VERSION, 0, PEER, 7)));
        assertTrue(size.contains("rank 3 is in a communicator of 7 ranks, this peer in one of 4"), size);
        String rank = refusal(bytes(FrameCodec.preface(FrameCodec.VERSION, 0, 2, SIZE)));
        assertTrue(rank.contains("carries the preface of rank 2"), rank);
    }

    @Test
    void shouldIgnoreFeatureBitsItDoesNotKnow() {
        Recorder r = new Recorder();
        FrameCodec c = new FrameCodec(r, PEER, SIZE, NO_LIMIT);
        assertNull(feed(c, concat(bytes(FrameCodec.preface(FrameCodec.VERSION, -1L, PEER, SIZE)),
                frame(FrameCodec.DATA, 2, new byte[] {1})), 5));
        assertEquals(-1L, c.peerFeatures());
        assertEquals(List.of(2L), r.tags);
    }

    @Test
    void shouldReportAPrefaceLengthOutOfRange() {
        for (int length : new int[] {0, 23, FrameCodec.MAX_PREFACE_BYTES + 1, 0xFFFF}) {
            byte[] p = preface();
            ByteBuffer.wrap(p).putShort(6, (short) length);
            FrameCodec c = new FrameCodec(new Recorder(), PEER, SIZE, NO_LIMIT);
            String bad = feed(c, p, 24);
            assertTrue(bad != null && bad.contains("preface of " + length + " bytes"), bad);
            assertFalse(c.refused(), "malformed, not another version");
        }
    }

    // ---------------------------------------------------------------- streaming into posted receives

    /** A sink whose receives are matched by a real mailbox, so large frames stream into posted buffers. */
    static class MailboxSink extends Recorder {
        final Mailbox mailbox = new Mailbox();

        @Override
        public void onMessage(int src, long tag, ByteBuffer payload) {
            super.onMessage(src, tag, payload.duplicate());
            mailbox.deliver(src, tag, payload);
        }

        @Override
        public Mailbox.Claim claim(int src, long tag, int length) {
            return mailbox.claim(src, tag, length);
        }
    }

    /** A frame with flags, as a sender writes it. */
    static byte[] frame(byte type, byte flags, long tag, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(FrameCodec.HEADER_BYTES + payload.length);
        FrameCodec.putHeader(b, type, flags, payload.length, tag);
        return b.put(payload).array();
    }

    /** The rendezvous protocol's receiving side: announcements into the mailbox, their DATA into the bound receive. */
    static final class RendezvousSink extends MailboxSink {
        final List<String> events = new ArrayList<>();
        final java.util.Map<Long, Mailbox.Claim> bound = new java.util.HashMap<>();

        @Override
        public void onAnnounce(int src, long tag, long id, int size, boolean withdrawn) {
            events.add((withdrawn ? "WITHDRAW " : "ANNOUNCE ") + tag + " " + id + " " + size);
            if (!withdrawn) {
                mailbox.announce(src, 0, tag, size, c -> bound.put(id, c));
            }
        }

        @Override
        public void onClearToSend(int src, long id) {
            events.add("CTS " + id);
        }

        @Override
        public Mailbox.Claim claimAnnounced(int src, long id, int length) {
            Mailbox.Claim c = bound.remove(id);
            return c != null && c.buffer().byteLength() == length ? c : null;
        }
    }

    @Test
    void shouldWriteTheRendezvousFramesAsDrawnInTheJavadoc() {
        ByteBuffer b = ByteBuffer.allocate(FrameCodec.HEADER_BYTES);
        FrameCodec.putHeader(b, FrameCodec.DATA, FrameCodec.FLAG_RENDEZVOUS, 0x10, 3);
        assertEquals("00000010" + "01010000" + "0000000000000003" + "00000000" + "00000000", hex(b.array()));
        assertEquals("0000000000000003" + "00000010", hex(bytes(FrameCodec.announcePayload(3, 16))));
        assertEquals("0000000000000003", hex(bytes(FrameCodec.clearToSendPayload(3))));
    }

    @Test
    void shouldStreamAnAnnouncedMessageIntoTheReceiveBoundToItSplitAtEveryByte() throws Exception {
        byte[] want = random(300, 5);
        byte[] wire = concat(preface(), frame(FrameCodec.ANNOUNCE, (byte) 0, 9, bytes(FrameCodec.announcePayload(4, 300))),
                frame(FrameCodec.CLEAR_TO_SEND, (byte) 0, 0, bytes(FrameCodec.clearToSendPayload(11))),
                frame(FrameCodec.HEARTBEAT, (byte) 0, 0, new byte[0]));
        byte[] data = frame(FrameCodec.DATA, FrameCodec.FLAG_RENDEZVOUS, 4, want);
        for (int chunk : new int[] {1, 7, 24, 25, data.length + wire.length}) {
            RendezvousSink r = new RendezvousSink();
            FrameCodec c = new FrameCodec(r, PEER, SIZE, NO_LIMIT);
            assertNull(feed(c, wire, chunk));
            assertEquals(List.of("ANNOUNCE 9 4 300", "CTS 11"), r.events);
            assertEquals(1, r.mailbox.queuedMessages(), "announced, not received");
            Buf small = Buf.wrap(DataType.BYTE, new byte[10], 0, 10);
            assertTrue(r.mailbox.post(PEER, 9, small, op()).isCompletedExceptionally(), "a receive of another size fails");
            Buf dst = Buf.wrap(DataType.BYTE, new byte[300], 0, 300);
            CompletableFuture<Void> recv = r.mailbox.post(PEER, 9, dst, op());
            assertTrue(r.bound.containsKey(4L));
            assertNull(feed(c, data, chunk));
            recv.get(1, TimeUnit.SECONDS);
            assertArrayEquals(want, dst.array(), "chunk " + chunk);
            assertTrue(r.payloads.isEmpty(), "never handed on as a copy");
        }
    }

    @Test
    void shouldReportRendezvousFramesThatBreakTheProtocol() {
        // DATA for an announcement nobody cleared
        RendezvousSink r = new RendezvousSink();
        String bad = feed(new FrameCodec(r, PEER, SIZE, NO_LIMIT), concat(preface(),
                frame(FrameCodec.DATA, FrameCodec.FLAG_RENDEZVOUS, 8, new byte[5])), 3);
        assertTrue(bad != null && bad.contains("announcement 8"), bad);
        // control frames of the wrong size, an announcement above the limit, a withdrawal read as such
        String shortAnnounce = afterPreface(frame(FrameCodec.ANNOUNCE, (byte) 0, 1, new byte[11]), NO_LIMIT);
        assertTrue(shortAnnounce.contains("ANNOUNCE frame of 11 bytes (expected: 12)"), shortAnnounce);
        String heartbeat = afterPreface(frame(FrameCodec.HEARTBEAT, (byte) 0, 0, new byte[1]), NO_LIMIT);
        assertTrue(heartbeat.contains("HEARTBEAT frame of 1 bytes (expected: 0)"), heartbeat);
        String tooBig = afterPreface(frame(FrameCodec.ANNOUNCE, (byte) 0, 1, bytes(FrameCodec.announcePayload(1, 101))), 100);
        assertTrue(tooBig.contains("announced message of 101 bytes") && tooBig.contains("max_message_bytes"), tooBig);
        RendezvousSink w = new RendezvousSink();
        assertNull(feed(new FrameCodec(w, PEER, SIZE, NO_LIMIT), concat(preface(),
                frame(FrameCodec.ANNOUNCE, FrameCodec.FLAG_WITHDRAW, 2, bytes(FrameCodec.announcePayload(6, 50)))), 5));
        assertEquals(List.of("WITHDRAW 2 6 50"), w.events);
    }

    private static final ChannelContext CONTEXT = context();

    private static ChannelContext context() {
        FmiConfig cfg = FmiConfig.defaults();
        return new ChannelContext("t", "r", 0, SIZE, cfg, cfg.backend("Direct").orElseThrow(), "Direct",
                Duration.ofSeconds(30), 1024, Hint.FAST, Runnable::run, null);
    }

    static OpContext op() {
        return new OpContext(Operation.SEND, "recv", 5, Deadline.after(Duration.ofSeconds(30)), CONTEXT);
    }

    static Buf posted(Mailbox mb, long tag, int n, List<CompletableFuture<Void>> out) {
        Buf b = Buf.wrap(DataType.BYTE, new byte[n], 0, n);
        out.add(mb.post(PEER, tag, b, op()));
        return b;
    }

    @Test
    void shouldStreamSplitFramesIntoThePostedReceiveEvenWhenPostedMidFrame() throws Exception {
        int n = 3 * LARGE + 17;
        byte[] want = random(n, 9);
        byte[] wire = concat(preface(), frame(FrameCodec.DATA, 5, want));
        for (boolean postFirst : new boolean[] {true, false}) {
            MailboxSink r = new MailboxSink();
            FrameCodec c = new FrameCodec(r, PEER, SIZE, NO_LIMIT);
            List<CompletableFuture<Void>> f = new ArrayList<>();
            Buf b = postFirst ? posted(r.mailbox, 5, n, f) : null;
            int chunk = 4096;
            for (int pos = 0; pos < wire.length; pos += chunk) {
                if (b == null && pos >= wire.length / 2) {
                    b = posted(r.mailbox, 5, n, f); // the rest of the frame is still coming
                }
                assertNull(c.feed(ByteBuffer.wrap(wire, pos, Math.min(chunk, wire.length - pos))));
            }
            f.get(0).get(5, TimeUnit.SECONDS);
            assertArrayEquals(want, Arrays.copyOfRange(b.array(), b.offset(), b.offset() + n), "posted first: " + postFirst);
            assertTrue(r.payloads.isEmpty(), "streamed, not staged");
            assertEquals(0, r.mailbox.queuedMessages());
        }
    }

    @Test
    void shouldFailAStreamingReceiveWhenTheConnectionEndsMidFrame() {
        int n = 2 * LARGE;
        byte[] wire = concat(preface(), frame(FrameCodec.DATA, 5, random(n, 4)));
        MailboxSink r = new MailboxSink();
        FrameCodec c = new FrameCodec(r, PEER, SIZE, NO_LIMIT);
        List<CompletableFuture<Void>> f = new ArrayList<>();
        posted(r.mailbox, 5, n, f);
        assertNull(c.feed(ByteBuffer.wrap(wire, 0, wire.length / 2)));
        assertFalse(f.get(0).isDone());
        assertTrue(c.bodyRemaining() > 0);
        c.fail(new PeerFailedException(PEER, "rank 3 failed in the middle of a message"));
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> f.get(0).get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof PeerFailedException, String.valueOf(e.getCause()));
    }
}
