package io.fmi.channel;

import java.lang.ref.SoftReference;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Per-thread pool of the large arrays behind {@link Buf#scratch} buffers: the conversions of
 * {@code int[]}..{@code double[]} buffers to bytes and the temporaries of collective algorithms.
 * Without it, an allreduce of 1 MiB of doubles allocated (and zeroed) 2.5 MiB per call, and the
 * young collections this caused stalled the benchmark for 7-48 ms every 150 ms.
 *
 * <p>Holds at most {@value #MAX_ARRAYS} arrays per thread, most recently returned first, each
 * through a {@link SoftReference} so that the GC may reclaim them when memory runs short. An
 * array is handed out only for a request of at least half its length, so a small request does not
 * pin a huge array. Arrays below {@value #MIN_BYTES} bytes are not pooled: allocating them is cheap.
 */
final class ScratchPool {
    /** Smallest array worth pooling. */
    static final int MIN_BYTES = 64 * 1024;
    private static final int MAX_ARRAYS = 4;
    private static final ThreadLocal<ArrayDeque<SoftReference<byte[]>>> POOL = ThreadLocal.withInitial(ArrayDeque::new);

    private ScratchPool() {
    }

    /** An array of {@code n} to {@code 2n} bytes, contents undefined, or null when none is pooled. */
    static byte[] take(int n) {
        for (Iterator<SoftReference<byte[]>> it = POOL.get().iterator(); it.hasNext(); ) {
            byte[] a = it.next().get();
            if (a == null) {
                it.remove();
            } else if (a.length >= n && a.length / 2 <= n) {
                it.remove();
                return a;
            }
        }
        return null;
    }

    /** Returns an array (one {@link #take} or a pooled {@link Buf} made) to this thread's pool; the oldest falls out when the pool is full. */
    static void give(byte[] a) {
        ArrayDeque<SoftReference<byte[]>> q = POOL.get();
        q.addFirst(new SoftReference<>(a));
        while (q.size() > MAX_ARRAYS) {
            q.removeLast();
        }
    }
}
