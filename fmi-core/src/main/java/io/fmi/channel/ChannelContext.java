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
 * name on one store or rendezvous server never see each other.
 *
 * <h2>Sub-communicators</h2>
 * A communicator made by {@code split} or {@code dup} uses its parent's channels through a
 * {@link #subgroup} context: its own {@link #rank()} and {@link #size()}, a {@link #commId()}
 * that separates its messages from every other communicator sharing the channel (peer-to-peer
 * family), a {@link #scope()} of its own under the parent's (mediated family), and
 * {@link #channelRank(int)}, which maps its ranks to the ranks of the communicator that built the
 * channel, the <i>channel ranks</i> its connections and mailboxes are numbered by. Immutable and
 * thread-safe.
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
    private final String scope;
    private final int commId;
    /** Channel rank of each rank of this group; null: the channel's own communicator (identity). */
    private final int[] members;
    /** See {@link #logPrefix()}: built once, since hot paths pass it to log calls that may not log. */
    private final String logPrefix;

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
        this.scope = commName + "/" + runId;
        this.commId = 0;
        this.members = null;
        this.logPrefix = prefix(commName, rank, size, channelName);
    }

    private ChannelContext(ChannelContext parent, String commName, String scope, int commId, int[] members, int rank) {
        this.commName = commName;
        this.runId = parent.runId;
        this.rank = rank;
        this.size = members.length;
        this.config = parent.config;
        this.backend = parent.backend;
        this.channelName = parent.channelName;
        this.timeout = parent.timeout;
        this.functionMemoryMiB = parent.functionMemoryMiB;
        this.hint = parent.hint;
        this.executor = parent.executor;
        this.scheduler = parent.scheduler;
        this.scope = scope;
        this.commId = commId;
        this.members = members;
        this.logPrefix = prefix(commName, rank, size, channelName);
    }

    private static String prefix(String commName, int rank, int size, String channelName) {
        return "[comm=" + commName + " rank=" + rank + "/" + size + " ch=" + channelName + "]";
    }

    /**
     * The context of a sub-communicator of this one's channel.
     *
     * @param commName its name, e.g. {@code "job.s5c1"}
     * @param scopePart the part of its scope below this one's, e.g. {@code "s5c1"}: unique among
     *                  the sub-communicators of this communicator, the same on all their members
     * @param commId    its communicator id, non-zero, the same on all its members
     * @param channelRanks the channel rank of each of its ranks, in rank order
     * @param rank      this peer's rank in it
     * @return the sub-communicator's context
     */
    public ChannelContext subgroup(String commName, String scopePart, int commId, int[] channelRanks, int rank) {
        Objects.requireNonNull(commName, "commName");
        if (commId == 0) {
            throw new IllegalArgumentException("commId: 0 (expected: non-zero; 0 is the channel's own communicator)");
        }
        if (rank < 0 || rank >= channelRanks.length) {
            throw new IllegalArgumentException("rank: " + rank + " (expected: 0 <= rank < " + channelRanks.length + ")");
        }
        return new ChannelContext(this, commName, scope + "/" + scopePart, commId, channelRanks.clone(), rank);
    }

    /**
     * Identifies this communicator among those sharing its channel: 0 for the communicator that
     * built the channel, a non-zero id agreed by all members for a sub-communicator. Peer-to-peer
     * channels carry it with every message.
     *
     * @return the communicator id
     */
    public int commId() {
        return commId;
    }

    /**
     * Whether this is a sub-communicator's context (see {@link #subgroup}).
     *
     * @return true for a sub-communicator
     */
    public boolean isSubgroup() {
        return members != null;
    }

    /**
     * The channel rank of rank {@code rank} of this communicator: the rank, in the communicator
     * that built the channel, that connections and mailboxes are numbered by.
     *
     * @param rank a rank of this communicator
     * @return its channel rank (the rank itself for the channel's own communicator)
     */
    public int channelRank(int rank) {
        return members == null ? rank : members[rank];
    }

    /**
     * The rank in this communicator of channel rank {@code channelRank}; the inverse of
     * {@link #channelRank(int)}.
     *
     * @param channelRank a rank of the communicator that built the channel
     * @return its rank here, or -1 if it is not a member
     */
    public int rankOf(int channelRank) {
        if (members == null) {
            return channelRank;
        }
        for (int i = 0; i < members.length; i++) {
            if (members[i] == channelRank) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The largest message a receive of unknown size accepts ({@code recvBytes} and the other byte
     * and object operations): {@code max_message_bytes} of this channel's backend entry,
     * {@link #DEFAULT_MAX_MESSAGE_BYTES} by default.
     *
     * @return the limit in bytes
     */
    public int maxMessageBytes() {
        int max = backend.integer(MAX_MESSAGE_BYTES_KEY, DEFAULT_MAX_MESSAGE_BYTES);
        if (max < 0) {
            throw new io.fmi.FmiConfigException("backends." + backend.name() + "." + MAX_MESSAGE_BYTES_KEY + ": " + max + " (expected: >= 0)");
        }
        return max;
    }

    /** The backend key of {@link #maxMessageBytes()}. */
    public static final String MAX_MESSAGE_BYTES_KEY = "max_message_bytes";

    /** The largest array a JVM allocates: the default of {@link #maxMessageBytes()}. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = Integer.MAX_VALUE - 8;

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

    /**
     * The communicator's name as the user gave it; peers of one job share it.
     *
     * @return the name, e.g. {@code "kmeans"}
     */
    public String commName() {
        return commName;
    }

    /** Identifier of this run of the job; the same on every peer of it. */
    public String runId() {
        return runId;
    }

    /**
     * This peer's rank.
     *
     * @return 0 to {@code size() - 1}
     */
    public int rank() {
        return rank;
    }

    /**
     * The number of peers.
     *
     * @return at least 1
     */
    public int size() {
        return size;
    }

    /**
     * The whole configuration the communicator was built with.
     *
     * @return the configuration, all backends included
     */
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

    /**
     * The function's memory size, for the cost model: Lambda prices by memory and time.
     *
     * @return MiB of memory the function was given
     */
    public int functionMemoryMiB() {
        return functionMemoryMiB;
    }

    /**
     * What the user asked the selector to favour.
     *
     * @return the hint, e.g. fastest or cheapest
     */
    public Hint hint() {
        return hint;
    }

    /**
     * A scope prefix unique to this communicator and run: {@code "<commName>/<runId>"}, and below
     * it one part per sub-communicator level, e.g. {@code "job/run-7/s5c1"}.
     *
     * @return the scope, without a trailing slash
     */
    public String scope() {
        return scope;
    }

    /** Log line prefix: {@code "[comm=kmeans rank=3/16 ch=direct]"}. */
    public String logPrefix() {
        return logPrefix;
    }

    @Override
    public String toString() {
        return logPrefix();
    }
}
