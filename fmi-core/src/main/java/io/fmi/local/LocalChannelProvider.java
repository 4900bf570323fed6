package io.fmi.local;

import io.fmi.channel.Channel;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.ChannelProvider;
import io.fmi.model.ChannelModel;
import io.fmi.model.Family;

/**
 * Backend {@code "Local"}: the in-memory peer-to-peer channel. Found by {@link java.util.ServiceLoader}
 * with the JVM-wide {@link LocalFabric#shared()} fabric; {@link LocalCluster} passes its own.
 * Its model is free and instantaneous, and it comes first in the tie-break order, so the selector
 * picks it whenever it is enabled.
 */
public final class LocalChannelProvider implements ChannelProvider {
    /** The backend name in {@code fmi.json}. */
    public static final String BACKEND = "Local";

    private final LocalFabric fabric;

    /** For {@link java.util.ServiceLoader}: uses the JVM-wide fabric. */
    public LocalChannelProvider() {
        this(LocalFabric.shared());
    }

    /** Uses {@code fabric}, as {@link LocalCluster} does for a run of its own. */
    public LocalChannelProvider(LocalFabric fabric) {
        this.fabric = fabric;
    }

    @Override
    public String backend() {
        return BACKEND;
    }

    @Override
    public Family family() {
        return Family.PEER_TO_PEER;
    }

    /** Free and instantaneous: a copy between threads of one JVM costs no request and no measurable time. */
    @Override
    public ChannelModel defaultModel() {
        return ChannelModel.builder(BACKEND, family()).build();
    }

    /** 0: first of all channels. */
    @Override
    public int tieBreakRank() {
        return 0;
    }

    /** {@code false}: its messages never leave this JVM (see {@link LocalCluster} for how runs are kept apart). */
    @Override
    public boolean sharedBetweenJobs() {
        return false;
    }

    @Override
    public Channel create(ChannelContext context) {
        return new LocalChannel(context, fabric.group(context.scope(), context.size()));
    }
}
