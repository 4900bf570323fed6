package io.fmi.channel;

import io.fmi.model.ChannelModel;
import io.fmi.model.Family;

/**
 * Creates the channel of one {@code fmi.json} backend, and says what it costs. Providers are
 * found with {@link java.util.ServiceLoader} (list them in
 * {@code META-INF/services/io.fmi.channel.ChannelProvider}; see {@link ChannelProviders}) or
 * passed to {@code Communicator.builder().channelProvider(...)}; a communicator uses the providers
 * whose backend is enabled in its configuration.
 *
 * <p>A provider owns its channel's defaults: its {@link #family() family}, its
 * {@link #defaultModel() default model} (what the selector weighs against the other channels;
 * the {@code "model"} section of {@code fmi.json} overlays it key by key) and its place in the
 * selector's {@link #tieBreakRank() tie-break order}. A provider that states none of them is a
 * mediated channel that is free and instantaneous, ordered after every channel that ships with
 * FMI: the selector then picks it for every operation unless an in-memory channel is enabled too.
 * Give it a model (here or in {@code fmi.json}) to have it weighed.
 *
 * <pre>
 * public final class MyProvider implements ChannelProvider {
 *     public String backend() { return "MyStore"; }          // "backends": {"MyStore": {"enabled": true, ...}}
 *     public Family family() { return Family.MEDIATED; }
 *     public ChannelModel defaultModel() {                   // 2 ms per request, 100 MB/s, USD 1 per million writes
 *         return ChannelModel.builder(backend(), family()).overheadSeconds(0.002)
 *                 .bandwidthSingleBytesPerSec(100e6).writePriceUsd(1e-6).build();
 *     }
 *     public Channel create(ChannelContext ctx) { return new MyChannel(ctx); }
 * }
 * </pre>
 *
 * <p>Every peer of a job must see the same family, model and rank for a backend (the selector is
 * a pure function that each peer evaluates alone), so return constants, not measurements.
 * Implementations must be thread-safe and cheap to construct.
 */
public interface ChannelProvider {
    /**
     * The {@link #tieBreakRank()} of a provider that does not state one: after every channel
     * that ships with FMI (whose ranks are below 100).
     */
    int DEFAULT_TIE_BREAK_RANK = 1000;

    /** The backend name in {@code fmi.json}, e.g. {@code "MyStore"}; matched case-insensitively. */
    String backend();

    /** The channel's short name in logs and {@code channelFor}; by default the backend name in lower case. */
    default String channelName() {
        return backend().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The family of the channel, which decides the collective algorithms the selector models for
     * it ({@link io.fmi.model.OperationModel}): {@link Family#PEER_TO_PEER} for a channel that
     * extends {@link PeerToPeerChannel}, {@link Family#MEDIATED} for one that extends
     * {@link MediatedChannel}. By default {@link Family#MEDIATED}.
     */
    default Family family() {
        return Family.MEDIATED;
    }

    /**
     * The channel's model before the {@code "model"} section of {@code fmi.json} overlays it: its
     * overheads, bandwidths and prices, with the sources of the figures in the implementation. The
     * model's family should be {@link #family()}. By default
     * {@code ChannelModel.builder(backend(), family()).build()}: no overhead, unbounded bandwidth,
     * free.
     */
    default ChannelModel defaultModel() {
        return ChannelModel.builder(backend(), family()).build();
    }

    /**
     * Where this channel stands when the estimates of two channels are exactly equal: the lower
     * rank wins, equal ranks go by backend name (lower case). A constant, the same on every peer.
     * By default {@link #DEFAULT_TIE_BREAK_RANK}.
     */
    default int tieBreakRank() {
        return DEFAULT_TIE_BREAK_RANK;
    }

    /**
     * This backend's entry in {@link io.fmi.FmiConfig#defaults()}, as a JSON object: whether it
     * is enabled when nothing is configured and the values of its keys that the default
     * configuration shows. By default {@code {"enabled": false}}: a channel from outside is used
     * once a configuration enables it.
     *
     * @return a JSON object, e.g. {@code {"enabled": false, "host": "127.0.0.1", "port": 6379}}
     */
    default String defaultBackendJson() {
        return "{\"enabled\": false}";
    }

    /**
     * Whether jobs in other processes can meet on this channel: its objects or pairings live
     * outside this JVM (a store, a rendezvous server), so two runs with the same communicator name
     * and run id would exchange data on it. A communicator of more than one peer that may use such
     * a channel needs an explicit run id ({@code Communicator.Builder.runId}). {@code true} by
     * default; the in-memory channels answer {@code false}.
     *
     * @return whether two jobs can share this channel's keys or pairing names
     */
    default boolean sharedBetweenJobs() {
        return true;
    }

    /**
     * Creates the channel for one communicator. Must do no network I/O: channels connect on
     * first use, so building a communicator never blocks.
     */
    Channel create(ChannelContext context);
}
