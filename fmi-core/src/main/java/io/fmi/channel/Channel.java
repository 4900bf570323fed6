package io.fmi.channel;

import io.fmi.ReduceOp;
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
     * How long a thread waiting for this channel spins before it parks, in nanoseconds. Spinning
     * saves the wake-up latency of a parked thread (tens of microseconds) on a channel whose
     * messages arrive that fast; 0 (the default) parks at once, right for stores and for
     * functions with a fraction of a vCPU.
     */
    default long spinNanos() {
        return 0;
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
        Waits.await(send(op, data, dest), op, dest, "send", data.byteLength(), spinNanos());
    }

    /** {@link #recv}, blocking the calling thread; see {@link #sendBlocking}. */
    default void recvBlocking(OpContext op, Buf data, int src) {
        Waits.await(recv(op, data, src), op, src, "receive", data.byteLength(), spinNanos());
    }

    void bcast(OpContext op, Buf data, int root);

    void barrier(OpContext op);

    /** {@code recv} (null on non-roots) holds {@code size} blocks of {@code send.count()} elements, in rank order. */
    void gather(OpContext op, Buf send, Buf recv, int root);

    /** {@code send} (null on non-roots) holds {@code size} blocks of {@code recv.count()} elements, in rank order. */
    void scatter(OpContext op, Buf send, Buf recv, int root);

    void allgather(OpContext op, Buf send, Buf recv);

    /** Block {@code j} of {@code send} goes to rank {@code j}; block {@code i} of {@code recv} comes from rank {@code i}. */
    void alltoall(OpContext op, Buf send, Buf recv);

    /** {@code recv} is null on non-roots. */
    void reduce(OpContext op, Buf send, Buf recv, int root, ReduceOp reduceOp);

    void allreduce(OpContext op, Buf send, Buf recv, ReduceOp reduceOp);

    /** Inclusive prefix reduction: rank {@code i} receives {@code x0 ∘ ... ∘ xi}. */
    void scan(OpContext op, Buf send, Buf recv, ReduceOp reduceOp);

    /**
     * This peer failed: tell the other peers where the channel can (close connections, write a
     * marker), so that they fail at once rather than wait out their deadlines; then release
     * everything as {@link #close()} does. Best effort; never throws.
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
