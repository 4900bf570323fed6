package io.fmi.local;

import io.fmi.channel.Channel;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.ChannelProvider;

/**
 * Backend {@code "Local"}: the in-memory peer-to-peer channel. Found by {@link java.util.ServiceLoader}
 * with the JVM-wide {@link LocalFabric#shared()} fabric; {@link LocalCluster} passes its own.
 */
public final class LocalChannelProvider implements ChannelProvider {
    public static final String BACKEND = "Local";

    private final LocalFabric fabric;

    /** For {@link java.util.ServiceLoader}: uses the JVM-wide fabric. */
    public LocalChannelProvider() {
        this(LocalFabric.shared());
    }

    public LocalChannelProvider(LocalFabric fabric) {
        this.fabric = fabric;
    }

    @Override
    public String backend() {
        return BACKEND;
    }

    @Override
    public Channel create(ChannelContext context) {
        return new LocalChannel(context, fabric.group(context.scope(), context.size()));
    }
}
