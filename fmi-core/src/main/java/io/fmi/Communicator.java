package io.fmi;

import io.fmi.channel.Buf;
import io.fmi.channel.ChannelProvider;
import io.fmi.internal.DefaultCommunicator;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A group of {@link #size()} peers, each with a {@link #rank()}, exchanging data with MPI-style
 * point-to-point and collective operations over the channel the selector picks for each.
 *
 * <pre>
 * FmiConfig cfg = FmiConfig.load(Path.of("fmi.json"));
 * try (Communicator comm = Communicator.builder()
 *         .config(cfg)
 *         .name("kmeans-42")          // unique per concurrent job
 *         .rank(peerId).size(numPeers)
 *         .build()) {
 *     double[] local = ..., global = new double[local.length];
 *     comm.allreduce(local, global, ReduceOp.SUM);
 * }
 * </pre>
 *
 * <h2>Semantics</h2>
 * <ul>
 *   <li>Buffers belong to the caller. Send buffers are never modified; receive buffers are filled
 *       in place. A {@link ByteBuffer} is read or written between its position and limit, and its
 *       position is left where it was.</li>
 *   <li>Messages between two peers never overtake each other. Collectives match by the order in
 *       which each peer calls them, so every peer must call the same collectives in the same order.</li>
 *   <li>Sizes must agree: a receive buffer whose length differs from the message, gather/scatter
 *       buffers that do not hold {@code size} blocks, reduce buffers of different lengths raise
 *       {@link FmiException} naming the operation, the peer and both lengths. A mismatched message
 *       is not consumed.</li>
 *   <li>Every blocking call has a deadline (the builder's {@code timeout}, else the channel's
 *       {@code max_timeout}, else 60 s) and raises {@link FmiTimeoutException} when it passes; a
 *       peer known to have failed raises {@link PeerFailedException} at once.</li>
 *   <li>Each operation {@code op} has a non-blocking twin {@code iop} returning a
 *       {@link CompletableFuture} that completes once the caller's buffers may be reused; the
 *       blocking form is the non-blocking one plus a bounded wait. Futures never complete on an
 *       I/O thread. Do not touch the buffers of an operation in flight.</li>
 *   <li>Reduction operators are applied in rank order, {@code x0 ∘ x1 ∘ ... ∘ x(n-1)}, for every
 *       root; see {@link ReduceOp}.</li>
 * </ul>
 *
 * <h2>Threads and lifecycle</h2>
 * A communicator is thread-safe: point-to-point calls may come from any thread. Collectives are
 * ordered by the order of the calls. Building one does no network I/O (channels connect on first
 * use); {@link #close()} releases connections and threads, and fails operations still waiting.
 */
public interface Communicator extends AutoCloseable {

    /** A builder; see the class documentation. */
    static Builder builder() {
        return new Builder();
    }

    /** This peer's rank, {@code 0 <= rank < size}. */
    int rank();

    /** Number of peers. */
    int size();

    /** The communicator's name, shared by all its peers. */
    String name();

    /** Name of the channel the selector picks for {@code op} moving {@code bytes} bytes per peer, e.g. {@code "direct"}. */
    String channelFor(Operation op, long bytes);

    /**
     * This peer failed: tell the other peers where the channels can (so they fail at once rather
     * than wait out their deadlines), then close. Never throws.
     */
    void abort(Throwable cause);

    /** Releases every channel; operations still waiting fail. Idempotent. */
    @Override
    void close();

    // ================================================================ the core operations on typed buffers

    /** Sends {@code data} to rank {@code dest} (which may be this rank). */
    CompletableFuture<Void> isend(Buf data, int dest);

    /** Receives the next message from rank {@code src}; its length must equal {@code data}'s. */
    CompletableFuture<Void> irecv(Buf data, int src);

    CompletableFuture<Void> ibcast(Buf data, int root);

    CompletableFuture<Void> ibarrier();

    CompletableFuture<Void> igather(Buf send, Buf recv, int root);

    CompletableFuture<Void> iscatter(Buf send, Buf recv, int root);

    CompletableFuture<Void> iallgather(Buf send, Buf recv);

    CompletableFuture<Void> ialltoall(Buf send, Buf recv);

    CompletableFuture<Void> ireduce(Buf send, Buf recv, int root, ReduceOp op);

    CompletableFuture<Void> iallreduce(Buf send, Buf recv, ReduceOp op);

    CompletableFuture<Void> iscan(Buf send, Buf recv, ReduceOp op);

    /** Sends {@code data} to rank {@code dest}; returns once {@code data} may be reused. */
    void send(Buf data, int dest);

    /** Receives the next message from rank {@code src} into {@code data} (exact length). */
    void recv(Buf data, int src);

    /** Copies {@code data} of {@code root} into {@code data} of every other rank. */
    void bcast(Buf data, int root);

    /** Returns once every rank has called it. */
    void barrier();

    /** {@code recv} (used at the root only, may be null elsewhere) receives {@code size} blocks of {@code send.count()} elements in rank order. */
    void gather(Buf send, Buf recv, int root);

    /** {@code send} (used at the root only) holds {@code size} blocks of {@code recv.count()} elements; rank {@code i} receives block {@code i}. */
    void scatter(Buf send, Buf recv, int root);

    /** Every rank receives every rank's block, in rank order. */
    void allgather(Buf send, Buf recv);

    /** Block {@code j} of {@code send} goes to rank {@code j}; block {@code i} of {@code recv} comes from rank {@code i}. */
    void alltoall(Buf send, Buf recv);

    /** {@code recv} of {@code root} (may be null elsewhere) receives {@code x0 ∘ x1 ∘ ... ∘ x(n-1)}. */
    void reduce(Buf send, Buf recv, int root, ReduceOp op);

    /** Every rank receives {@code x0 ∘ x1 ∘ ... ∘ x(n-1)}. */
    void allreduce(Buf send, Buf recv, ReduceOp op);

    /** Rank {@code i} receives {@code x0 ∘ ... ∘ xi}. */
    void scan(Buf send, Buf recv, ReduceOp op);

    // ================================================================ typed overloads

    /** Elements in {@code size()} blocks of {@code count} elements. */
    private int blocks(int count) {
        return Math.multiplyExact(size(), count);
    }

    // ---------------------------------------------------------------- send

    /** Sends {@code buf} to rank {@code dest}; see {@link #send(Buf, int)}. */
    default void send(byte[] buf, int dest) {
        send(Buf.source(buf, 0, buf.length), dest);
    }

    /** Non-blocking send: sends {@code buf} to rank {@code dest}; see {@link #send(Buf, int)}. */
    default CompletableFuture<Void> isend(byte[] buf, int dest) {
        return isend(Buf.source(buf, 0, buf.length), dest);
    }

    /** Sends {@code buf} to rank {@code dest}; see {@link #send(Buf, int)}. */
    default void send(byte[] buf, int offset, int length, int dest) {
        send(Buf.source(buf, offset, length), dest);
    }

    /** Non-blocking send: sends {@code buf} to rank {@code dest}; see {@link #send(Buf, int)}. */
    default CompletableFuture<Void> isend(byte[] buf, int offset, int length, int dest) {
        return isend(Buf.source(buf, offset, length), dest);
    }

    /** Sends {@code buf} to rank {@code dest}; see {@link #send(Buf, int)}. */
    default void send(int[] buf, int dest) {
        Buf a = Buf.source(buf, 0, buf.length);
        send(a, dest);
        a.release();
    }

    /** Non-blocking send: sends {@code buf} to rank {@code dest}; see {@link #send(Buf, int)}. */
    default CompletableFuture<Void> isend(int[] buf, int dest) {
        return isend(Buf.source(buf, 0, buf.length), dest);
    }

    /** Sends {@code buf} to rank {@code dest}; see {@link #send(Buf, int)}. */
    default void send(int[] buf, int offset, int length, int dest) {
        Buf a = Buf.source(buf, offset, length);
        send(a, dest);
        a.release();
    }

    /** Non-blocking send: sends {@code buf} to rank {@code dest}; see {@link #send(Buf, int)}. */
    default CompletableFuture<Void> isend(int[] buf, int offset, int length, int dest) {
        return isend(Buf.source(buf, offset, length), dest);
    }

    /** Sends {@code buf} to rank {@code dest}; see {@link #send(Buf, int)}. */
    default void send(long[] buf, int dest) {
        Buf a = Buf.source(buf, 0, buf.length);
        send(a, dest);
        a.release();
    }

    /** Non-blocking send: sends {@code buf} to rank {@code dest}; see {@link #send(Buf, int)}. */
    default CompletableFuture<Void> isend(long[] buf, int dest) {
        return isend(Buf.source(buf, 0, buf.length), dest);
    }

    /** Sends {@code buf} to rank {@code dest}; see {@link #send(Buf, int)}. */
    default void send(long[] buf, int offset, int length, int dest) {
        Buf a = Buf.source(buf, offset, length);
        send(a, dest);
        a.release();
    }

    /** Non-blocking send: sends {@code buf} to rank {@code dest}; see {@link #send(Buf, int)}. */
    default CompletableFuture<Void> isend(long[] buf, int offset, int length, int dest) {
        return isend(Buf.source(buf, offset, length), dest);
    }

    /** Sends {@code buf} to rank {@code dest}; see {@link #send(Buf, int)}. */
    default void send(float[] buf, int dest) {
        Buf a = Buf.source(buf, 0, buf.length);
        send(a, dest);
        a.release();
    }

    /** Non-blocking send: sends {@code buf} to rank {@code dest}; see {@link #send(Buf, int)}. */
    default CompletableFuture<Void> isend(float[] buf, int dest) {
        return isend(Buf.source(buf, 0, buf.length), dest);
    }

    /** Sends {@code buf} to rank {@code dest}; see {@link #send(Buf, int)}. */
    default void send(float[] buf, int offset, int length, int dest) {
        Buf a = Buf.source(buf, offset, length);
        send(a, dest);
        a.release();
    }

    /** Non-blocking send: sends {@code buf} to rank {@code dest}; see {@link #send(Buf, int)}. */
    default CompletableFuture<Void> isend(float[] buf, int offset, int length, int dest) {
        return isend(Buf.source(buf, offset, length), dest);
    }

    /** Sends {@code buf} to rank {@code dest}; see {@link #send(Buf, int)}. */
    default void send(double[] buf, int dest) {
        Buf a = Buf.source(buf, 0, buf.length);
        send(a, dest);
        a.release();
    }

    /** Non-blocking send: sends {@code buf} to rank {@code dest}; see {@link #send(Buf, int)}. */
    default CompletableFuture<Void> isend(double[] buf, int dest) {
        return isend(Buf.source(buf, 0, buf.length), dest);
    }

    /** Sends {@code buf} to rank {@code dest}; see {@link #send(Buf, int)}. */
    default void send(double[] buf, int offset, int length, int dest) {
        Buf a = Buf.source(buf, offset, length);
        send(a, dest);
        a.release();
    }

    /** Non-blocking send: sends {@code buf} to rank {@code dest}; see {@link #send(Buf, int)}. */
    default CompletableFuture<Void> isend(double[] buf, int offset, int length, int dest) {
        return isend(Buf.source(buf, offset, length), dest);
    }

    /** Sends {@code buf} to rank {@code dest}; see {@link #send(Buf, int)}. */
    default void send(ByteBuffer buf, int dest) {
        send(Buf.source(buf), dest);
    }

    /** Non-blocking send: sends {@code buf} to rank {@code dest}; see {@link #send(Buf, int)}. */
    default CompletableFuture<Void> isend(ByteBuffer buf, int dest) {
        return isend(Buf.source(buf), dest);
    }

    // ---------------------------------------------------------------- recv

    /** Receives the next message from {@code src} into {@code buf}; see {@link #recv(Buf, int)}. */
    default void recv(byte[] buf, int src) {
        recv(Buf.sink(buf, 0, buf.length), src);
    }

    /** Non-blocking recv: receives the next message from {@code src} into {@code buf}; see {@link #recv(Buf, int)}. */
    default CompletableFuture<Void> irecv(byte[] buf, int src) {
        return irecv(Buf.sink(buf, 0, buf.length), src);
    }

    /** Receives the next message from {@code src} into {@code buf}; see {@link #recv(Buf, int)}. */
    default void recv(byte[] buf, int offset, int length, int src) {
        recv(Buf.sink(buf, offset, length), src);
    }

    /** Non-blocking recv: receives the next message from {@code src} into {@code buf}; see {@link #recv(Buf, int)}. */
    default CompletableFuture<Void> irecv(byte[] buf, int offset, int length, int src) {
        return irecv(Buf.sink(buf, offset, length), src);
    }

    /** Receives the next message from {@code src} into {@code buf}; see {@link #recv(Buf, int)}. */
    default void recv(int[] buf, int src) {
        Buf a = Buf.sink(buf, 0, buf.length);
        recv(a, src);
        a.release();
    }

    /** Non-blocking recv: receives the next message from {@code src} into {@code buf}; see {@link #recv(Buf, int)}. */
    default CompletableFuture<Void> irecv(int[] buf, int src) {
        return irecv(Buf.sink(buf, 0, buf.length), src);
    }

    /** Receives the next message from {@code src} into {@code buf}; see {@link #recv(Buf, int)}. */
    default void recv(int[] buf, int offset, int length, int src) {
        Buf a = Buf.sink(buf, offset, length);
        recv(a, src);
        a.release();
    }

    /** Non-blocking recv: receives the next message from {@code src} into {@code buf}; see {@link #recv(Buf, int)}. */
    default CompletableFuture<Void> irecv(int[] buf, int offset, int length, int src) {
        return irecv(Buf.sink(buf, offset, length), src);
    }

    /** Receives the next message from {@code src} into {@code buf}; see {@link #recv(Buf, int)}. */
    default void recv(long[] buf, int src) {
        Buf a = Buf.sink(buf, 0, buf.length);
        recv(a, src);
        a.release();
    }

    /** Non-blocking recv: receives the next message from {@code src} into {@code buf}; see {@link #recv(Buf, int)}. */
    default CompletableFuture<Void> irecv(long[] buf, int src) {
        return irecv(Buf.sink(buf, 0, buf.length), src);
    }

    /** Receives the next message from {@code src} into {@code buf}; see {@link #recv(Buf, int)}. */
    default void recv(long[] buf, int offset, int length, int src) {
        Buf a = Buf.sink(buf, offset, length);
        recv(a, src);
        a.release();
    }

    /** Non-blocking recv: receives the next message from {@code src} into {@code buf}; see {@link #recv(Buf, int)}. */
    default CompletableFuture<Void> irecv(long[] buf, int offset, int length, int src) {
        return irecv(Buf.sink(buf, offset, length), src);
    }

    /** Receives the next message from {@code src} into {@code buf}; see {@link #recv(Buf, int)}. */
    default void recv(float[] buf, int src) {
        Buf a = Buf.sink(buf, 0, buf.length);
        recv(a, src);
        a.release();
    }

    /** Non-blocking recv: receives the next message from {@code src} into {@code buf}; see {@link #recv(Buf, int)}. */
    default CompletableFuture<Void> irecv(float[] buf, int src) {
        return irecv(Buf.sink(buf, 0, buf.length), src);
    }

    /** Receives the next message from {@code src} into {@code buf}; see {@link #recv(Buf, int)}. */
    default void recv(float[] buf, int offset, int length, int src) {
        Buf a = Buf.sink(buf, offset, length);
        recv(a, src);
        a.release();
    }

    /** Non-blocking recv: receives the next message from {@code src} into {@code buf}; see {@link #recv(Buf, int)}. */
    default CompletableFuture<Void> irecv(float[] buf, int offset, int length, int src) {
        return irecv(Buf.sink(buf, offset, length), src);
    }

    /** Receives the next message from {@code src} into {@code buf}; see {@link #recv(Buf, int)}. */
    default void recv(double[] buf, int src) {
        Buf a = Buf.sink(buf, 0, buf.length);
        recv(a, src);
        a.release();
    }

    /** Non-blocking recv: receives the next message from {@code src} into {@code buf}; see {@link #recv(Buf, int)}. */
    default CompletableFuture<Void> irecv(double[] buf, int src) {
        return irecv(Buf.sink(buf, 0, buf.length), src);
    }

    /** Receives the next message from {@code src} into {@code buf}; see {@link #recv(Buf, int)}. */
    default void recv(double[] buf, int offset, int length, int src) {
        Buf a = Buf.sink(buf, offset, length);
        recv(a, src);
        a.release();
    }

    /** Non-blocking recv: receives the next message from {@code src} into {@code buf}; see {@link #recv(Buf, int)}. */
    default CompletableFuture<Void> irecv(double[] buf, int offset, int length, int src) {
        return irecv(Buf.sink(buf, offset, length), src);
    }

    /** Receives the next message from {@code src} into {@code buf}; see {@link #recv(Buf, int)}. */
    default void recv(ByteBuffer buf, int src) {
        recv(Buf.sink(buf), src);
    }

    /** Non-blocking recv: receives the next message from {@code src} into {@code buf}; see {@link #recv(Buf, int)}. */
    default CompletableFuture<Void> irecv(ByteBuffer buf, int src) {
        return irecv(Buf.sink(buf), src);
    }

    // ---------------------------------------------------------------- bcast

    /** Broadcasts {@code buf} from {@code root}; see {@link #bcast(Buf, int)}. */
    default void bcast(byte[] buf, int root) {
        bcast(rank() == root ? Buf.source(buf, 0, buf.length) : Buf.sink(buf, 0, buf.length), root);
    }

    /** Non-blocking bcast: broadcasts {@code buf} from {@code root}; see {@link #bcast(Buf, int)}. */
    default CompletableFuture<Void> ibcast(byte[] buf, int root) {
        return ibcast(rank() == root ? Buf.source(buf, 0, buf.length) : Buf.sink(buf, 0, buf.length), root);
    }

    /** Broadcasts {@code buf} from {@code root}; see {@link #bcast(Buf, int)}. */
    default void bcast(byte[] buf, int offset, int length, int root) {
        bcast(rank() == root ? Buf.source(buf, offset, length) : Buf.sink(buf, offset, length), root);
    }

    /** Non-blocking bcast: broadcasts {@code buf} from {@code root}; see {@link #bcast(Buf, int)}. */
    default CompletableFuture<Void> ibcast(byte[] buf, int offset, int length, int root) {
        return ibcast(rank() == root ? Buf.source(buf, offset, length) : Buf.sink(buf, offset, length), root);
    }

    /** Broadcasts {@code buf} from {@code root}; see {@link #bcast(Buf, int)}. */
    default void bcast(int[] buf, int root) {
        Buf a = rank() == root ? Buf.source(buf, 0, buf.length) : Buf.sink(buf, 0, buf.length);
        bcast(a, root);
        a.release();
    }

    /** Non-blocking bcast: broadcasts {@code buf} from {@code root}; see {@link #bcast(Buf, int)}. */
    default CompletableFuture<Void> ibcast(int[] buf, int root) {
        return ibcast(rank() == root ? Buf.source(buf, 0, buf.length) : Buf.sink(buf, 0, buf.length), root);
    }

    /** Broadcasts {@code buf} from {@code root}; see {@link #bcast(Buf, int)}. */
    default void bcast(int[] buf, int offset, int length, int root) {
        Buf a = rank() == root ? Buf.source(buf, offset, length) : Buf.sink(buf, offset, length);
        bcast(a, root);
        a.release();
    }

    /** Non-blocking bcast: broadcasts {@code buf} from {@code root}; see {@link #bcast(Buf, int)}. */
    default CompletableFuture<Void> ibcast(int[] buf, int offset, int length, int root) {
        return ibcast(rank() == root ? Buf.source(buf, offset, length) : Buf.sink(buf, offset, length), root);
    }

    /** Broadcasts {@code buf} from {@code root}; see {@link #bcast(Buf, int)}. */
    default void bcast(long[] buf, int root) {
        Buf a = rank() == root ? Buf.source(buf, 0, buf.length) : Buf.sink(buf, 0, buf.length);
        bcast(a, root);
        a.release();
    }

    /** Non-blocking bcast: broadcasts {@code buf} from {@code root}; see {@link #bcast(Buf, int)}. */
    default CompletableFuture<Void> ibcast(long[] buf, int root) {
        return ibcast(rank() == root ? Buf.source(buf, 0, buf.length) : Buf.sink(buf, 0, buf.length), root);
    }

    /** Broadcasts {@code buf} from {@code root}; see {@link #bcast(Buf, int)}. */
    default void bcast(long[] buf, int offset, int length, int root) {
        Buf a = rank() == root ? Buf.source(buf, offset, length) : Buf.sink(buf, offset, length);
        bcast(a, root);
        a.release();
    }

    /** Non-blocking bcast: broadcasts {@code buf} from {@code root}; see {@link #bcast(Buf, int)}. */
    default CompletableFuture<Void> ibcast(long[] buf, int offset, int length, int root) {
        return ibcast(rank() == root ? Buf.source(buf, offset, length) : Buf.sink(buf, offset, length), root);
    }

    /** Broadcasts {@code buf} from {@code root}; see {@link #bcast(Buf, int)}. */
    default void bcast(float[] buf, int root) {
        Buf a = rank() == root ? Buf.source(buf, 0, buf.length) : Buf.sink(buf, 0, buf.length);
        bcast(a, root);
        a.release();
    }

    /** Non-blocking bcast: broadcasts {@code buf} from {@code root}; see {@link #bcast(Buf, int)}. */
    default CompletableFuture<Void> ibcast(float[] buf, int root) {
        return ibcast(rank() == root ? Buf.source(buf, 0, buf.length) : Buf.sink(buf, 0, buf.length), root);
    }

    /** Broadcasts {@code buf} from {@code root}; see {@link #bcast(Buf, int)}. */
    default void bcast(float[] buf, int offset, int length, int root) {
        Buf a = rank() == root ? Buf.source(buf, offset, length) : Buf.sink(buf, offset, length);
        bcast(a, root);
        a.release();
    }

    /** Non-blocking bcast: broadcasts {@code buf} from {@code root}; see {@link #bcast(Buf, int)}. */
    default CompletableFuture<Void> ibcast(float[] buf, int offset, int length, int root) {
        return ibcast(rank() == root ? Buf.source(buf, offset, length) : Buf.sink(buf, offset, length), root);
    }

    /** Broadcasts {@code buf} from {@code root}; see {@link #bcast(Buf, int)}. */
    default void bcast(double[] buf, int root) {
        Buf a = rank() == root ? Buf.source(buf, 0, buf.length) : Buf.sink(buf, 0, buf.length);
        bcast(a, root);
        a.release();
    }

    /** Non-blocking bcast: broadcasts {@code buf} from {@code root}; see {@link #bcast(Buf, int)}. */
    default CompletableFuture<Void> ibcast(double[] buf, int root) {
        return ibcast(rank() == root ? Buf.source(buf, 0, buf.length) : Buf.sink(buf, 0, buf.length), root);
    }

    /** Broadcasts {@code buf} from {@code root}; see {@link #bcast(Buf, int)}. */
    default void bcast(double[] buf, int offset, int length, int root) {
        Buf a = rank() == root ? Buf.source(buf, offset, length) : Buf.sink(buf, offset, length);
        bcast(a, root);
        a.release();
    }

    /** Non-blocking bcast: broadcasts {@code buf} from {@code root}; see {@link #bcast(Buf, int)}. */
    default CompletableFuture<Void> ibcast(double[] buf, int offset, int length, int root) {
        return ibcast(rank() == root ? Buf.source(buf, offset, length) : Buf.sink(buf, offset, length), root);
    }

    /** Broadcasts {@code buf} from {@code root}; see {@link #bcast(Buf, int)}. */
    default void bcast(ByteBuffer buf, int root) {
        bcast(rank() == root ? Buf.source(buf) : Buf.sink(buf), root);
    }

    /** Non-blocking bcast: broadcasts {@code buf} from {@code root}; see {@link #bcast(Buf, int)}. */
    default CompletableFuture<Void> ibcast(ByteBuffer buf, int root) {
        return ibcast(rank() == root ? Buf.source(buf) : Buf.sink(buf), root);
    }

    // ---------------------------------------------------------------- gather

    /** Gathers each rank's {@code send} into {@code recv} at {@code root}; see {@link #gather(Buf, Buf, int)}. */
    default void gather(byte[] send, byte[] recv, int root) {
        gather(Buf.source(send, 0, send.length), rank() == root ? Buf.sink(recv, 0, recv.length) : null, root);
    }

    /** Non-blocking gather: gathers each rank's {@code send} into {@code recv} at {@code root}; see {@link #gather(Buf, Buf, int)}. */
    default CompletableFuture<Void> igather(byte[] send, byte[] recv, int root) {
        return igather(Buf.source(send, 0, send.length), rank() == root ? Buf.sink(recv, 0, recv.length) : null, root);
    }

    /** Gathers each rank's {@code send} into {@code recv} at {@code root}; see {@link #gather(Buf, Buf, int)}. */
    default void gather(byte[] send, int sendOffset, int count, byte[] recv, int recvOffset, int root) {
        gather(Buf.source(send, sendOffset, count), rank() == root ? Buf.sink(recv, recvOffset, blocks(count)) : null, root);
    }

    /** Non-blocking gather: gathers each rank's {@code send} into {@code recv} at {@code root}; see {@link #gather(Buf, Buf, int)}. */
    default CompletableFuture<Void> igather(byte[] send, int sendOffset, int count, byte[] recv, int recvOffset, int root) {
        return igather(Buf.source(send, sendOffset, count), rank() == root ? Buf.sink(recv, recvOffset, blocks(count)) : null, root);
    }

    /** Gathers each rank's {@code send} into {@code recv} at {@code root}; see {@link #gather(Buf, Buf, int)}. */
    default void gather(int[] send, int[] recv, int root) {
        Buf a = Buf.source(send, 0, send.length);
        Buf b = rank() == root ? Buf.sink(recv, 0, recv.length) : null;
        gather(a, b, root);
        Buf.release(a, b);
    }

    /** Non-blocking gather: gathers each rank's {@code send} into {@code recv} at {@code root}; see {@link #gather(Buf, Buf, int)}. */
    default CompletableFuture<Void> igather(int[] send, int[] recv, int root) {
        return igather(Buf.source(send, 0, send.length), rank() == root ? Buf.sink(recv, 0, recv.length) : null, root);
    }

    /** Gathers each rank's {@code send} into {@code recv} at {@code root}; see {@link #gather(Buf, Buf, int)}. */
    default void gather(int[] send, int sendOffset, int count, int[] recv, int recvOffset, int root) {
        Buf a = Buf.source(send, sendOffset, count);
        Buf b = rank() == root ? Buf.sink(recv, recvOffset, blocks(count)) : null;
        gather(a, b, root);
        Buf.release(a, b);
    }

    /** Non-blocking gather: gathers each rank's {@code send} into {@code recv} at {@code root}; see {@link #gather(Buf, Buf, int)}. */
    default CompletableFuture<Void> igather(int[] send, int sendOffset, int count, int[] recv, int recvOffset, int root) {
        return igather(Buf.source(send, sendOffset, count), rank() == root ? Buf.sink(recv, recvOffset, blocks(count)) : null, root);
    }

    /** Gathers each rank's {@code send} into {@code recv} at {@code root}; see {@link #gather(Buf, Buf, int)}. */
    default void gather(long[] send, long[] recv, int root) {
        Buf a = Buf.source(send, 0, send.length);
        Buf b = rank() == root ? Buf.sink(recv, 0, recv.length) : null;
        gather(a, b, root);
        Buf.release(a, b);
    }

    /** Non-blocking gather: gathers each rank's {@code send} into {@code recv} at {@code root}; see {@link #gather(Buf, Buf, int)}. */
    default CompletableFuture<Void> igather(long[] send, long[] recv, int root) {
        return igather(Buf.source(send, 0, send.length), rank() == root ? Buf.sink(recv, 0, recv.length) : null, root);
    }

    /** Gathers each rank's {@code send} into {@code recv} at {@code root}; see {@link #gather(Buf, Buf, int)}. */
    default void gather(long[] send, int sendOffset, int count, long[] recv, int recvOffset, int root) {
        Buf a = Buf.source(send, sendOffset, count);
        Buf b = rank() == root ? Buf.sink(recv, recvOffset, blocks(count)) : null;
        gather(a, b, root);
        Buf.release(a, b);
    }

    /** Non-blocking gather: gathers each rank's {@code send} into {@code recv} at {@code root}; see {@link #gather(Buf, Buf, int)}. */
    default CompletableFuture<Void> igather(long[] send, int sendOffset, int count, long[] recv, int recvOffset, int root) {
        return igather(Buf.source(send, sendOffset, count), rank() == root ? Buf.sink(recv, recvOffset, blocks(count)) : null, root);
    }

    /** Gathers each rank's {@code send} into {@code recv} at {@code root}; see {@link #gather(Buf, Buf, int)}. */
    default void gather(float[] send, float[] recv, int root) {
        Buf a = Buf.source(send, 0, send.length);
        Buf b = rank() == root ? Buf.sink(recv, 0, recv.length) : null;
        gather(a, b, root);
        Buf.release(a, b);
    }

    /** Non-blocking gather: gathers each rank's {@code send} into {@code recv} at {@code root}; see {@link #gather(Buf, Buf, int)}. */
    default CompletableFuture<Void> igather(float[] send, float[] recv, int root) {
        return igather(Buf.source(send, 0, send.length), rank() == root ? Buf.sink(recv, 0, recv.length) : null, root);
    }

    /** Gathers each rank's {@code send} into {@code recv} at {@code root}; see {@link #gather(Buf, Buf, int)}. */
    default void gather(float[] send, int sendOffset, int count, float[] recv, int recvOffset, int root) {
        Buf a = Buf.source(send, sendOffset, count);
        Buf b = rank() == root ? Buf.sink(recv, recvOffset, blocks(count)) : null;
        gather(a, b, root);
        Buf.release(a, b);
    }

    /** Non-blocking gather: gathers each rank's {@code send} into {@code recv} at {@code root}; see {@link #gather(Buf, Buf, int)}. */
    default CompletableFuture<Void> igather(float[] send, int sendOffset, int count, float[] recv, int recvOffset, int root) {
        return igather(Buf.source(send, sendOffset, count), rank() == root ? Buf.sink(recv, recvOffset, blocks(count)) : null, root);
    }

    /** Gathers each rank's {@code send} into {@code recv} at {@code root}; see {@link #gather(Buf, Buf, int)}. */
    default void gather(double[] send, double[] recv, int root) {
        Buf a = Buf.source(send, 0, send.length);
        Buf b = rank() == root ? Buf.sink(recv, 0, recv.length) : null;
        gather(a, b, root);
        Buf.release(a, b);
    }

    /** Non-blocking gather: gathers each rank's {@code send} into {@code recv} at {@code root}; see {@link #gather(Buf, Buf, int)}. */
    default CompletableFuture<Void> igather(double[] send, double[] recv, int root) {
        return igather(Buf.source(send, 0, send.length), rank() == root ? Buf.sink(recv, 0, recv.length) : null, root);
    }

    /** Gathers each rank's {@code send} into {@code recv} at {@code root}; see {@link #gather(Buf, Buf, int)}. */
    default void gather(double[] send, int sendOffset, int count, double[] recv, int recvOffset, int root) {
        Buf a = Buf.source(send, sendOffset, count);
        Buf b = rank() == root ? Buf.sink(recv, recvOffset, blocks(count)) : null;
        gather(a, b, root);
        Buf.release(a, b);
    }

    /** Non-blocking gather: gathers each rank's {@code send} into {@code recv} at {@code root}; see {@link #gather(Buf, Buf, int)}. */
    default CompletableFuture<Void> igather(double[] send, int sendOffset, int count, double[] recv, int recvOffset, int root) {
        return igather(Buf.source(send, sendOffset, count), rank() == root ? Buf.sink(recv, recvOffset, blocks(count)) : null, root);
    }

    /** Gathers each rank's {@code send} into {@code recv} at {@code root}; see {@link #gather(Buf, Buf, int)}. */
    default void gather(ByteBuffer send, ByteBuffer recv, int root) {
        gather(Buf.source(send), rank() == root ? Buf.sink(recv) : null, root);
    }

    /** Non-blocking gather: gathers each rank's {@code send} into {@code recv} at {@code root}; see {@link #gather(Buf, Buf, int)}. */
    default CompletableFuture<Void> igather(ByteBuffer send, ByteBuffer recv, int root) {
        return igather(Buf.source(send), rank() == root ? Buf.sink(recv) : null, root);
    }

    // ---------------------------------------------------------------- scatter

    /** Scatters block {@code i} of {@code send} at {@code root} to rank {@code i}; see {@link #scatter(Buf, Buf, int)}. */
    default void scatter(byte[] send, byte[] recv, int root) {
        scatter(rank() == root ? Buf.source(send, 0, send.length) : null, Buf.sink(recv, 0, recv.length), root);
    }

    /** Non-blocking scatter: scatters block {@code i} of {@code send} at {@code root} to rank {@code i}; see {@link #scatter(Buf, Buf, int)}. */
    default CompletableFuture<Void> iscatter(byte[] send, byte[] recv, int root) {
        return iscatter(rank() == root ? Buf.source(send, 0, send.length) : null, Buf.sink(recv, 0, recv.length), root);
    }

    /** Scatters block {@code i} of {@code send} at {@code root} to rank {@code i}; see {@link #scatter(Buf, Buf, int)}. */
    default void scatter(byte[] send, int sendOffset, byte[] recv, int recvOffset, int count, int root) {
        scatter(rank() == root ? Buf.source(send, sendOffset, blocks(count)) : null, Buf.sink(recv, recvOffset, count), root);
    }

    /** Non-blocking scatter: scatters block {@code i} of {@code send} at {@code root} to rank {@code i}; see {@link #scatter(Buf, Buf, int)}. */
    default CompletableFuture<Void> iscatter(byte[] send, int sendOffset, byte[] recv, int recvOffset, int count, int root) {
        return iscatter(rank() == root ? Buf.source(send, sendOffset, blocks(count)) : null, Buf.sink(recv, recvOffset, count), root);
    }

    /** Scatters block {@code i} of {@code send} at {@code root} to rank {@code i}; see {@link #scatter(Buf, Buf, int)}. */
    default void scatter(int[] send, int[] recv, int root) {
        Buf a = rank() == root ? Buf.source(send, 0, send.length) : null;
        Buf b = Buf.sink(recv, 0, recv.length);
        scatter(a, b, root);
        Buf.release(a, b);
    }

    /** Non-blocking scatter: scatters block {@code i} of {@code send} at {@code root} to rank {@code i}; see {@link #scatter(Buf, Buf, int)}. */
    default CompletableFuture<Void> iscatter(int[] send, int[] recv, int root) {
        return iscatter(rank() == root ? Buf.source(send, 0, send.length) : null, Buf.sink(recv, 0, recv.length), root);
    }

    /** Scatters block {@code i} of {@code send} at {@code root} to rank {@code i}; see {@link #scatter(Buf, Buf, int)}. */
    default void scatter(int[] send, int sendOffset, int[] recv, int recvOffset, int count, int root) {
        Buf a = rank() == root ? Buf.source(send, sendOffset, blocks(count)) : null;
        Buf b = Buf.sink(recv, recvOffset, count);
        scatter(a, b, root);
        Buf.release(a, b);
    }

    /** Non-blocking scatter: scatters block {@code i} of {@code send} at {@code root} to rank {@code i}; see {@link #scatter(Buf, Buf, int)}. */
    default CompletableFuture<Void> iscatter(int[] send, int sendOffset, int[] recv, int recvOffset, int count, int root) {
        return iscatter(rank() == root ? Buf.source(send, sendOffset, blocks(count)) : null, Buf.sink(recv, recvOffset, count), root);
    }

    /** Scatters block {@code i} of {@code send} at {@code root} to rank {@code i}; see {@link #scatter(Buf, Buf, int)}. */
    default void scatter(long[] send, long[] recv, int root) {
        Buf a = rank() == root ? Buf.source(send, 0, send.length) : null;
        Buf b = Buf.sink(recv, 0, recv.length);
        scatter(a, b, root);
        Buf.release(a, b);
    }

    /** Non-blocking scatter: scatters block {@code i} of {@code send} at {@code root} to rank {@code i}; see {@link #scatter(Buf, Buf, int)}. */
    default CompletableFuture<Void> iscatter(long[] send, long[] recv, int root) {
        return iscatter(rank() == root ? Buf.source(send, 0, send.length) : null, Buf.sink(recv, 0, recv.length), root);
    }

    /** Scatters block {@code i} of {@code send} at {@code root} to rank {@code i}; see {@link #scatter(Buf, Buf, int)}. */
    default void scatter(long[] send, int sendOffset, long[] recv, int recvOffset, int count, int root) {
        Buf a = rank() == root ? Buf.source(send, sendOffset, blocks(count)) : null;
        Buf b = Buf.sink(recv, recvOffset, count);
        scatter(a, b, root);
        Buf.release(a, b);
    }

    /** Non-blocking scatter: scatters block {@code i} of {@code send} at {@code root} to rank {@code i}; see {@link #scatter(Buf, Buf, int)}. */
    default CompletableFuture<Void> iscatter(long[] send, int sendOffset, long[] recv, int recvOffset, int count, int root) {
        return iscatter(rank() == root ? Buf.source(send, sendOffset, blocks(count)) : null, Buf.sink(recv, recvOffset, count), root);
    }

    /** Scatters block {@code i} of {@code send} at {@code root} to rank {@code i}; see {@link #scatter(Buf, Buf, int)}. */
    default void scatter(float[] send, float[] recv, int root) {
        Buf a = rank() == root ? Buf.source(send, 0, send.length) : null;
        Buf b = Buf.sink(recv, 0, recv.length);
        scatter(a, b, root);
        Buf.release(a, b);
    }

    /** Non-blocking scatter: scatters block {@code i} of {@code send} at {@code root} to rank {@code i}; see {@link #scatter(Buf, Buf, int)}. */
    default CompletableFuture<Void> iscatter(float[] send, float[] recv, int root) {
        return iscatter(rank() == root ? Buf.source(send, 0, send.length) : null, Buf.sink(recv, 0, recv.length), root);
    }

    /** Scatters block {@code i} of {@code send} at {@code root} to rank {@code i}; see {@link #scatter(Buf, Buf, int)}. */
    default void scatter(float[] send, int sendOffset, float[] recv, int recvOffset, int count, int root) {
        Buf a = rank() == root ? Buf.source(send, sendOffset, blocks(count)) : null;
        Buf b = Buf.sink(recv, recvOffset, count);
        scatter(a, b, root);
        Buf.release(a, b);
    }

    /** Non-blocking scatter: scatters block {@code i} of {@code send} at {@code root} to rank {@code i}; see {@link #scatter(Buf, Buf, int)}. */
    default CompletableFuture<Void> iscatter(float[] send, int sendOffset, float[] recv, int recvOffset, int count, int root) {
        return iscatter(rank() == root ? Buf.source(send, sendOffset, blocks(count)) : null, Buf.sink(recv, recvOffset, count), root);
    }

    /** Scatters block {@code i} of {@code send} at {@code root} to rank {@code i}; see {@link #scatter(Buf, Buf, int)}. */
    default void scatter(double[] send, double[] recv, int root) {
        Buf a = rank() == root ? Buf.source(send, 0, send.length) : null;
        Buf b = Buf.sink(recv, 0, recv.length);
        scatter(a, b, root);
        Buf.release(a, b);
    }

    /** Non-blocking scatter: scatters block {@code i} of {@code send} at {@code root} to rank {@code i}; see {@link #scatter(Buf, Buf, int)}. */
    default CompletableFuture<Void> iscatter(double[] send, double[] recv, int root) {
        return iscatter(rank() == root ? Buf.source(send, 0, send.length) : null, Buf.sink(recv, 0, recv.length), root);
    }

    /** Scatters block {@code i} of {@code send} at {@code root} to rank {@code i}; see {@link #scatter(Buf, Buf, int)}. */
    default void scatter(double[] send, int sendOffset, double[] recv, int recvOffset, int count, int root) {
        Buf a = rank() == root ? Buf.source(send, sendOffset, blocks(count)) : null;
        Buf b = Buf.sink(recv, recvOffset, count);
        scatter(a, b, root);
        Buf.release(a, b);
    }

    /** Non-blocking scatter: scatters block {@code i} of {@code send} at {@code root} to rank {@code i}; see {@link #scatter(Buf, Buf, int)}. */
    default CompletableFuture<Void> iscatter(double[] send, int sendOffset, double[] recv, int recvOffset, int count, int root) {
        return iscatter(rank() == root ? Buf.source(send, sendOffset, blocks(count)) : null, Buf.sink(recv, recvOffset, count), root);
    }

    /** Scatters block {@code i} of {@code send} at {@code root} to rank {@code i}; see {@link #scatter(Buf, Buf, int)}. */
    default void scatter(ByteBuffer send, ByteBuffer recv, int root) {
        scatter(rank() == root ? Buf.source(send) : null, Buf.sink(recv), root);
    }

    /** Non-blocking scatter: scatters block {@code i} of {@code send} at {@code root} to rank {@code i}; see {@link #scatter(Buf, Buf, int)}. */
    default CompletableFuture<Void> iscatter(ByteBuffer send, ByteBuffer recv, int root) {
        return iscatter(rank() == root ? Buf.source(send) : null, Buf.sink(recv), root);
    }

    // ---------------------------------------------------------------- allgather

    /** Gathers every rank's {@code send} into {@code recv} on every rank; see {@link #allgather(Buf, Buf)}. */
    default void allgather(byte[] send, byte[] recv) {
        allgather(Buf.source(send, 0, send.length), Buf.sink(recv, 0, recv.length));
    }

    /** Non-blocking allgather: gathers every rank's {@code send} into {@code recv} on every rank; see {@link #allgather(Buf, Buf)}. */
    default CompletableFuture<Void> iallgather(byte[] send, byte[] recv) {
        return iallgather(Buf.source(send, 0, send.length), Buf.sink(recv, 0, recv.length));
    }

    /** Gathers every rank's {@code send} into {@code recv} on every rank; see {@link #allgather(Buf, Buf)}. */
    default void allgather(byte[] send, int sendOffset, int count, byte[] recv, int recvOffset) {
        allgather(Buf.source(send, sendOffset, count), Buf.sink(recv, recvOffset, blocks(count)));
    }

    /** Non-blocking allgather: gathers every rank's {@code send} into {@code recv} on every rank; see {@link #allgather(Buf, Buf)}. */
    default CompletableFuture<Void> iallgather(byte[] send, int sendOffset, int count, byte[] recv, int recvOffset) {
        return iallgather(Buf.source(send, sendOffset, count), Buf.sink(recv, recvOffset, blocks(count)));
    }

    /** Gathers every rank's {@code send} into {@code recv} on every rank; see {@link #allgather(Buf, Buf)}. */
    default void allgather(int[] send, int[] recv) {
        Buf a = Buf.source(send, 0, send.length);
        Buf b = Buf.sink(recv, 0, recv.length);
        allgather(a, b);
        Buf.release(a, b);
    }

    /** Non-blocking allgather: gathers every rank's {@code send} into {@code recv} on every rank; see {@link #allgather(Buf, Buf)}. */
    default CompletableFuture<Void> iallgather(int[] send, int[] recv) {
        return iallgather(Buf.source(send, 0, send.length), Buf.sink(recv, 0, recv.length));
    }

    /** Gathers every rank's {@code send} into {@code recv} on every rank; see {@link #allgather(Buf, Buf)}. */
    default void allgather(int[] send, int sendOffset, int count, int[] recv, int recvOffset) {
        Buf a = Buf.source(send, sendOffset, count);
        Buf b = Buf.sink(recv, recvOffset, blocks(count));
        allgather(a, b);
        Buf.release(a, b);
    }

    /** Non-blocking allgather: gathers every rank's {@code send} into {@code recv} on every rank; see {@link #allgather(Buf, Buf)}. */
    default CompletableFuture<Void> iallgather(int[] send, int sendOffset, int count, int[] recv, int recvOffset) {
        return iallgather(Buf.source(send, sendOffset, count), Buf.sink(recv, recvOffset, blocks(count)));
    }

    /** Gathers every rank's {@code send} into {@code recv} on every rank; see {@link #allgather(Buf, Buf)}. */
    default void allgather(long[] send, long[] recv) {
        Buf a = Buf.source(send, 0, send.length);
        Buf b = Buf.sink(recv, 0, recv.length);
        allgather(a, b);
        Buf.release(a, b);
    }

    /** Non-blocking allgather: gathers every rank's {@code send} into {@code recv} on every rank; see {@link #allgather(Buf, Buf)}. */
    default CompletableFuture<Void> iallgather(long[] send, long[] recv) {
        return iallgather(Buf.source(send, 0, send.length), Buf.sink(recv, 0, recv.length));
    }

    /** Gathers every rank's {@code send} into {@code recv} on every rank; see {@link #allgather(Buf, Buf)}. */
    default void allgather(long[] send, int sendOffset, int count, long[] recv, int recvOffset) {
        Buf a = Buf.source(send, sendOffset, count);
        Buf b = Buf.sink(recv, recvOffset, blocks(count));
        allgather(a, b);
        Buf.release(a, b);
    }

    /** Non-blocking allgather: gathers every rank's {@code send} into {@code recv} on every rank; see {@link #allgather(Buf, Buf)}. */
    default CompletableFuture<Void> iallgather(long[] send, int sendOffset, int count, long[] recv, int recvOffset) {
        return iallgather(Buf.source(send, sendOffset, count), Buf.sink(recv, recvOffset, blocks(count)));
    }

    /** Gathers every rank's {@code send} into {@code recv} on every rank; see {@link #allgather(Buf, Buf)}. */
    default void allgather(float[] send, float[] recv) {
        Buf a = Buf.source(send, 0, send.length);
        Buf b = Buf.sink(recv, 0, recv.length);
        allgather(a, b);
        Buf.release(a, b);
    }

    /** Non-blocking allgather: gathers every rank's {@code send} into {@code recv} on every rank; see {@link #allgather(Buf, Buf)}. */
    default CompletableFuture<Void> iallgather(float[] send, float[] recv) {
        return iallgather(Buf.source(send, 0, send.length), Buf.sink(recv, 0, recv.length));
    }

    /** Gathers every rank's {@code send} into {@code recv} on every rank; see {@link #allgather(Buf, Buf)}. */
    default void allgather(float[] send, int sendOffset, int count, float[] recv, int recvOffset) {
        Buf a = Buf.source(send, sendOffset, count);
        Buf b = Buf.sink(recv, recvOffset, blocks(count));
        allgather(a, b);
        Buf.release(a, b);
    }

    /** Non-blocking allgather: gathers every rank's {@code send} into {@code recv} on every rank; see {@link #allgather(Buf, Buf)}. */
    default CompletableFuture<Void> iallgather(float[] send, int sendOffset, int count, float[] recv, int recvOffset) {
        return iallgather(Buf.source(send, sendOffset, count), Buf.sink(recv, recvOffset, blocks(count)));
    }

    /** Gathers every rank's {@code send} into {@code recv} on every rank; see {@link #allgather(Buf, Buf)}. */
    default void allgather(double[] send, double[] recv) {
        Buf a = Buf.source(send, 0, send.length);
        Buf b = Buf.sink(recv, 0, recv.length);
        allgather(a, b);
        Buf.release(a, b);
    }

    /** Non-blocking allgather: gathers every rank's {@code send} into {@code recv} on every rank; see {@link #allgather(Buf, Buf)}. */
    default CompletableFuture<Void> iallgather(double[] send, double[] recv) {
        return iallgather(Buf.source(send, 0, send.length), Buf.sink(recv, 0, recv.length));
    }

    /** Gathers every rank's {@code send} into {@code recv} on every rank; see {@link #allgather(Buf, Buf)}. */
    default void allgather(double[] send, int sendOffset, int count, double[] recv, int recvOffset) {
        Buf a = Buf.source(send, sendOffset, count);
        Buf b = Buf.sink(recv, recvOffset, blocks(count));
        allgather(a, b);
        Buf.release(a, b);
    }

    /** Non-blocking allgather: gathers every rank's {@code send} into {@code recv} on every rank; see {@link #allgather(Buf, Buf)}. */
    default CompletableFuture<Void> iallgather(double[] send, int sendOffset, int count, double[] recv, int recvOffset) {
        return iallgather(Buf.source(send, sendOffset, count), Buf.sink(recv, recvOffset, blocks(count)));
    }

    /** Gathers every rank's {@code send} into {@code recv} on every rank; see {@link #allgather(Buf, Buf)}. */
    default void allgather(ByteBuffer send, ByteBuffer recv) {
        allgather(Buf.source(send), Buf.sink(recv));
    }

    /** Non-blocking allgather: gathers every rank's {@code send} into {@code recv} on every rank; see {@link #allgather(Buf, Buf)}. */
    default CompletableFuture<Void> iallgather(ByteBuffer send, ByteBuffer recv) {
        return iallgather(Buf.source(send), Buf.sink(recv));
    }

    // ---------------------------------------------------------------- alltoall

    /** Sends block {@code j} of {@code send} to rank {@code j}, receives block {@code i} of {@code recv} from rank {@code i}; see {@link #alltoall(Buf, Buf)}. */
    default void alltoall(byte[] send, byte[] recv) {
        alltoall(Buf.source(send, 0, send.length), Buf.sink(recv, 0, recv.length));
    }

    /** Non-blocking alltoall: sends block {@code j} of {@code send} to rank {@code j}, receives block {@code i} of {@code recv} from rank {@code i}; see {@link #alltoall(Buf, Buf)}. */
    default CompletableFuture<Void> ialltoall(byte[] send, byte[] recv) {
        return ialltoall(Buf.source(send, 0, send.length), Buf.sink(recv, 0, recv.length));
    }

    /** Sends block {@code j} of {@code send} to rank {@code j}, receives block {@code i} of {@code recv} from rank {@code i}; see {@link #alltoall(Buf, Buf)}. */
    default void alltoall(byte[] send, int sendOffset, byte[] recv, int recvOffset, int count) {
        alltoall(Buf.source(send, sendOffset, blocks(count)), Buf.sink(recv, recvOffset, blocks(count)));
    }

    /** Non-blocking alltoall: sends block {@code j} of {@code send} to rank {@code j}, receives block {@code i} of {@code recv} from rank {@code i}; see {@link #alltoall(Buf, Buf)}. */
    default CompletableFuture<Void> ialltoall(byte[] send, int sendOffset, byte[] recv, int recvOffset, int count) {
        return ialltoall(Buf.source(send, sendOffset, blocks(count)), Buf.sink(recv, recvOffset, blocks(count)));
    }

    /** Sends block {@code j} of {@code send} to rank {@code j}, receives block {@code i} of {@code recv} from rank {@code i}; see {@link #alltoall(Buf, Buf)}. */
    default void alltoall(int[] send, int[] recv) {
        Buf a = Buf.source(send, 0, send.length);
        Buf b = Buf.sink(recv, 0, recv.length);
        alltoall(a, b);
        Buf.release(a, b);
    }

    /** Non-blocking alltoall: sends block {@code j} of {@code send} to rank {@code j}, receives block {@code i} of {@code recv} from rank {@code i}; see {@link #alltoall(Buf, Buf)}. */
    default CompletableFuture<Void> ialltoall(int[] send, int[] recv) {
        return ialltoall(Buf.source(send, 0, send.length), Buf.sink(recv, 0, recv.length));
    }

    /** Sends block {@code j} of {@code send} to rank {@code j}, receives block {@code i} of {@code recv} from rank {@code i}; see {@link #alltoall(Buf, Buf)}. */
    default void alltoall(int[] send, int sendOffset, int[] recv, int recvOffset, int count) {
        Buf a = Buf.source(send, sendOffset, blocks(count));
        Buf b = Buf.sink(recv, recvOffset, blocks(count));
        alltoall(a, b);
        Buf.release(a, b);
    }

    /** Non-blocking alltoall: sends block {@code j} of {@code send} to rank {@code j}, receives block {@code i} of {@code recv} from rank {@code i}; see {@link #alltoall(Buf, Buf)}. */
    default CompletableFuture<Void> ialltoall(int[] send, int sendOffset, int[] recv, int recvOffset, int count) {
        return ialltoall(Buf.source(send, sendOffset, blocks(count)), Buf.sink(recv, recvOffset, blocks(count)));
    }

    /** Sends block {@code j} of {@code send} to rank {@code j}, receives block {@code i} of {@code recv} from rank {@code i}; see {@link #alltoall(Buf, Buf)}. */
    default void alltoall(long[] send, long[] recv) {
        Buf a = Buf.source(send, 0, send.length);
        Buf b = Buf.sink(recv, 0, recv.length);
        alltoall(a, b);
        Buf.release(a, b);
    }

    /** Non-blocking alltoall: sends block {@code j} of {@code send} to rank {@code j}, receives block {@code i} of {@code recv} from rank {@code i}; see {@link #alltoall(Buf, Buf)}. */
    default CompletableFuture<Void> ialltoall(long[] send, long[] recv) {
        return ialltoall(Buf.source(send, 0, send.length), Buf.sink(recv, 0, recv.length));
    }

    /** Sends block {@code j} of {@code send} to rank {@code j}, receives block {@code i} of {@code recv} from rank {@code i}; see {@link #alltoall(Buf, Buf)}. */
    default void alltoall(long[] send, int sendOffset, long[] recv, int recvOffset, int count) {
        Buf a = Buf.source(send, sendOffset, blocks(count));
        Buf b = Buf.sink(recv, recvOffset, blocks(count));
        alltoall(a, b);
        Buf.release(a, b);
    }

    /** Non-blocking alltoall: sends block {@code j} of {@code send} to rank {@code j}, receives block {@code i} of {@code recv} from rank {@code i}; see {@link #alltoall(Buf, Buf)}. */
    default CompletableFuture<Void> ialltoall(long[] send, int sendOffset, long[] recv, int recvOffset, int count) {
        return ialltoall(Buf.source(send, sendOffset, blocks(count)), Buf.sink(recv, recvOffset, blocks(count)));
    }

    /** Sends block {@code j} of {@code send} to rank {@code j}, receives block {@code i} of {@code recv} from rank {@code i}; see {@link #alltoall(Buf, Buf)}. */
    default void alltoall(float[] send, float[] recv) {
        Buf a = Buf.source(send, 0, send.length);
        Buf b = Buf.sink(recv, 0, recv.length);
        alltoall(a, b);
        Buf.release(a, b);
    }

    /** Non-blocking alltoall: sends block {@code j} of {@code send} to rank {@code j}, receives block {@code i} of {@code recv} from rank {@code i}; see {@link #alltoall(Buf, Buf)}. */
    default CompletableFuture<Void> ialltoall(float[] send, float[] recv) {
        return ialltoall(Buf.source(send, 0, send.length), Buf.sink(recv, 0, recv.length));
    }

    /** Sends block {@code j} of {@code send} to rank {@code j}, receives block {@code i} of {@code recv} from rank {@code i}; see {@link #alltoall(Buf, Buf)}. */
    default void alltoall(float[] send, int sendOffset, float[] recv, int recvOffset, int count) {
        Buf a = Buf.source(send, sendOffset, blocks(count));
        Buf b = Buf.sink(recv, recvOffset, blocks(count));
        alltoall(a, b);
        Buf.release(a, b);
    }

    /** Non-blocking alltoall: sends block {@code j} of {@code send} to rank {@code j}, receives block {@code i} of {@code recv} from rank {@code i}; see {@link #alltoall(Buf, Buf)}. */
    default CompletableFuture<Void> ialltoall(float[] send, int sendOffset, float[] recv, int recvOffset, int count) {
        return ialltoall(Buf.source(send, sendOffset, blocks(count)), Buf.sink(recv, recvOffset, blocks(count)));
    }

    /** Sends block {@code j} of {@code send} to rank {@code j}, receives block {@code i} of {@code recv} from rank {@code i}; see {@link #alltoall(Buf, Buf)}. */
    default void alltoall(double[] send, double[] recv) {
        Buf a = Buf.source(send, 0, send.length);
        Buf b = Buf.sink(recv, 0, recv.length);
        alltoall(a, b);
        Buf.release(a, b);
    }

    /** Non-blocking alltoall: sends block {@code j} of {@code send} to rank {@code j}, receives block {@code i} of {@code recv} from rank {@code i}; see {@link #alltoall(Buf, Buf)}. */
    default CompletableFuture<Void> ialltoall(double[] send, double[] recv) {
        return ialltoall(Buf.source(send, 0, send.length), Buf.sink(recv, 0, recv.length));
    }

    /** Sends block {@code j} of {@code send} to rank {@code j}, receives block {@code i} of {@code recv} from rank {@code i}; see {@link #alltoall(Buf, Buf)}. */
    default void alltoall(double[] send, int sendOffset, double[] recv, int recvOffset, int count) {
        Buf a = Buf.source(send, sendOffset, blocks(count));
        Buf b = Buf.sink(recv, recvOffset, blocks(count));
        alltoall(a, b);
        Buf.release(a, b);
    }

    /** Non-blocking alltoall: sends block {@code j} of {@code send} to rank {@code j}, receives block {@code i} of {@code recv} from rank {@code i}; see {@link #alltoall(Buf, Buf)}. */
    default CompletableFuture<Void> ialltoall(double[] send, int sendOffset, double[] recv, int recvOffset, int count) {
        return ialltoall(Buf.source(send, sendOffset, blocks(count)), Buf.sink(recv, recvOffset, blocks(count)));
    }

    /** Sends block {@code j} of {@code send} to rank {@code j}, receives block {@code i} of {@code recv} from rank {@code i}; see {@link #alltoall(Buf, Buf)}. */
    default void alltoall(ByteBuffer send, ByteBuffer recv) {
        alltoall(Buf.source(send), Buf.sink(recv));
    }

    /** Non-blocking alltoall: sends block {@code j} of {@code send} to rank {@code j}, receives block {@code i} of {@code recv} from rank {@code i}; see {@link #alltoall(Buf, Buf)}. */
    default CompletableFuture<Void> ialltoall(ByteBuffer send, ByteBuffer recv) {
        return ialltoall(Buf.source(send), Buf.sink(recv));
    }

    // ---------------------------------------------------------------- reduce

    /** Reduces every rank's {@code send} into {@code recv} at {@code root}; see {@link #reduce(Buf, Buf, int, ReduceOp)}. */
    default void reduce(byte[] send, byte[] recv, int root, ReduceOp op) {
        reduce(Buf.source(send, 0, send.length), rank() == root ? Buf.sink(recv, 0, recv.length) : null, root, op);
    }

    /** Non-blocking reduce: reduces every rank's {@code send} into {@code recv} at {@code root}; see {@link #reduce(Buf, Buf, int, ReduceOp)}. */
    default CompletableFuture<Void> ireduce(byte[] send, byte[] recv, int root, ReduceOp op) {
        return ireduce(Buf.source(send, 0, send.length), rank() == root ? Buf.sink(recv, 0, recv.length) : null, root, op);
    }

    /** Reduces every rank's {@code send} into {@code recv} at {@code root}; see {@link #reduce(Buf, Buf, int, ReduceOp)}. */
    default void reduce(byte[] send, int sendOffset, byte[] recv, int recvOffset, int count, int root, ReduceOp op) {
        reduce(Buf.source(send, sendOffset, count), rank() == root ? Buf.sink(recv, recvOffset, count) : null, root, op);
    }

    /** Non-blocking reduce: reduces every rank's {@code send} into {@code recv} at {@code root}; see {@link #reduce(Buf, Buf, int, ReduceOp)}. */
    default CompletableFuture<Void> ireduce(byte[] send, int sendOffset, byte[] recv, int recvOffset, int count, int root, ReduceOp op) {
        return ireduce(Buf.source(send, sendOffset, count), rank() == root ? Buf.sink(recv, recvOffset, count) : null, root, op);
    }

    /** Reduces every rank's {@code send} into {@code recv} at {@code root}; see {@link #reduce(Buf, Buf, int, ReduceOp)}. */
    default void reduce(int[] send, int[] recv, int root, ReduceOp op) {
        Buf a = Buf.source(send, 0, send.length);
        Buf b = rank() == root ? Buf.sink(recv, 0, recv.length) : null;
        reduce(a, b, root, op);
        Buf.release(a, b);
    }

    /** Non-blocking reduce: reduces every rank's {@code send} into {@code recv} at {@code root}; see {@link #reduce(Buf, Buf, int, ReduceOp)}. */
    default CompletableFuture<Void> ireduce(int[] send, int[] recv, int root, ReduceOp op) {
        return ireduce(Buf.source(send, 0, send.length), rank() == root ? Buf.sink(recv, 0, recv.length) : null, root, op);
    }

    /** Reduces every rank's {@code send} into {@code recv} at {@code root}; see {@link #reduce(Buf, Buf, int, ReduceOp)}. */
    default void reduce(int[] send, int sendOffset, int[] recv, int recvOffset, int count, int root, ReduceOp op) {
        Buf a = Buf.source(send, sendOffset, count);
        Buf b = rank() == root ? Buf.sink(recv, recvOffset, count) : null;
        reduce(a, b, root, op);
        Buf.release(a, b);
    }

    /** Non-blocking reduce: reduces every rank's {@code send} into {@code recv} at {@code root}; see {@link #reduce(Buf, Buf, int, ReduceOp)}. */
    default CompletableFuture<Void> ireduce(int[] send, int sendOffset, int[] recv, int recvOffset, int count, int root, ReduceOp op) {
        return ireduce(Buf.source(send, sendOffset, count), rank() == root ? Buf.sink(recv, recvOffset, count) : null, root, op);
    }

    /** Reduces every rank's {@code send} into {@code recv} at {@code root}; see {@link #reduce(Buf, Buf, int, ReduceOp)}. */
    default void reduce(long[] send, long[] recv, int root, ReduceOp op) {
        Buf a = Buf.source(send, 0, send.length);
        Buf b = rank() == root ? Buf.sink(recv, 0, recv.length) : null;
        reduce(a, b, root, op);
        Buf.release(a, b);
    }

    /** Non-blocking reduce: reduces every rank's {@code send} into {@code recv} at {@code root}; see {@link #reduce(Buf, Buf, int, ReduceOp)}. */
    default CompletableFuture<Void> ireduce(long[] send, long[] recv, int root, ReduceOp op) {
        return ireduce(Buf.source(send, 0, send.length), rank() == root ? Buf.sink(recv, 0, recv.length) : null, root, op);
    }

    /** Reduces every rank's {@code send} into {@code recv} at {@code root}; see {@link #reduce(Buf, Buf, int, ReduceOp)}. */
    default void reduce(long[] send, int sendOffset, long[] recv, int recvOffset, int count, int root, ReduceOp op) {
        Buf a = Buf.source(send, sendOffset, count);
        Buf b = rank() == root ? Buf.sink(recv, recvOffset, count) : null;
        reduce(a, b, root, op);
        Buf.release(a, b);
    }

    /** Non-blocking reduce: reduces every rank's {@code send} into {@code recv} at {@code root}; see {@link #reduce(Buf, Buf, int, ReduceOp)}. */
    default CompletableFuture<Void> ireduce(long[] send, int sendOffset, long[] recv, int recvOffset, int count, int root, ReduceOp op) {
        return ireduce(Buf.source(send, sendOffset, count), rank() == root ? Buf.sink(recv, recvOffset, count) : null, root, op);
    }

    /** Reduces every rank's {@code send} into {@code recv} at {@code root}; see {@link #reduce(Buf, Buf, int, ReduceOp)}. */
    default void reduce(float[] send, float[] recv, int root, ReduceOp op) {
        Buf a = Buf.source(send, 0, send.length);
        Buf b = rank() == root ? Buf.sink(recv, 0, recv.length) : null;
        reduce(a, b, root, op);
        Buf.release(a, b);
    }

    /** Non-blocking reduce: reduces every rank's {@code send} into {@code recv} at {@code root}; see {@link #reduce(Buf, Buf, int, ReduceOp)}. */
    default CompletableFuture<Void> ireduce(float[] send, float[] recv, int root, ReduceOp op) {
        return ireduce(Buf.source(send, 0, send.length), rank() == root ? Buf.sink(recv, 0, recv.length) : null, root, op);
    }

    /** Reduces every rank's {@code send} into {@code recv} at {@code root}; see {@link #reduce(Buf, Buf, int, ReduceOp)}. */
    default void reduce(float[] send, int sendOffset, float[] recv, int recvOffset, int count, int root, ReduceOp op) {
        Buf a = Buf.source(send, sendOffset, count);
        Buf b = rank() == root ? Buf.sink(recv, recvOffset, count) : null;
        reduce(a, b, root, op);
        Buf.release(a, b);
    }

    /** Non-blocking reduce: reduces every rank's {@code send} into {@code recv} at {@code root}; see {@link #reduce(Buf, Buf, int, ReduceOp)}. */
    default CompletableFuture<Void> ireduce(float[] send, int sendOffset, float[] recv, int recvOffset, int count, int root, ReduceOp op) {
        return ireduce(Buf.source(send, sendOffset, count), rank() == root ? Buf.sink(recv, recvOffset, count) : null, root, op);
    }

    /** Reduces every rank's {@code send} into {@code recv} at {@code root}; see {@link #reduce(Buf, Buf, int, ReduceOp)}. */
    default void reduce(double[] send, double[] recv, int root, ReduceOp op) {
        Buf a = Buf.source(send, 0, send.length);
        Buf b = rank() == root ? Buf.sink(recv, 0, recv.length) : null;
        reduce(a, b, root, op);
        Buf.release(a, b);
    }

    /** Non-blocking reduce: reduces every rank's {@code send} into {@code recv} at {@code root}; see {@link #reduce(Buf, Buf, int, ReduceOp)}. */
    default CompletableFuture<Void> ireduce(double[] send, double[] recv, int root, ReduceOp op) {
        return ireduce(Buf.source(send, 0, send.length), rank() == root ? Buf.sink(recv, 0, recv.length) : null, root, op);
    }

    /** Reduces every rank's {@code send} into {@code recv} at {@code root}; see {@link #reduce(Buf, Buf, int, ReduceOp)}. */
    default void reduce(double[] send, int sendOffset, double[] recv, int recvOffset, int count, int root, ReduceOp op) {
        Buf a = Buf.source(send, sendOffset, count);
        Buf b = rank() == root ? Buf.sink(recv, recvOffset, count) : null;
        reduce(a, b, root, op);
        Buf.release(a, b);
    }

    /** Non-blocking reduce: reduces every rank's {@code send} into {@code recv} at {@code root}; see {@link #reduce(Buf, Buf, int, ReduceOp)}. */
    default CompletableFuture<Void> ireduce(double[] send, int sendOffset, double[] recv, int recvOffset, int count, int root, ReduceOp op) {
        return ireduce(Buf.source(send, sendOffset, count), rank() == root ? Buf.sink(recv, recvOffset, count) : null, root, op);
    }

    /** Reduces every rank's {@code send} into {@code recv} at {@code root}; see {@link #reduce(Buf, Buf, int, ReduceOp)}. */
    default void reduce(ByteBuffer send, ByteBuffer recv, int root, ReduceOp op) {
        reduce(Buf.source(send), rank() == root ? Buf.sink(recv) : null, root, op);
    }

    /** Non-blocking reduce: reduces every rank's {@code send} into {@code recv} at {@code root}; see {@link #reduce(Buf, Buf, int, ReduceOp)}. */
    default CompletableFuture<Void> ireduce(ByteBuffer send, ByteBuffer recv, int root, ReduceOp op) {
        return ireduce(Buf.source(send), rank() == root ? Buf.sink(recv) : null, root, op);
    }

    // ---------------------------------------------------------------- allreduce

    /** Reduces every rank's {@code send} into {@code recv} on every rank; see {@link #allreduce(Buf, Buf, ReduceOp)}. */
    default void allreduce(byte[] send, byte[] recv, ReduceOp op) {
        allreduce(Buf.source(send, 0, send.length), Buf.sink(recv, 0, recv.length), op);
    }

    /** Non-blocking allreduce: reduces every rank's {@code send} into {@code recv} on every rank; see {@link #allreduce(Buf, Buf, ReduceOp)}. */
    default CompletableFuture<Void> iallreduce(byte[] send, byte[] recv, ReduceOp op) {
        return iallreduce(Buf.source(send, 0, send.length), Buf.sink(recv, 0, recv.length), op);
    }

    /** Reduces every rank's {@code send} into {@code recv} on every rank; see {@link #allreduce(Buf, Buf, ReduceOp)}. */
    default void allreduce(byte[] send, int sendOffset, byte[] recv, int recvOffset, int count, ReduceOp op) {
        allreduce(Buf.source(send, sendOffset, count), Buf.sink(recv, recvOffset, count), op);
    }

    /** Non-blocking allreduce: reduces every rank's {@code send} into {@code recv} on every rank; see {@link #allreduce(Buf, Buf, ReduceOp)}. */
    default CompletableFuture<Void> iallreduce(byte[] send, int sendOffset, byte[] recv, int recvOffset, int count, ReduceOp op) {
        return iallreduce(Buf.source(send, sendOffset, count), Buf.sink(recv, recvOffset, count), op);
    }

    /** Reduces every rank's {@code send} into {@code recv} on every rank; see {@link #allreduce(Buf, Buf, ReduceOp)}. */
    default void allreduce(int[] send, int[] recv, ReduceOp op) {
        Buf a = Buf.source(send, 0, send.length);
        Buf b = Buf.sink(recv, 0, recv.length);
        allreduce(a, b, op);
        Buf.release(a, b);
    }

    /** Non-blocking allreduce: reduces every rank's {@code send} into {@code recv} on every rank; see {@link #allreduce(Buf, Buf, ReduceOp)}. */
    default CompletableFuture<Void> iallreduce(int[] send, int[] recv, ReduceOp op) {
        return iallreduce(Buf.source(send, 0, send.length), Buf.sink(recv, 0, recv.length), op);
    }

    /** Reduces every rank's {@code send} into {@code recv} on every rank; see {@link #allreduce(Buf, Buf, ReduceOp)}. */
    default void allreduce(int[] send, int sendOffset, int[] recv, int recvOffset, int count, ReduceOp op) {
        Buf a = Buf.source(send, sendOffset, count);
        Buf b = Buf.sink(recv, recvOffset, count);
        allreduce(a, b, op);
        Buf.release(a, b);
    }

    /** Non-blocking allreduce: reduces every rank's {@code send} into {@code recv} on every rank; see {@link #allreduce(Buf, Buf, ReduceOp)}. */
    default CompletableFuture<Void> iallreduce(int[] send, int sendOffset, int[] recv, int recvOffset, int count, ReduceOp op) {
        return iallreduce(Buf.source(send, sendOffset, count), Buf.sink(recv, recvOffset, count), op);
    }

    /** Reduces every rank's {@code send} into {@code recv} on every rank; see {@link #allreduce(Buf, Buf, ReduceOp)}. */
    default void allreduce(long[] send, long[] recv, ReduceOp op) {
        Buf a = Buf.source(send, 0, send.length);
        Buf b = Buf.sink(recv, 0, recv.length);
        allreduce(a, b, op);
        Buf.release(a, b);
    }

    /** Non-blocking allreduce: reduces every rank's {@code send} into {@code recv} on every rank; see {@link #allreduce(Buf, Buf, ReduceOp)}. */
    default CompletableFuture<Void> iallreduce(long[] send, long[] recv, ReduceOp op) {
        return iallreduce(Buf.source(send, 0, send.length), Buf.sink(recv, 0, recv.length), op);
    }

    /** Reduces every rank's {@code send} into {@code recv} on every rank; see {@link #allreduce(Buf, Buf, ReduceOp)}. */
    default void allreduce(long[] send, int sendOffset, long[] recv, int recvOffset, int count, ReduceOp op) {
        Buf a = Buf.source(send, sendOffset, count);
        Buf b = Buf.sink(recv, recvOffset, count);
        allreduce(a, b, op);
        Buf.release(a, b);
    }

    /** Non-blocking allreduce: reduces every rank's {@code send} into {@code recv} on every rank; see {@link #allreduce(Buf, Buf, ReduceOp)}. */
    default CompletableFuture<Void> iallreduce(long[] send, int sendOffset, long[] recv, int recvOffset, int count, ReduceOp op) {
        return iallreduce(Buf.source(send, sendOffset, count), Buf.sink(recv, recvOffset, count), op);
    }

    /** Reduces every rank's {@code send} into {@code recv} on every rank; see {@link #allreduce(Buf, Buf, ReduceOp)}. */
    default void allreduce(float[] send, float[] recv, ReduceOp op) {
        Buf a = Buf.source(send, 0, send.length);
        Buf b = Buf.sink(recv, 0, recv.length);
        allreduce(a, b, op);
        Buf.release(a, b);
    }

    /** Non-blocking allreduce: reduces every rank's {@code send} into {@code recv} on every rank; see {@link #allreduce(Buf, Buf, ReduceOp)}. */
    default CompletableFuture<Void> iallreduce(float[] send, float[] recv, ReduceOp op) {
        return iallreduce(Buf.source(send, 0, send.length), Buf.sink(recv, 0, recv.length), op);
    }

    /** Reduces every rank's {@code send} into {@code recv} on every rank; see {@link #allreduce(Buf, Buf, ReduceOp)}. */
    default void allreduce(float[] send, int sendOffset, float[] recv, int recvOffset, int count, ReduceOp op) {
        Buf a = Buf.source(send, sendOffset, count);
        Buf b = Buf.sink(recv, recvOffset, count);
        allreduce(a, b, op);
        Buf.release(a, b);
    }

    /** Non-blocking allreduce: reduces every rank's {@code send} into {@code recv} on every rank; see {@link #allreduce(Buf, Buf, ReduceOp)}. */
    default CompletableFuture<Void> iallreduce(float[] send, int sendOffset, float[] recv, int recvOffset, int count, ReduceOp op) {
        return iallreduce(Buf.source(send, sendOffset, count), Buf.sink(recv, recvOffset, count), op);
    }

    /** Reduces every rank's {@code send} into {@code recv} on every rank; see {@link #allreduce(Buf, Buf, ReduceOp)}. */
    default void allreduce(double[] send, double[] recv, ReduceOp op) {
        Buf a = Buf.source(send, 0, send.length);
        Buf b = Buf.sink(recv, 0, recv.length);
        allreduce(a, b, op);
        Buf.release(a, b);
    }

    /** Non-blocking allreduce: reduces every rank's {@code send} into {@code recv} on every rank; see {@link #allreduce(Buf, Buf, ReduceOp)}. */
    default CompletableFuture<Void> iallreduce(double[] send, double[] recv, ReduceOp op) {
        return iallreduce(Buf.source(send, 0, send.length), Buf.sink(recv, 0, recv.length), op);
    }

    /** Reduces every rank's {@code send} into {@code recv} on every rank; see {@link #allreduce(Buf, Buf, ReduceOp)}. */
    default void allreduce(double[] send, int sendOffset, double[] recv, int recvOffset, int count, ReduceOp op) {
        Buf a = Buf.source(send, sendOffset, count);
        Buf b = Buf.sink(recv, recvOffset, count);
        allreduce(a, b, op);
        Buf.release(a, b);
    }

    /** Non-blocking allreduce: reduces every rank's {@code send} into {@code recv} on every rank; see {@link #allreduce(Buf, Buf, ReduceOp)}. */
    default CompletableFuture<Void> iallreduce(double[] send, int sendOffset, double[] recv, int recvOffset, int count, ReduceOp op) {
        return iallreduce(Buf.source(send, sendOffset, count), Buf.sink(recv, recvOffset, count), op);
    }

    /** Reduces every rank's {@code send} into {@code recv} on every rank; see {@link #allreduce(Buf, Buf, ReduceOp)}. */
    default void allreduce(ByteBuffer send, ByteBuffer recv, ReduceOp op) {
        allreduce(Buf.source(send), Buf.sink(recv), op);
    }

    /** Non-blocking allreduce: reduces every rank's {@code send} into {@code recv} on every rank; see {@link #allreduce(Buf, Buf, ReduceOp)}. */
    default CompletableFuture<Void> iallreduce(ByteBuffer send, ByteBuffer recv, ReduceOp op) {
        return iallreduce(Buf.source(send), Buf.sink(recv), op);
    }

    // ---------------------------------------------------------------- scan

    /** Inclusive prefix reduction: rank {@code i} receives {@code x0 ∘ ... ∘ xi}; see {@link #scan(Buf, Buf, ReduceOp)}. */
    default void scan(byte[] send, byte[] recv, ReduceOp op) {
        scan(Buf.source(send, 0, send.length), Buf.sink(recv, 0, recv.length), op);
    }

    /** Non-blocking scan: inclusive prefix reduction: rank {@code i} receives {@code x0 ∘ ... ∘ xi}; see {@link #scan(Buf, Buf, ReduceOp)}. */
    default CompletableFuture<Void> iscan(byte[] send, byte[] recv, ReduceOp op) {
        return iscan(Buf.source(send, 0, send.length), Buf.sink(recv, 0, recv.length), op);
    }

    /** Inclusive prefix reduction: rank {@code i} receives {@code x0 ∘ ... ∘ xi}; see {@link #scan(Buf, Buf, ReduceOp)}. */
    default void scan(byte[] send, int sendOffset, byte[] recv, int recvOffset, int count, ReduceOp op) {
        scan(Buf.source(send, sendOffset, count), Buf.sink(recv, recvOffset, count), op);
    }

    /** Non-blocking scan: inclusive prefix reduction: rank {@code i} receives {@code x0 ∘ ... ∘ xi}; see {@link #scan(Buf, Buf, ReduceOp)}. */
    default CompletableFuture<Void> iscan(byte[] send, int sendOffset, byte[] recv, int recvOffset, int count, ReduceOp op) {
        return iscan(Buf.source(send, sendOffset, count), Buf.sink(recv, recvOffset, count), op);
    }

    /** Inclusive prefix reduction: rank {@code i} receives {@code x0 ∘ ... ∘ xi}; see {@link #scan(Buf, Buf, ReduceOp)}. */
    default void scan(int[] send, int[] recv, ReduceOp op) {
        Buf a = Buf.source(send, 0, send.length);
        Buf b = Buf.sink(recv, 0, recv.length);
        scan(a, b, op);
        Buf.release(a, b);
    }

    /** Non-blocking scan: inclusive prefix reduction: rank {@code i} receives {@code x0 ∘ ... ∘ xi}; see {@link #scan(Buf, Buf, ReduceOp)}. */
    default CompletableFuture<Void> iscan(int[] send, int[] recv, ReduceOp op) {
        return iscan(Buf.source(send, 0, send.length), Buf.sink(recv, 0, recv.length), op);
    }

    /** Inclusive prefix reduction: rank {@code i} receives {@code x0 ∘ ... ∘ xi}; see {@link #scan(Buf, Buf, ReduceOp)}. */
    default void scan(int[] send, int sendOffset, int[] recv, int recvOffset, int count, ReduceOp op) {
        Buf a = Buf.source(send, sendOffset, count);
        Buf b = Buf.sink(recv, recvOffset, count);
        scan(a, b, op);
        Buf.release(a, b);
    }

    /** Non-blocking scan: inclusive prefix reduction: rank {@code i} receives {@code x0 ∘ ... ∘ xi}; see {@link #scan(Buf, Buf, ReduceOp)}. */
    default CompletableFuture<Void> iscan(int[] send, int sendOffset, int[] recv, int recvOffset, int count, ReduceOp op) {
        return iscan(Buf.source(send, sendOffset, count), Buf.sink(recv, recvOffset, count), op);
    }

    /** Inclusive prefix reduction: rank {@code i} receives {@code x0 ∘ ... ∘ xi}; see {@link #scan(Buf, Buf, ReduceOp)}. */
    default void scan(long[] send, long[] recv, ReduceOp op) {
        Buf a = Buf.source(send, 0, send.length);
        Buf b = Buf.sink(recv, 0, recv.length);
        scan(a, b, op);
        Buf.release(a, b);
    }

    /** Non-blocking scan: inclusive prefix reduction: rank {@code i} receives {@code x0 ∘ ... ∘ xi}; see {@link #scan(Buf, Buf, ReduceOp)}. */
    default CompletableFuture<Void> iscan(long[] send, long[] recv, ReduceOp op) {
        return iscan(Buf.source(send, 0, send.length), Buf.sink(recv, 0, recv.length), op);
    }

    /** Inclusive prefix reduction: rank {@code i} receives {@code x0 ∘ ... ∘ xi}; see {@link #scan(Buf, Buf, ReduceOp)}. */
    default void scan(long[] send, int sendOffset, long[] recv, int recvOffset, int count, ReduceOp op) {
        Buf a = Buf.source(send, sendOffset, count);
        Buf b = Buf.sink(recv, recvOffset, count);
        scan(a, b, op);
        Buf.release(a, b);
    }

    /** Non-blocking scan: inclusive prefix reduction: rank {@code i} receives {@code x0 ∘ ... ∘ xi}; see {@link #scan(Buf, Buf, ReduceOp)}. */
    default CompletableFuture<Void> iscan(long[] send, int sendOffset, long[] recv, int recvOffset, int count, ReduceOp op) {
        return iscan(Buf.source(send, sendOffset, count), Buf.sink(recv, recvOffset, count), op);
    }

    /** Inclusive prefix reduction: rank {@code i} receives {@code x0 ∘ ... ∘ xi}; see {@link #scan(Buf, Buf, ReduceOp)}. */
    default void scan(float[] send, float[] recv, ReduceOp op) {
        Buf a = Buf.source(send, 0, send.length);
        Buf b = Buf.sink(recv, 0, recv.length);
        scan(a, b, op);
        Buf.release(a, b);
    }

    /** Non-blocking scan: inclusive prefix reduction: rank {@code i} receives {@code x0 ∘ ... ∘ xi}; see {@link #scan(Buf, Buf, ReduceOp)}. */
    default CompletableFuture<Void> iscan(float[] send, float[] recv, ReduceOp op) {
        return iscan(Buf.source(send, 0, send.length), Buf.sink(recv, 0, recv.length), op);
    }

    /** Inclusive prefix reduction: rank {@code i} receives {@code x0 ∘ ... ∘ xi}; see {@link #scan(Buf, Buf, ReduceOp)}. */
    default void scan(float[] send, int sendOffset, float[] recv, int recvOffset, int count, ReduceOp op) {
        Buf a = Buf.source(send, sendOffset, count);
        Buf b = Buf.sink(recv, recvOffset, count);
        scan(a, b, op);
        Buf.release(a, b);
    }

    /** Non-blocking scan: inclusive prefix reduction: rank {@code i} receives {@code x0 ∘ ... ∘ xi}; see {@link #scan(Buf, Buf, ReduceOp)}. */
    default CompletableFuture<Void> iscan(float[] send, int sendOffset, float[] recv, int recvOffset, int count, ReduceOp op) {
        return iscan(Buf.source(send, sendOffset, count), Buf.sink(recv, recvOffset, count), op);
    }

    /** Inclusive prefix reduction: rank {@code i} receives {@code x0 ∘ ... ∘ xi}; see {@link #scan(Buf, Buf, ReduceOp)}. */
    default void scan(double[] send, double[] recv, ReduceOp op) {
        Buf a = Buf.source(send, 0, send.length);
        Buf b = Buf.sink(recv, 0, recv.length);
        scan(a, b, op);
        Buf.release(a, b);
    }

    /** Non-blocking scan: inclusive prefix reduction: rank {@code i} receives {@code x0 ∘ ... ∘ xi}; see {@link #scan(Buf, Buf, ReduceOp)}. */
    default CompletableFuture<Void> iscan(double[] send, double[] recv, ReduceOp op) {
        return iscan(Buf.source(send, 0, send.length), Buf.sink(recv, 0, recv.length), op);
    }

    /** Inclusive prefix reduction: rank {@code i} receives {@code x0 ∘ ... ∘ xi}; see {@link #scan(Buf, Buf, ReduceOp)}. */
    default void scan(double[] send, int sendOffset, double[] recv, int recvOffset, int count, ReduceOp op) {
        Buf a = Buf.source(send, sendOffset, count);
        Buf b = Buf.sink(recv, recvOffset, count);
        scan(a, b, op);
        Buf.release(a, b);
    }

    /** Non-blocking scan: inclusive prefix reduction: rank {@code i} receives {@code x0 ∘ ... ∘ xi}; see {@link #scan(Buf, Buf, ReduceOp)}. */
    default CompletableFuture<Void> iscan(double[] send, int sendOffset, double[] recv, int recvOffset, int count, ReduceOp op) {
        return iscan(Buf.source(send, sendOffset, count), Buf.sink(recv, recvOffset, count), op);
    }

    /** Inclusive prefix reduction: rank {@code i} receives {@code x0 ∘ ... ∘ xi}; see {@link #scan(Buf, Buf, ReduceOp)}. */
    default void scan(ByteBuffer send, ByteBuffer recv, ReduceOp op) {
        scan(Buf.source(send), Buf.sink(recv), op);
    }

    /** Non-blocking scan: inclusive prefix reduction: rank {@code i} receives {@code x0 ∘ ... ∘ xi}; see {@link #scan(Buf, Buf, ReduceOp)}. */
    default CompletableFuture<Void> iscan(ByteBuffer send, ByteBuffer recv, ReduceOp op) {
        return iscan(Buf.source(send), Buf.sink(recv), op);
    }

    // ================================================================ builder

    /**
     * Builds a {@link Communicator}. Required: {@link #name}, {@link #rank}, {@link #size}.
     * Building does no network I/O. Not thread-safe.
     */
    final class Builder {
        private FmiConfig config;
        private String name;
        private String runId = "0";
        private int rank = -1;
        private int size = -1;
        private int functionMemoryMiB = 1024;
        private Hint hint = Hint.FAST;
        private Duration timeout;
        private Duration lifetime;
        private final List<ChannelProvider> providers = new ArrayList<>();
        private final Map<Operation, String> overrides = new EnumMap<>(Operation.class);
        private io.fmi.model.SelectionPolicy selectionPolicy = io.fmi.model.SelectionPolicy.BY_HINT;

        Builder() {
        }

        /** The configuration; {@link FmiConfig#defaults()} when not set. */
        public Builder config(FmiConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** The communicator's name: the same on every peer, unique per concurrent job. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /**
         * Identifies this run of the job (the same on every peer), so that reruns of a job with
         * the same name never see each other's keys or pairings; {@code "0"} by default.
         */
        public Builder runId(String runId) {
            this.runId = runId;
            return this;
        }

        public Builder rank(int rank) {
            this.rank = rank;
            return this;
        }

        public Builder size(int size) {
            this.size = size;
            return this;
        }

        /** Memory of the function in MiB, for the cost model; 1024 by default. */
        public Builder functionMemoryMiB(int mib) {
            this.functionMemoryMiB = mib;
            return this;
        }

        /** What the channel selector optimises for; {@link Hint#FAST} by default. */
        public Builder hint(Hint hint) {
            this.hint = Objects.requireNonNull(hint, "hint");
            return this;
        }

        /** Deadline of every blocking operation; by default each channel's {@code max_timeout}, else 60 s. */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /**
         * How long the communicator may live from {@link #build()} on: no operation's deadline
         * extends past it. In a Lambda function pass the remaining time less a margin
         * ({@code context.getRemainingTimeInMillis()}), so an operation fails with a clear
         * {@link FmiTimeoutException} before the function is killed. Unlimited by default.
         */
        public Builder lifetime(Duration lifetime) {
            this.lifetime = lifetime;
            return this;
        }

        /** Adds a channel provider; it takes precedence over a {@link java.util.ServiceLoader} one of the same backend. */
        public Builder channelProvider(ChannelProvider provider) {
            providers.add(Objects.requireNonNull(provider, "provider"));
            return this;
        }

        /** Always run {@code op} over the backend {@code backend} (e.g. {@code "Redis"}), whatever the selector says. */
        public Builder channel(Operation op, String backend) {
            overrides.put(Objects.requireNonNull(op, "op"), Objects.requireNonNull(backend, "backend"));
            return this;
        }

        /**
         * How the channel of each operation is chosen from the models' estimates;
         * {@link io.fmi.model.SelectionPolicy#BY_HINT} by default. Must be a pure function, the same on every peer.
         */
        public Builder selectionPolicy(io.fmi.model.SelectionPolicy policy) {
            this.selectionPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Validates the settings and builds the communicator. */
        public Communicator build() {
            if (name == null || name.isEmpty()) {
                throw new FmiConfigException("communicator name: " + (name == null ? "not set" : "empty") + " (expected: a name unique per concurrent job)");
            }
            if (!name.matches("[A-Za-z0-9._\\-]{1,128}")) {
                throw new FmiConfigException("communicator name: '" + name + "' (expected: 1-128 characters of A-Z a-z 0-9 . _ -)");
            }
            if (runId == null || !runId.matches("[A-Za-z0-9._\\-]{1,64}")) {
                throw new FmiConfigException("runId: '" + runId + "' (expected: 1-64 characters of A-Z a-z 0-9 . _ -)");
            }
            if (size < 1) {
                throw new FmiConfigException("size: " + size + (size == -1 ? " (not set)" : "") + " (expected: >= 1)");
            }
            if (rank < 0 || rank >= size) {
                throw new FmiConfigException("rank: " + rank + (rank == -1 ? " (not set)" : "") + " (expected: 0 <= rank < size = " + size + ")");
            }
            if (functionMemoryMiB < 1) {
                throw new FmiConfigException("functionMemoryMiB: " + functionMemoryMiB + " (expected: > 0)");
            }
            if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
                throw new FmiConfigException("timeout: " + timeout + " (expected: > 0)");
            }
            if (lifetime != null && (lifetime.isNegative() || lifetime.isZero())) {
                throw new FmiConfigException("lifetime: " + lifetime + " (expected: > 0; is the function out of time?)");
            }
            return new DefaultCommunicator(config == null ? FmiConfig.defaults() : config, name, runId, rank, size,
                    functionMemoryMiB, hint, timeout, lifetime, providers, overrides, selectionPolicy);
        }
    }
}
