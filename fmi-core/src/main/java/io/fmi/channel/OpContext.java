package io.fmi.channel;

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
 * Point-to-point calls carry sequence number {@link #P2P_SEQ}. Immutable and thread-safe.
 */
public final class OpContext {
    /** The sequence number point-to-point operations carry; collectives start at 1. */
    public static final long P2P_SEQ = 0;

    private final Operation operation;
    private final String verb;
    private final long seq;
    private final Deadline deadline;
    private final ChannelContext channel;

    /**
     * One call of an operation.
     *
     * @param operation the operation, as the models know it
     * @param verb the API name of the call, e.g. {@code "allreduce"}
     * @param seq the collective's sequence number, or {@link #P2P_SEQ}
     * @param deadline when the call must be complete
     * @param channel the communicator the call runs on, as its channel sees it
     */
    public OpContext(Operation operation, String verb, long seq, Deadline deadline, ChannelContext channel) {
        this.operation = operation;
        this.verb = verb;
        this.seq = seq;
        this.deadline = deadline;
        this.channel = channel;
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

    /** A peer failure error. */
    public PeerFailedException peerFailed(int peer, String why, Throwable cause) {
        return new PeerFailedException(peer, label() + ": " + (peer >= 0 ? "rank " + peer : "a peer") + " failed: " + why + " " + where(), cause);
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
