package io.fmi.outside;

import io.fmi.channel.Channel;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.ChannelProvider;
import io.fmi.model.ChannelModel;
import io.fmi.model.Family;

/**
 * Backend {@code "MapStore"}: {@link MapStoreChannel}, registered in this test module's
 * {@code META-INF/services}. Its own model: quick to start (0.1 ms per request) but slow to move
 * bytes (10 MB/s), so it beats a store with more overhead and more bandwidth on small messages
 * only. No tie-break rank: it takes the default.
 */
public final class MapStoreProvider implements ChannelProvider {
    /** The backend name in {@code fmi.json}. */
    public static final String BACKEND = "MapStore";
    /** Overhead of one request, seconds. */
    public static final double OVERHEAD_SECONDS = 1e-4;
    /** Bandwidth of one request stream, bytes per second. */
    public static final double BANDWIDTH_BYTES_PER_SEC = 1e7;

    @Override
    public String backend() {
        return BACKEND;
    }

    @Override
    public Family family() {
        return Family.MEDIATED;
    }

    @Override
    public ChannelModel defaultModel() {
        return ChannelModel.builder(BACKEND, family())
                .overheadSeconds(OVERHEAD_SECONDS)
                .bandwidthSingleBytesPerSec(BANDWIDTH_BYTES_PER_SEC)
                .build();
    }

    @Override
    public Channel create(ChannelContext context) {
        return new MapStoreChannel(context);
    }
}
