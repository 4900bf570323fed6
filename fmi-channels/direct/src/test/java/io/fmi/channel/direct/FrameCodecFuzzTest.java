package io.fmi.channel.direct;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.fmi.channel.Buf;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Fuzzes the Direct codec both ways. Round trip: frames made from the fuzzer's bytes (every type,
 * any tag and payload), encoded by {@link FrameCodec#putHeader} and fed in reads of the fuzzer's
 * sizes, with receives posted for some messages so that split frames stream into them, must come
 * out whole, once, in order. Any bytes: a preface (valid or not) and arbitrary bytes after it, in
 * arbitrary reads, may only end in a protocol error, never in an exception, and nothing handed on
 * may exceed the limit. One fuzz test only: Jazzer fuzzes a single test per run, for
 * {@code maxDuration}; without {@code JAZZER_FUZZ} it runs the seeds once.
 */
class FrameCodecFuzzTest {
    private static final int PEER = FrameCodecTest.PEER;
    private static final int LIMIT = 64 * 1024;

    @FuzzTest(maxDuration = "10s")
    void shouldDecodeWhatItEncodesAndSurviveAnyBytes(FuzzedDataProvider data) {
        if (data.consumeBoolean()) {
            roundTrip(data);
        } else {
            anyBytes(data);
        }
    }

    /** One frame the test sent. */
    private static final class Sent {
        final byte type;
        final long tag;
        final byte[] payload;
        Buf posted;
        CompletableFuture<Void> receive;

        Sent(byte type, long tag, byte[] payload) {
            this.type = type;
            this.tag = tag;
            this.payload = payload;
        }
    }

    private static void roundTrip(FuzzedDataProvider data) {
        FrameCodecTest.MailboxSink sink = new FrameCodecTest.MailboxSink();
        FrameCodec codec = new FrameCodec(sink, PEER, FrameCodecTest.SIZE, LIMIT);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes(FrameCodecTest.preface());
        List<Sent> sent = new ArrayList<>();
        int frames = data.consumeInt(0, 6);
        for (int i = 0; i < frames; i++) {
            byte type = data.pickValue(new Byte[] {FrameCodec.DATA, FrameCodec.DATA, FrameCodec.ABORT, FrameCodec.BYE});
            Sent s;
            if (type == FrameCodec.DATA) {
                // distinct tags, so each message has its own receive to match
                long tag = (data.consumeLong(0, Long.MAX_VALUE >> 4) << 4) | i;
                s = new Sent(type, tag, data.consumeBytes(data.consumeInt(0, LIMIT)));
                if (data.consumeBoolean()) {
                    List<CompletableFuture<Void>> f = new ArrayList<>();
                    s.posted = FrameCodecTest.posted(sink.mailbox, tag, s.payload.length, f);
                    s.receive = f.get(0);
                }
            } else if (type == FrameCodec.ABORT) {
                s = new Sent(type, 0, data.consumeString(100).getBytes(StandardCharsets.UTF_8));
            } else {
                s = new Sent(type, 0, new byte[0]);
            }
            sent.add(s);
            wire.writeBytes(FrameCodecTest.frame(s.type, s.tag, s.payload));
        }
        byte[] all = wire.toByteArray();
        for (int pos = 0; pos < all.length; ) {
            int n = Math.min(all.length - pos, 1 + data.consumeInt(0, 2 * FrameCodec.HEADER_BYTES));
            assertNull(codec.feed(ByteBuffer.wrap(all, pos, n)), "a frame the codec encoded");
            pos += n;
        }
        assertEquals(0, codec.bodyRemaining());
        int message = 0;
        int goodbye = 0;
        for (Sent s : sent) {
            if (s.type == FrameCodec.DATA && s.receive != null) {
                assertTrue(s.receive.isDone() && !s.receive.isCompletedExceptionally(), "posted receive of tag " + s.tag);
                assertArrayEquals(s.payload, Arrays.copyOfRange(s.posted.array(), s.posted.offset(), s.posted.offset() + s.payload.length));
            } else if (s.type == FrameCodec.DATA) {
                // unmatched messages reach the sink in order (those streamed into a receive do not)
                while (message < sink.tags.size() && sink.tags.get(message) != s.tag) {
                    message++;
                }
                assertTrue(message < sink.tags.size(), "message with tag " + s.tag + " handed on");
                assertArrayEquals(s.payload, sink.payloads.get(message));
            } else {
                String want = s.type == FrameCodec.BYE ? "BYE" : "ABORT " + new String(s.payload, StandardCharsets.UTF_8);
                assertEquals(want, sink.goodbyes.get(goodbye++));
            }
        }
        assertEquals(goodbye, sink.goodbyes.size());
    }

    private static void anyBytes(FuzzedDataProvider data) {
        FrameCodecTest.Recorder sink = new FrameCodecTest.Recorder() {
            @Override
            public void onMessage(int src, long tag, ByteBuffer payload) {
                assertTrue(tag >= 0 && payload.remaining() <= LIMIT, "tag " + tag + ", " + payload.remaining() + " bytes");
                super.onMessage(src, tag, payload);
            }
        };
        FrameCodec codec = new FrameCodec(sink, PEER, FrameCodecTest.SIZE, LIMIT);
        byte[] preface = FrameCodecTest.preface();
        if (data.consumeBoolean()) {
            // a preface with fuzzed fields: version, length, features, rank or size may be wrong
            byte[] fields = data.consumeBytes(preface.length - 4);
            System.arraycopy(fields, 0, preface, 4, fields.length);
        }
        byte[] rest = data.consumeBytes(4 * LIMIT);
        byte[] all = new byte[preface.length + rest.length];
        System.arraycopy(preface, 0, all, 0, preface.length);
        System.arraycopy(rest, 0, all, preface.length, rest.length);
        for (int pos = 0; pos < all.length; ) {
            int n = Math.min(all.length - pos, 1 + data.consumeInt(0, 4096));
            String bad = codec.feed(ByteBuffer.wrap(all, pos, n));
            if (bad != null) {
                return; // the connection closes here
            }
            pos += n;
        }
    }
}
