package io.fmi.channel;

import io.fmi.BackendConfig;
import io.fmi.FmiConfig;
import io.fmi.Hint;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

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
    private final Executor executor;
    private final ScheduledExecutorService scheduler;

    /**
     * The context of one channel of one communicator.
     *
     * @param commName          the communicator's name
     * @param runId             the run of the job
     * @param rank              this peer's rank
     * @param size              number of peers
     * @param config            the whole configuration
     * @param backend           this channel's backend entry
     * @param channelName       the channel's short name
     * @param timeout           default deadline of one operation
     * @param functionMemoryMiB memory of the function, for the cost model
     * @param hint              what the selector optimises for
     * @param executor          the communicator's executor for background work (see {@link #executor()})
     * @param scheduler         a scheduler the user gave the communicator, or null (see {@link #scheduler()})
     */
    public ChannelContext(String commName, String runId, int rank, int size, FmiConfig config, BackendConfig backend,
                          String channelName, Duration timeout, int functionMemoryMiB, Hint hint,
                          Executor executor, ScheduledExecutorService scheduler) {
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
        this.executor = Objects.requireNonNull(executor, "executor");
        this.scheduler = scheduler;
    }

    /**
     * Where a channel runs background work that may block, such as the store requests of
     * non-blocking calls and deletes: the executor given to the communicator's builder, else one
     * the communicator made and shuts down at its close. Not the channel's to shut down; a channel
     * waits at its own close for the tasks it submitted.
     *
     * @return the communicator's executor
     */
    public Executor executor() {
        return executor;
    }

    /**
     * The scheduler the user gave the communicator's builder, for timers such as the deadlines of
     * waiting receives; empty when FMI is to use its own (see {@link Mailbox}). Not the channel's
     * to shut down.
     *
     * @return the user's scheduler, if any
     */
    public Optional<ScheduledExecutorService> scheduler() {
        return Optional.ofNullable(scheduler);
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
