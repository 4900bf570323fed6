package io.fmi.local;

import io.fmi.channel.ChannelContext;
import io.fmi.channel.MediatedChannel;
import io.fmi.channel.OpContext;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collection;

/**
 * The mediated family in memory, over a {@link LocalStore}: runs the storage-shaped algorithms,
 * key scoping and clean-up without a server. Thread-safe.
 */
public final class LocalStoreChannel extends MediatedChannel {
    private final LocalStore store;

    LocalStoreChannel(ChannelContext context, LocalStore store) {
        super(context);
        this.store = store;
    }

    @Override
    protected void put(String key, ByteBuffer value, int readers, OpContext op) {
        byte[] copy = new byte[value.remaining()];
        value.duplicate().get(copy);
        store.put(key, copy);
    }

    @Override
    protected byte[] get(String key, long waitNanos, OpContext op) {
        try {
            return store.get(key, waitNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw op.error("interrupted while waiting for " + key);
        }
    }

    @Override
    protected void delete(Collection<String> keys) {
        store.delete(keys);
    }

    @Override
    protected boolean supportsCounters() {
        return context.backend().bool("counters", true);
    }

    @Override
    protected long increment(String key, OpContext op) {
        return store.increment(key);
    }

    @Override
    protected Duration abortCheckInterval() {
        return Duration.ofMillis(20);
    }
}
