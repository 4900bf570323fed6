package io.fmi.local;

import io.fmi.channel.Channel;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.ChannelProvider;

/**
 * Backend {@code "LocalStore"}: the mediated family over an in-memory store. Option
 * {@code "counters": false} makes it run the counter-less algorithms (as on S3).
 */
public final class LocalStoreChannelProvider implements ChannelProvider {
    public static final String BACKEND = "LocalStore";

    private final LocalFabric fabric;

    /** For {@link java.util.ServiceLoader}: uses the JVM-wide fabric. */
    public LocalStoreChannelProvider() {
        this(LocalFabric.shared());
    }

    public LocalStoreChannelProvider(LocalFabric fabric) {
        this.fabric = fabric;
    }

    @Override
    public String backend() {
        return BACKEND;
    }

    @Override
    public String channelName() {
        return "local-store";
    }

    @Override
    public Channel create(ChannelContext context) {
        return new LocalStoreChannel(context, fabric.store());
    }
}
