package io.fmi.channel;

import io.fmi.CollectiveMismatchException;
import io.fmi.FmiException;
import io.fmi.FmiTimeoutException;
import io.fmi.Operation;
import io.fmi.PeerFailedException;
import java.util.Locale;

/**
 * One call of an operation as a channel sees it: what it is, its sequence number, its deadline, and
 * who is calling, so that every error names the operation, the peer, the channel and the limit.
 *
 * <p>Collectives are numbered {@code 1, 2, 3, ...} in the order each peer calls them; the number is
 * the same on every peer for the same collective, so channels use it to match messages (tag, key).
 * Point-to-point calls carry sequence number {@link #P2P_SEQ}. A collective also carries its
 * {@linkplain OpCodes code} and root, which its messages carry on the wire so that a peer
 * running another collective, or the same one with another root, is told so
 * ({@link #mismatch}). Immutable and thread-safe.
 */
public final class OpContext {
    /** The sequence number point-to-point operations carry; collectives start at 1. */
    public static final long P2P_SEQ = 0;

    private final Operation operation;
    private final String verb;
    private final long seq;
    private final Deadline deadline;
    private final ChannelContext channel;
    private final int code;
    private final int root;

    /**
     * One call of an operation without a root (point-to-point, or a collective that has none).
     *
     * @param operation the operation, as the models know it
     * @param verb the API name of the call, e.g. {@code "allreduce"}
     * @param seq the collective's sequence number, or {@link #P2P_SEQ}
     * @param deadline when the call must be complete
     * @param channel the communicator the call runs on, as its channel sees it
     */
    public OpContext(Operation operation, String verb, long seq, Deadline deadline, ChannelContext channel) {
        this(operation, verb, seq, OpCodes.NO_ROOT, deadline, channel);
    }

    /**
     * A call of {@code verb}; a collective's code follows from its verb ({@link OpCodes#of}).
     *
     * @param operation what the selector and overrides call it
     * @param verb      the API name of the call
     * @param seq       its sequence number, {@link #P2P_SEQ} for point-to-point
     * @param root      the root of a rooted collective, else {@link OpCodes#NO_ROOT}
     * @param deadline  when it must be done
     * @param channel   the channel it runs on
     */
    public OpContext(Operation operation, String verb, long seq, int root, Deadline deadline, ChannelContext channel) {
        this.operation = operation;
        this.verb = verb;
        this.seq = seq;
        this.deadline = deadline;
        this.channel = channel;
        this.code = seq == P2P_SEQ ? OpCodes.UNKNOWN : OpCodes.of(verb);
        this.root = root;
    }

    /**
     * The operation, as the models know it.
     *
     * @return the operation
     */
    public Operation operation() {
        return operation;
    }

    /** The API name of the call, e.g. {@code "recv"} or {@code "allreduce"}. */
    public String verb() {
        return verb;
    }

    /**
     * The collective's sequence number, the same on every peer; {@link #P2P_SEQ} for point-to-point.
     *
     * @return the sequence number
     */
    public long seq() {
        return seq;
    }

    /**
     * When the call must be complete.
     *
     * @return the call's deadline
     */
    public Deadline deadline() {
        return deadline;
    }

    /**
     * The communicator the call runs on, as its channel sees it.
     *
     * @return the channel's context
     */
    public ChannelContext channel() {
        return channel;
    }

    /**
     * The collective's {@linkplain OpCodes code}, which its messages carry.
     *
     * @return the code; {@link OpCodes#UNKNOWN} for point-to-point
     */
    public int code() {
        return code;
    }

    /**
     * The collective's root, which its messages carry.
     *
     * @return the root rank; {@link OpCodes#NO_ROOT} when it has none
     */
    public int root() {
        return root;
    }

    /**
     * The label with the root.
     *
     * @return {@code "bcast #7 (root 0)"}, {@code "allreduce #7"} or {@code "recv"}
     */
    public String signature() {
        return root == OpCodes.NO_ROOT ? label() : label() + " (root " + root + ")";
    }

