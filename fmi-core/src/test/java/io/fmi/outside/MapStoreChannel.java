package io.fmi.outside;

import io.fmi.ChannelException;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.MediatedChannel;
import io.fmi.channel.OpContext;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A channel from outside fmi-core's main code: the mediated family over a map of this JVM, shared
 * by every peer. It counts the bytes each communicator puts, so a test can tell which operations
 * really ran over it. Thread-safe.
 */
public final class MapStoreChannel extends MediatedChannel {
    private static final Map<String, byte[]> STORE = new ConcurrentHashMap<>();
    /** Keys put for one reader: taken, never read with {@link #get} (as Redis keeps them in a list, not a stream). */
    private static final Set<String> SINGLE = ConcurrentHashMap.newKeySet();
    private static final Map<String, AtomicLong> BYTES_PUT = new ConcurrentHashMap<>();
    private static final Object CHANGED = new Object();

    MapStoreChannel(ChannelContext context) {
        super(context);
    }

    /** Payload bytes that the communicators named {@code commName} have put so far. */
    public static long bytesPut(String commName) {
        AtomicLong n = BYTES_PUT.get(commName);
        return n == null ? 0 : n.get();
    }

    @Override
    protected void put(String key, ByteBuffer value, int readers, OpContext op) {
        byte[] copy = new byte[value.remaining()];
        value.duplicate().get(copy);
        BYTES_PUT.computeIfAbsent(context.commName(), k -> new AtomicLong()).addAndGet(copy.length);
        synchronized (CHANGED) {
            if (readers == 1) {
                SINGLE.add(key);
            } else {
                SINGLE.remove(key);
            }
            STORE.put(key, copy);
            CHANGED.notifyAll();
        }
    }

    @Override
    protected byte[] get(String key, long waitNanos, OpContext op) {
        return await(key, false, waitNanos, op);
    }

    @Override
    protected byte[] take(String key, long waitNanos, OpContext op) {
        return await(key, true, waitNanos, op);
    }

    /**
     * The object under {@code key}, waiting up to {@code waitNanos}; fails, as Redis does (a list
     * is not a stream), when a reader of several reads an object put for one, or the one reader
     * takes an object put for several.
     */
    private static byte[] await(String key, boolean single, long waitNanos, OpContext op) {
        long end = System.nanoTime() + waitNanos;
        synchronized (CHANGED) {
            while (true) {
                byte[] v = STORE.get(key);
                if (v != null && SINGLE.contains(key) != single) {
                    throw new ChannelException(op.label() + ": " + key + " was put for " + (single ? "several readers" : "one reader")
                            + " but is " + (single ? "taken by one" : "read by one of several"));
                }
                long left = end - System.nanoTime();
                if (v != null || left <= 0) {
                    return v;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(CHANGED, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw op.error("interrupted while waiting for " + key);
                }
            }
        }
    }

    @Override
    protected void delete(Collection<String> keys) {
        keys.forEach(STORE::remove);
        keys.forEach(SINGLE::remove);
    }

    @Override
    protected Duration abortCheckInterval() {
        return Duration.ofMillis(20);
    }
}
