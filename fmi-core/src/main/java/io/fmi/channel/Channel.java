package io.fmi.channel;

import io.fmi.FmiException;
import io.fmi.ReduceOp;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Moves the bytes of one communicator's operations. A channel is made by its
 * {@link ChannelProvider} for one peer of one communicator and used from then on by that
 * communicator only.
 *
 * <p>Most channels extend one of the two families, which implement every collective on top of a
 * few transfer primitives: {@link PeerToPeerChannel} ("send these bytes to peer p") and
 * {@link MediatedChannel} (put/get of keyed objects in a store).
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #send} and {@link #recv} may be called concurrently from many threads; messages
 *       from one peer to another never overtake each other.</li>
 *   <li>Collectives are called one at a time, in the same order on every peer, each with a
 *       sequence number ({@link OpContext#seq()}) unique within the communicator. They block the
 *       calling thread until done or until {@link OpContext#deadline()}.</li>
 *   <li>{@link Buf}s passed as sources are never written. Receive buffers are filled in place; the
 *       caller publishes them with {@link Buf#commit()} afterwards.</li>
 *   <li>Counts of the variable-size collectives ({@code gatherv}, ...) are elements, have been
 *       checked by the caller (one per rank, non-negative, adding up to the buffers' lengths) and
 *       are the same on every rank. Byte arrays handed to the byte operations are the caller's
 *       and never written; arrays returned belong to the caller.</li>
 *   <li>A receive of unknown size accepts at most {@link ChannelContext#maxMessageBytes()}
 *       bytes and otherwise fails naming that limit.</li>
 *   <li>Errors: {@link io.fmi.FmiTimeoutException} at the deadline,
 *       {@link io.fmi.PeerFailedException} when a peer is known to have failed,
 *       {@link io.fmi.ChannelException} when the transport fails, {@link io.fmi.FmiException}
 *       on a size mismatch.</li>
 * </ul>
 */
public interface Channel extends AutoCloseable {
    /** Short name, e.g. {@code "direct"}. */
    String name();

    /**
     * What a thread waiting for this channel does before it parks. Polling saves the wake-up
     * latency of a parked thread (tens of microseconds) on a channel whose messages arrive that
     * fast; {@link IdleStrategy#block()} (the default) parks at once, right for stores.
     *
     * @return the channel's idle strategy
     */
    default IdleStrategy idleStrategy() {
        return IdleStrategy.block();
    }

    /**
     * Sends {@code data} to {@code dest}; the future completes once the data left the caller's
     * buffer (copied or stored), and fails if the send failed.
     */
    CompletableFuture<Void> send(OpContext op, Buf data, int dest);

    /** Receives the next message from {@code src} into {@code data}, which must match its length exactly. */
    CompletableFuture<Void> recv(OpContext op, Buf data, int src);

    /**
     * {@link #send}, blocking the calling thread until it completes or the deadline passes. A
     * channel whose transfer blocks anyway (a store request) overrides it to work on the calling
     * thread rather than hand the call to another one and back.
     */
    default void sendBlocking(OpContext op, Buf data, int dest) {
        Waits.await(send(op, data, dest), op, dest, "send", data.byteLength(), idleStrategy());
    }

    /** {@link #recv}, blocking the calling thread; see {@link #sendBlocking}. */
    default void recvBlocking(OpContext op, Buf data, int src) {
        Waits.await(recv(op, data, src), op, src, "receive", data.byteLength(), idleStrategy());
    }

    /** {@code data} is the root's message on the root and the buffer it lands in on every other peer. */
    void bcast(OpContext op, Buf data, int root);

    /** Returns once every peer has entered the barrier. */
    void barrier(OpContext op);

    /** {@code recv} (null on non-roots) holds {@code size} blocks of {@code send.count()} elements, in rank order. */
    void gather(OpContext op, Buf send, Buf recv, int root);

    /** {@code send} (null on non-roots) holds {@code size} blocks of {@code recv.count()} elements, in rank order. */
    void scatter(OpContext op, Buf send, Buf recv, int root);

    /**
     * {@code recv} holds {@code size} blocks of {@code send.count()} elements, in rank order, on every peer.
     */
    void allgather(OpContext op, Buf send, Buf recv);

    /** Block {@code j} of {@code send} goes to rank {@code j}; block {@code i} of {@code recv} comes from rank {@code i}. */
    void alltoall(OpContext op, Buf send, Buf recv);

    /** {@code recv} is null on non-roots. */
    void reduce(OpContext op, Buf send, Buf recv, int root, ReduceOp reduceOp);

    /**
     * Every peer's {@code recv} gets {@code x0 ∘ x1 ∘ ... ∘ x(size-1)}, element by element, in rank order.
     */
    void allreduce(OpContext op, Buf send, Buf recv, ReduceOp reduceOp);

    /** Inclusive prefix reduction: rank {@code i} receives {@code x0 ∘ ... ∘ xi}. */
    void scan(OpContext op, Buf send, Buf recv, ReduceOp reduceOp);

    /**
     * Receives the next message from {@code src}, whatever its length up to
     * {@link ChannelContext#maxMessageBytes()}.
     *
     * @param op  the call
     * @param src the sending rank
     * @return completes with the message's bytes
     */
    default CompletableFuture<byte[]> recvAny(OpContext op, int src) {
        throw unsupported(op);
    }

    /**
     * {@link #recvAny}, blocking the calling thread; see {@link #sendBlocking}.
     *
     * @param op  the call
     * @param src the sending rank
     * @return the message's bytes
     */
    default byte[] recvAnyBlocking(OpContext op, int src) {
        CompletableFuture<byte[]> f = recvAny(op, src);
        Waits.await(f, op, src, "message", -1, idleStrategy());
        return f.join();
    }

    /**
     * Sends {@code send} to {@code dest} and receives the next message from {@code src} into
     * {@code recv}, blocking until both are done; the receive is posted first.
     *
     * @param op   the call
     * @param send the message to send
     * @param dest the receiving rank
     * @param recv receives the message from {@code src} (its exact length)
     * @param src  the sending rank
     */
    default void sendrecv(OpContext op, Buf send, int dest, Buf recv, int src) {
        CompletableFuture<Void> r = recv(op, recv, src);
        sendBlocking(op, send, dest);
        Waits.await(r, op, src, "receive", recv.byteLength(), idleStrategy());
    }

    /**
     * Exclusive prefix reduction: rank {@code i > 0} receives {@code x0 ∘ ... ∘ x(i-1)}; rank 0's
     * {@code recv} is not written.
     */
    default void exscan(OpContext op, Buf send, Buf recv, ReduceOp reduceOp) {
        throw unsupported(op);
    }

    /**
     * Rank {@code i}'s {@code counts[i]} elements are packed in rank order into the root's
     * {@code recv} (null on non-roots).
     */
    default void gatherv(OpContext op, Buf send, Buf recv, int[] counts, int root) {
        throw unsupported(op);
    }

    /** The root's {@code send} (null on non-roots) holds {@code counts[i]} elements for rank {@code i}, in rank order. */
    default void scatterv(OpContext op, Buf send, int[] counts, Buf recv, int root) {
        throw unsupported(op);
    }

    /** Every rank receives every rank's {@code counts[i]} elements, packed in rank order. */
    default void allgatherv(OpContext op, Buf send, Buf recv, int[] counts) {
        throw unsupported(op);
    }

    /**
     * {@code sendCounts[j]} elements of {@code send} (blocks packed in rank order) go to rank
     * {@code j}; {@code recvCounts[i]} elements of {@code recv} come from rank {@code i}.
     */
    default void alltoallv(OpContext op, Buf send, int[] sendCounts, Buf recv, int[] recvCounts) {
        throw unsupported(op);
    }

    /**
     * Rank {@code i} receives block {@code i} ({@code counts[i]} elements) of the rank-ordered
     * reduction {@code x0 ∘ ... ∘ x(n-1)} of every rank's {@code send}.
     */
    default void reduceScatter(OpContext op, Buf send, Buf recv, int[] counts, ReduceOp reduceOp) {
        throw unsupported(op);
    }

    /**
     * The root's {@code data} (null elsewhere), of any length, to every rank.
     *
     * @return the root's bytes: {@code data} itself at the root, a new array elsewhere
     */
    default byte[] bcastBytes(OpContext op, byte[] data, int root) {
        throw unsupported(op);
    }

    /**
     * Every rank's {@code send}, of any length, at the root.
     *
     * @return at the root, the arrays of ranks 0..n-1 (its own a copy); null elsewhere
     */
    default List<byte[]> gatherBytes(OpContext op, byte[] send, int root) {
        throw unsupported(op);
    }

    /**
     * Every rank's {@code send}, of any length, at every rank.
     *
     * @return the arrays of ranks 0..n-1 (its own a copy)
     */
    default List<byte[]> allgatherBytes(OpContext op, byte[] send) {
        throw unsupported(op);
    }

    /**
     * {@code send.get(j)}, of any length, goes to rank {@code j}.
     *
     * @return element {@code i} came from rank {@code i} (its own a copy)
     */
    default List<byte[]> alltoallBytes(OpContext op, List<byte[]> send) {
        throw unsupported(op);
    }

    /**
     * A channel for a sub-communicator made by {@code split} or {@code dup}: it runs over this
     * channel's connections or store with the ranks, communicator id and scope of {@code sub}
     * (see {@link ChannelContext#subgroup}). Closing it leaves this channel working.
     *
     * @param sub the sub-communicator's context
     * @return its channel; does no network I/O
     */
    default Channel subgroup(ChannelContext sub) {
        throw new FmiException("channel " + name() + " has no sub-communicators (" + getClass().getName()
                + " extends neither PeerToPeerChannel nor MediatedChannel)");
    }

    private FmiException unsupported(OpContext op) {
        return op.error("not supported by channel " + name() + " (" + getClass().getName()
                + " extends neither PeerToPeerChannel nor MediatedChannel)");
    }

    /**
     * This peer failed: tell the other peers where the channel can (close connections, write a
     * marker), so that they fail at once rather than wait out their deadlines; then release
     * everything as {@link #close()} does. Best effort; never throws. A
     * {@link io.fmi.PeerFailedException} {@code cause} names a channel rank: this rank gives up
     * because that one failed, and the peers are told so ({@link OpContext#departure}).
     */
    void abort(Throwable cause);

    /**
     * Releases connections, threads and buffers; fails operations still waiting. Idempotent. A
     * channel that accepted messages (their send returned) it could not deliver throws an
     * {@link io.fmi.FmiException} saying so, after releasing everything: no silent loss.
     */
    @Override
    void close();
}
