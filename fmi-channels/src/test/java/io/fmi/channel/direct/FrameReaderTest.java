package io.fmi.channel.direct;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The frame codec without sockets. */
@ExtendWith(LeakCheck.class)
@Timeout(30)
class FrameReaderTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    static final class Recorder implements FrameReader.Sink {
        final List<Long> tags = new ArrayList<>();
        final List<byte[]> payloads = new ArrayList<>();
        final List<String> errors = new ArrayList<>();
        int lost;

        @Override
        public void onFrame(int src, long tag, ByteBuffer payload) {
            byte[] b = new byte[payload.remaining()];
            payload.get(b);
            tags.add(tag);
            payloads.add(b);
        }

        @Override
        public void onProtocolError(int src, String what) {
            errors.add(what);
        }

        @Override
        public void onConnectionLost(int src, Channel ch, Throwable cause) {
            lost++;
        }
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] drain(ByteBuf frame) {
        byte[] b = new byte[frame.readableBytes()];
        frame.readBytes(b);
        frame.release();
        return b;
    }

    @Test
    void shouldDecodeFramesOfEverySizeSplitAtEveryByte() {
        int[] sizes = {0, 1, 11, 12, 13, 1000, Frames.PIECE_BYTES, Frames.PIECE_BYTES + 1, 3 * Frames.PIECE_BYTES + 17};
        java.io.ByteArrayOutputStream wire = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < sizes.length; i++) {
            wire.writeBytes(drain(Frames.encode(ALLOC, i + 1, ByteBuffer.wrap(bytes(sizes[i], i)))));
        }
        byte[] all = wire.toByteArray();
        for (int chunk : new int[] {1, 5, 12, 4096, all.length}) {
            Recorder r = new Recorder();
            EmbeddedChannel ch = new EmbeddedChannel(new FrameReader(r, 3, Integer.MAX_VALUE - 8));
            for (int pos = 0; pos < all.length; pos += chunk) {
                ch.writeInbound(Unpooled.wrappedBuffer(all, pos, Math.min(chunk, all.length - pos)));
            }
            assertEquals(sizes.length, r.payloads.size(), "frames decoded with reads of " + chunk + " bytes");
            for (int i = 0; i < sizes.length; i++) {
                assertEquals(i + 1, r.tags.get(i));
                assertArrayEquals(bytes(sizes[i], i), r.payloads.get(i), "payload " + i + " with reads of " + chunk + " bytes");
            }
            assertFalse(ch.finish());
            assertEquals(1, r.lost);
        }
    }

    @Test
    void shouldCloseOnFrameAboveTheLimit() {
        Recorder r = new Recorder();
        EmbeddedChannel ch = new EmbeddedChannel(new FrameReader(r, 3, 100));
        ch.writeInbound(Frames.encode(ALLOC, 7, ByteBuffer.wrap(new byte[101])));
        assertEquals(1, r.errors.size());
        assertTrue(r.errors.get(0).contains("101 bytes") && r.errors.get(0).contains("max_message_bytes"), r.errors.get(0));
        assertFalse(ch.isActive());
        assertTrue(r.payloads.isEmpty());
    }

    @Test
    void shouldEncodeControlFramesWithNegativeTags() {
        Recorder r = new Recorder();
        EmbeddedChannel ch = new EmbeddedChannel(new FrameReader(r, 0, 1000));
        ch.writeInbound(Frames.control(ALLOC, Frames.TAG_ABORT, "boom"));
        assertEquals(List.of(Frames.TAG_ABORT), r.tags);
        assertEquals("boom", new String(r.payloads.get(0), java.nio.charset.StandardCharsets.UTF_8));
        ch.finishAndReleaseAll();
    }
}
