package io.fmi.local;

import io.fmi.channel.Channel;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.ChannelProvider;
import io.fmi.model.ChannelModel;
import io.fmi.model.Family;

/**
 * Backend {@code "LocalStore"}: the mediated family over an in-memory store. Option
 * {@code "counters": false} makes it run the counter-less algorithms (as on a store without
 * atomic counters). Its model is free and instantaneous, and it comes right after {@code Local} in
 * the tie-break order, so the selector picks it whenever it is enabled and {@code Local} is not.
 */
public final class LocalStoreChannelProvider implements ChannelProvider {
    /** The backend name in {@code fmi.json}. */
    public static final String BACKEND = "LocalStore";

    private final LocalFabric fabric;

    /** For {@link java.util.ServiceLoader}: uses the JVM-wide fabric. */
    public LocalStoreChannelProvider() {
        this(LocalFabric.shared());
    }

    /** Uses {@code fabric}'s store, as {@link LocalCluster} does for a run of its own. */
    public LocalStoreChannelProvider(LocalFabric fabric) {
        this.fabric = fabric;
    }

    @Override
    public String backend() {
        return BACKEND;
    }

    @Override
    public Family family() {
        return Family.MEDIATED;
    }

    /** Free and instantaneous: a map in this JVM costs no request and no measurable time. */
    @Override
    public ChannelModel defaultModel() {
        return ChannelModel.builder(BACKEND, family()).build();
    }

    /** 10: right after {@code Local}. */
    @Override
    public int tieBreakRank() {
        return 10;
    }

    @Override
    public String channelName() {
        return "local-store";
    }

    /** {@code false}: its messages never leave this JVM (see {@link LocalCluster} for how runs are kept apart). */
    @Override
    public boolean sharedBetweenJobs() {
        return false;
    }

    @Override
    public Channel create(ChannelContext context) {
        return new LocalStoreChannel(context, fabric.store());
    }
}
