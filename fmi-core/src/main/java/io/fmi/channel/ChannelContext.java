package io.fmi.channel;

import io.fmi.BackendConfig;
import io.fmi.FmiConfig;
import io.fmi.Hint;
import java.time.Duration;
import java.util.Objects;

/**
 * What a channel knows of the communicator it serves: its name and run, this peer's rank, the
 * number of peers, the configuration, and the default operation timeout.
 *
 * <p>Every key a mediated channel writes and every pairing name a direct channel registers is
 * scoped by {@link #commName()} and {@link #runId()}, so two jobs that use the same communicator
 * name on one store or rendezvous server never see each other. Immutable and thread-safe.
 */
public final class ChannelContext {
    private final String commName;
    private final String runId;
    private final int rank;
    private final int size;
    private final FmiConfig config;
    private final BackendConfig backend;
    private final String channelName;
    private final Duration timeout;
    private final int functionMemoryMiB;
    private final Hint hint;

    public ChannelContext(String commName, String runId, int rank, int size, FmiConfig config, BackendConfig backend,
                          String channelName, Duration timeout, int functionMemoryMiB, Hint hint) {
        this.commName = Objects.requireNonNull(commName, "commName");
        this.runId = Objects.requireNonNull(runId, "runId");
        this.rank = rank;
        this.size = size;
        this.config = Objects.requireNonNull(config, "config");
        this.backend = Objects.requireNonNull(backend, "backend");
        this.channelName = Objects.requireNonNull(channelName, "channelName");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.functionMemoryMiB = functionMemoryMiB;
        this.hint = Objects.requireNonNull(hint, "hint");
    }

    public String commName() {
        return commName;
    }

    /** Identifier of this run of the job; the same on every peer of it. */
    public String runId() {
        return runId;
    }

    public int rank() {
        return rank;
    }

    public int size() {
        return size;
    }

    public FmiConfig config() {
        return config;
    }

    /** This channel's entry of {@code fmi.json}'s {@code "backends"}. */
    public BackendConfig backend() {
        return backend;
    }

    /** The channel's short name, e.g. {@code "direct"}, {@code "redis"}. */
    public String channelName() {
        return channelName;
    }

    /** Default deadline of one operation on this channel. */
    public Duration timeout() {
        return timeout;
    }

    public int functionMemoryMiB() {
        return functionMemoryMiB;
    }

    public Hint hint() {
        return hint;
    }

    /** A scope prefix unique to this communicator and run: {@code "<commName>/<runId>"}. */
    public String scope() {
        return commName + "/" + runId;
    }

    /** Log line prefix: {@code "[comm=kmeans rank=3/16 ch=direct]"}. */
    public String logPrefix() {
        return "[comm=" + commName + " rank=" + rank + "/" + size + " ch=" + channelName + "]";
    }

    @Override
    public String toString() {
        return logPrefix();
    }
}
