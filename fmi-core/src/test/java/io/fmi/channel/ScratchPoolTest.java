package io.fmi.channel;

import io.fmi.DataType;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Reuse of the large arrays behind typed buffers: when, for whom, and that nothing leaks between uses. */
@Timeout(30)
class ScratchPoolTest {
    private static final int LARGE = 64 * 1024; // doubles: 512 KiB

    @Test
    void shouldReuseTheArrayOfAReleasedBufferOnTheSameThread() {
        double[] data = new double[LARGE];
        Arrays.fill(data, 1.5);
        Buf s = Buf.source(data, 0, data.length);
        byte[] first = s.array();
        s.release();
        Buf again = Buf.scratch(DataType.DOUBLE, LARGE, false);
        assertSame(first, again.array(), "a released array is handed out again");
        assertEquals(1.5, again.asByteBuffer().getDouble(8 * 100), "scratch(..., false) leaves old contents");
        again.release();
        Buf zeroed = Buf.scratch(DataType.DOUBLE, LARGE, true);
        assertSame(first, zeroed.array());
        byte[] expect = new byte[LARGE * 8];
        assertArrayEquals(expect, Arrays.copyOf(zeroed.array(), LARGE * 8), "scratch(..., true) is zero-filled");
    }

    @Test
    void shouldLetASinkReuseAnArrayAndCommitExactlyItsRange() {
        Buf dirty = Buf.scratch(DataType.DOUBLE, LARGE, false);
        Arrays.fill(dirty.array(), (byte) 0x7f);
        dirty.release();
        double[] target = new double[LARGE + 2];
        target[0] = -1;
        target[LARGE + 1] = -2;
        Buf sink = Buf.sink(target, 1, LARGE);
        assertSame(dirty.array(), sink.array(), "a receive buffer reuses a pooled array (an operation writes all of it)");
        java.nio.ByteBuffer w = sink.asByteBuffer();
        for (int i = 0; i < LARGE; i++) {
            w.putDouble(i * 0.25);
        }
        sink.commit();
        assertEquals(-1, target[0]);
        assertEquals(-2, target[LARGE + 1]);
        for (int i = 0; i < LARGE; i++) {
            assertEquals(i * 0.25, target[i + 1], "element " + i);
        }
    }

    @Test
    void shouldReleaseOnceAndNeverThroughASliceOrAPlainBuffer() {
        Buf s = Buf.scratch(DataType.INT, LARGE, false);
        s.slice(0, 10).release();
        s.release();
        s.release();
        Buf a = Buf.scratch(DataType.INT, LARGE, false);
        Buf b = Buf.scratch(DataType.INT, LARGE, false);
        assertSame(s.array(), a.array());
        assertNotSame(a.array(), b.array(), "released twice, but handed out once");
        Buf wrapped = Buf.wrap(DataType.BYTE, new byte[LARGE * 4], 0, LARGE * 4);
        wrapped.release();
        Buf.release(b, null);
        assertSame(b.array(), Buf.scratch(DataType.INT, LARGE, false).array());
        assertNotSame(wrapped.array(), Buf.scratch(DataType.BYTE, LARGE * 4, false).array(), "a caller's array never enters the pool");
    }

    @Test
    void shouldNotPoolSmallBuffersNorPinHugeArraysForSmallRequests() {
        Buf small = Buf.scratch(DataType.LONG, 16, false);
        small.release();
        assertNotSame(small.array(), Buf.scratch(DataType.LONG, 16, false).array());
        Buf huge = Buf.scratch(DataType.BYTE, 4 << 20, false);
        huge.release();
        Buf modest = Buf.scratch(DataType.BYTE, 1 << 20, false);
        assertNotSame(huge.array(), modest.array(), "a 1 MiB request does not take a 4 MiB array");
        assertEquals(1 << 20, modest.array().length);
        assertSame(huge.array(), Buf.scratch(DataType.BYTE, 3 << 20, false).array(), "3 MiB may take 4 MiB");
    }

    @Test
    void shouldKeepPoolsPerThread() throws Exception {
        Buf s = Buf.scratch(DataType.FLOAT, LARGE, false);
        s.release();
        byte[] other = CompletableFuture.supplyAsync(() -> Buf.scratch(DataType.FLOAT, LARGE, false).array()).get();
        assertNotSame(s.array(), other);
        assertSame(s.array(), Buf.scratch(DataType.FLOAT, LARGE, false).array());
    }
}
