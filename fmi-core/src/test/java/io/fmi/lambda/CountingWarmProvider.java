package io.fmi.lambda;

import io.fmi.channel.Channel;
import io.fmi.channel.ChannelContext;
import io.fmi.local.LocalStoreChannelProvider;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A warm provider for the in-memory {@code LocalStore} backend (registered for the tests of this
 * module) that counts its instances, the channels it created and its closes.
 */
public final class CountingWarmProvider implements WarmChannelProvider {
    static final AtomicInteger INSTANCES = new AtomicInteger();
    static final AtomicInteger CREATED = new AtomicInteger();
    static final AtomicInteger CLOSED = new AtomicInteger();

    private final LocalStoreChannelProvider delegate = new LocalStoreChannelProvider();

    public CountingWarmProvider() {
        INSTANCES.incrementAndGet();
    }

    @Override
    public String backend() {
        return delegate.backend();
    }

    @Override
    public String channelName() {
        return delegate.channelName();
    }

    @Override
    public io.fmi.model.Family family() {
        return delegate.family();
    }

    @Override
    public io.fmi.model.ChannelModel defaultModel() {
        return delegate.defaultModel();
    }

    @Override
    public int tieBreakRank() {
        return delegate.tieBreakRank();
    }

    @Override
    public Channel create(ChannelContext context) {
        CREATED.incrementAndGet();
        return delegate.create(context);
    }

    @Override
    public void close() {
        CLOSED.incrementAndGet();
    }
}