    /**
     * Whether a message (or stored object) that says it belongs to collective {@code (code, root)}
     * belongs to this call: null when it does, or when either side does not state its code;
     * otherwise the error naming both collectives.
     *
     * @param peer what sent it, for the message, e.g. {@code "rank 2 sent a message of"}
     * @param code the code it carries
     * @param root the root it carries
     * @return null, or the error to raise
     */
    public CollectiveMismatchException mismatch(String peer, int code, int root) {
        if (code == OpCodes.UNKNOWN || this.code == OpCodes.UNKNOWN || code == OpCodes.NOTICE
                || (code == this.code && root == this.root)) {
            return null;
        }
        return new CollectiveMismatchException(signature() + ": " + peer + " " + OpCodes.describe(code, seq, root)
                + " (expected: every rank calls the same collective with the same root as its collective #" + seq + ") " + where());
    }

    /** {@code "allreduce #7"} or {@code "recv"}. */
    public String label() {
        return seq == P2P_SEQ ? verb : verb + " #" + seq;
    }

    /** Suffix for messages: {@code "(channel=local, comm=job rank=1/4)"}. */
    public String where() {
        return "(channel=" + channel.channelName() + ", comm=" + channel.commName() + " rank=" + channel.rank() + "/" + channel.size() + ")";
    }

    /** A timeout error waiting for {@code peer} (or -1 when the wait is not on one peer). */
    public FmiTimeoutException timeout(int peer, String what) {
        return new FmiTimeoutException(label() + ": " + what + (peer >= 0 ? " from rank " + peer : "")
                + " not complete within " + deadline.timeout().toMillis() + " ms " + where());
    }

    /**
     * A timeout error waiting for {@code peer} (or -1), with what is known of why: {@code why}
     * (null for nothing) is added in parentheses.
     */
    public FmiTimeoutException timeout(int peer, String what, String why) {
        return new FmiTimeoutException(label() + ": " + what + (peer >= 0 ? " from rank " + peer : "")
                + " not complete within " + deadline.timeout().toMillis() + " ms" + (why == null ? "" : " (" + why + ")") + " " + where());
    }

    /**
     * A peer failure error. When {@code cause} is the departure of {@code peer}
     * ({@link #departure}) and says it gave up because another rank failed first, the error names
     * that rank ({@link PeerFailedException#peer()}) and says which rank passed the failure on, so
     * that every survivor of a crash blames the rank that crashed, not the neighbour that told it.
     *
     * @param peer  the rank of this communicator that left, or -1
     * @param why   what it said, or how it was found gone
     * @param cause what reported it, or null
     * @return the error to raise
     */
    public PeerFailedException peerFailed(int peer, String why, Throwable cause) {
        int origin = originOf(cause);
        if (origin >= 0 && peer >= 0 && origin != channel.channelRank(peer) && origin != channel.channelRank(channel.rank())) {
            int here = channel.rankOf(origin);
            String who = here >= 0 ? "rank " + here : "channel rank " + origin + " (not a member of this communicator)";
            return new PeerFailedException(here >= 0 ? here : peer, label() + ": " + who + " failed, and rank " + peer
                    + " gave up because of it: " + why + " " + where(), cause);
        }
        return new PeerFailedException(peer, label() + ": " + (peer >= 0 ? "rank " + peer : "a peer") + " failed: " + why + " " + where(), cause);
    }

    /**
     * What a channel tells the other ranks when channel rank {@code channelRank} aborts with
     * {@code cause}: a {@link PeerFailedException} naming it, whose cause is {@code cause}; when
     * {@code cause} is a {@link PeerFailedException} (in channel ranks, as
     * {@link io.fmi.channel.Channel#abort} receives it), {@link #peerFailed} at the receiving ranks
     * names the rank it names.
     *
     * @param channelRank the rank that aborts
     * @param cause       why, or null
     * @return the exception to report to the peers
     */
    public static PeerFailedException departure(int channelRank, Throwable cause) {
        return new PeerFailedException(channelRank, "rank " + channelRank + " failed: " + cause, cause);
    }

    /**
     * The channel rank whose failure {@code cause}, a {@linkplain #departure departure}, passes on,
     * or -1.
     */
    private static int originOf(Throwable cause) {
        if (cause instanceof PeerFailedException && cause.getCause() instanceof PeerFailedException) {
            return ((PeerFailedException) cause.getCause()).peer();
        }
        return -1;
    }

    /** A plain error about this call. */
    public FmiException error(String message) {
        return new FmiException(label() + ": " + message + " " + where());
    }

    @Override
    public String toString() {
        return label().toLowerCase(Locale.ROOT) + " " + where();
    }
}
