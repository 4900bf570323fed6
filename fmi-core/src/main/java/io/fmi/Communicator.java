package io.fmi;

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
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

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
 * <h2>Operands</h2>
 * Every operation takes its data as {@link Buffer}s, typed views of the caller's memory
 * ({@code Buffer.of(array)}, {@code Buffer.of(array, offset, length)}, {@code Buffer.of(byteBuffer)}),
 * and has overloads that take whole arrays of {@code byte}, {@code int}, {@code long},
 * {@code float} or {@code double}, or a {@link ByteBuffer} (its bytes between position and limit).
 * The overloads are generated from the {@code Buffer} forms and do exactly what those do.
 *
 * <h2>Semantics</h2>
 * <ul>
 *   <li>Buffers belong to the caller. Send buffers are never modified; receive buffers are filled
 *       in place (see {@link Buffer} for ownership while an operation is in flight).</li>
 *   <li>Messages between two peers never overtake each other. Collectives match by the order in
 *       which each peer calls them, so every peer must call the same collectives in the same order.</li>
 *   <li>Sizes must agree: a receive buffer whose length differs from the message, gather/scatter
 *       buffers that do not hold {@code size} blocks, reduce buffers of different lengths raise
 *       {@link FmiException} naming the operation, the peer and both lengths. A mismatched message
 *       is not consumed.</li>
 *   <li>Every blocking call has a deadline (the builder's {@code timeout}, else the channel's
 *       {@code max_timeout}, else 60 s) and raises {@link FmiTimeoutException} when it passes; a
 *       peer known to have failed raises {@link PeerFailedException} at once. A thread
 *       interrupted while it waits raises {@link FmiException} with its interrupt flag set.</li>
 *   <li>No silent loss: a send returns once its message is copied or written (small messages may
 *       still be on their way). A message that then cannot be delivered, for example because the
 *       connection to its peer never comes up, is not dropped silently: {@link #close()} throws an
 *       {@link FmiException} naming, per rank, the messages and bytes not delivered and why. Large
 *       messages on the Direct channel move only into a receive posted for them (as MPI's
 *       rendezvous protocol): their send returns, or their future completes, once delivered, and
 *       fails otherwise; so two ranks that both send such a message to each other before receiving
 *       wait until their deadline (use {@code isend}, or {@code irecv} first).</li>
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

    /**
     * A builder; see the class documentation.
     *
     * @return a new builder with every setting at its default
     */
    static Builder builder() {
        return new Builder();
    }

    /**
     * This peer's rank.
     *
     * @return {@code 0 <= rank < size}
     */
    int rank();

    /**
     * Number of peers.
     *
     * @return the size of the group, at least 1
     */
    int size();

    /**
     * The communicator's name, shared by all its peers.
     *
     * @return the name given to the builder
     */
    String name();

    /**
     * Name of the channel the selector picks for {@code op} moving {@code bytes} bytes per peer.
     *
     * @param op    the operation
     * @param bytes bytes each peer contributes
     * @return the channel's short name, e.g. {@code "direct"}
     */
    String channelFor(Operation op, long bytes);

    /**
     * This peer failed: tell the other peers where the channels can (so they fail at once rather
     * than wait out their deadlines), then close. Never throws.
     *
     * @param cause what went wrong, for the other peers' error messages and the log
     */
    void abort(Throwable cause);

    /**
     * Releases every channel; operations still waiting fail. Idempotent.
     *
     * @throws FmiException after releasing everything, when a channel could not deliver messages
     *         whose sends had returned (the Direct channel's eager messages whose connection never
     *         came up): the message names, per rank, how many messages and bytes, and why
     */
    @Override
    void close();

    // ================================================================ operations on Buffers
    // Each abstract method below taking Buffers gets whole-array overloads in the generated
    // section further down (GenerateOverloads in fmi-core's tests writes and checks it).

    /**
     * Sends {@code data} to rank {@code dest} (which may be this rank); returns once {@code data}
     * may be reused.
     *
     * @param data the elements to send
     * @param dest the receiving rank
     */
    void send(Buffer data, int dest);

    /**
     * Non-blocking {@link #send(Buffer, int)}.
     *
     * @param data the elements to send; not to be written until the future completes
     * @param dest the receiving rank
     * @return completes once {@code data} may be reused
     */
    CompletableFuture<Void> isend(Buffer data, int dest);

    /**
     * Receives the next message from rank {@code src} into {@code data}, whose length must equal
     * the message's; a message of another length raises {@link FmiException} and stays queued.
     *
     * @param data receives the message
     * @param src  the sending rank
     */
    void recv(Buffer data, int src);

    /**
     * Non-blocking {@link #recv(Buffer, int)}.
     *
     * @param data receives the message; not to be touched until the future completes
     * @param src  the sending rank
     * @return completes once the message is in {@code data}
     */
    CompletableFuture<Void> irecv(Buffer data, int src);

    /**
     * Copies {@code data} of {@code root} into {@code data} of every other rank.
     *
     * @param data the elements at the root, the receive buffer elsewhere (same length everywhere)
     * @param root the rank whose data is copied
     */
    void bcast(Buffer data, int root);

    /**
     * Non-blocking {@link #bcast(Buffer, int)}.
     *
     * @param data as for {@link #bcast(Buffer, int)}
     * @param root the rank whose data is copied
     * @return completes once {@code data} may be reused (has arrived, off the root)
     */
    CompletableFuture<Void> ibcast(Buffer data, int root);

    /** Returns once every rank has called it. */
    void barrier();

    /**
     * Non-blocking {@link #barrier()}.
     *
     * @return completes once every rank has called it
     */
    CompletableFuture<Void> ibarrier();

    /**
     * Collects every rank's {@code send} at the root, in rank order.
     *
     * @param send this rank's block; the same length on every rank
     * @param recv at the root, {@code size * send.length()} elements; unused (may be null) elsewhere
     * @param root the collecting rank
     */
    void gather(Buffer send, Buffer recv, int root);

    /**
     * Non-blocking {@link #gather(Buffer, Buffer, int)}.
     *
     * @param send this rank's block
     * @param recv at the root, {@code size} blocks; may be null elsewhere
     * @param root the collecting rank
     * @return completes once the buffers may be reused
     */
    CompletableFuture<Void> igather(Buffer send, Buffer recv, int root);

    /**
     * Hands block {@code i} of the root's {@code send} to rank {@code i}.
     *
     * @param send at the root, {@code size * recv.length()} elements; unused (may be null) elsewhere
     * @param recv receives this rank's block
     * @param root the distributing rank
     */
    void scatter(Buffer send, Buffer recv, int root);

    /**
     * Non-blocking {@link #scatter(Buffer, Buffer, int)}.
     *
     * @param send at the root, {@code size} blocks; may be null elsewhere
     * @param recv receives this rank's block
     * @param root the distributing rank
     * @return completes once the buffers may be reused
     */
    CompletableFuture<Void> iscatter(Buffer send, Buffer recv, int root);

    /**
     * Every rank receives every rank's block, in rank order.
     *
     * @param send this rank's block; the same length on every rank
     * @param recv {@code size * send.length()} elements
     */
    void allgather(Buffer send, Buffer recv);

    /**
     * Non-blocking {@link #allgather(Buffer, Buffer)}.
     *
     * @param send this rank's block
     * @param recv {@code size} blocks
     * @return completes once the buffers may be reused
     */
    CompletableFuture<Void> iallgather(Buffer send, Buffer recv);

    /**
     * Block {@code j} of {@code send} goes to rank {@code j}; block {@code i} of {@code recv} comes
     * from rank {@code i}.
     *
     * @param send {@code size} blocks of equal length
     * @param recv as long as {@code send}
     */
    void alltoall(Buffer send, Buffer recv);

    /**
     * Non-blocking {@link #alltoall(Buffer, Buffer)}.
     *
     * @param send {@code size} blocks of equal length
     * @param recv as long as {@code send}
     * @return completes once the buffers may be reused
     */
    CompletableFuture<Void> ialltoall(Buffer send, Buffer recv);

    /**
     * The root receives {@code x0 ∘ x1 ∘ ... ∘ x(n-1)}, element-wise, in rank order.
     *
     * @param send this rank's operand
     * @param recv at the root, as long as {@code send}; unused (may be null) elsewhere
     * @param root the rank that receives the result
     * @param op   the operator
     */
    void reduce(Buffer send, Buffer recv, int root, ReduceOp op);

    /**
     * Non-blocking {@link #reduce(Buffer, Buffer, int, ReduceOp)}.
     *
     * @param send this rank's operand
     * @param recv at the root, as long as {@code send}; may be null elsewhere
     * @param root the rank that receives the result
     * @param op   the operator
     * @return completes once the buffers may be reused
     */
    CompletableFuture<Void> ireduce(Buffer send, Buffer recv, int root, ReduceOp op);

    /**
     * Every rank receives {@code x0 ∘ x1 ∘ ... ∘ x(n-1)}, element-wise, in rank order; bit-identical
     * on every rank.
     *
     * @param send this rank's operand
     * @param recv as long as {@code send}
     * @param op   the operator
     */
    void allreduce(Buffer send, Buffer recv, ReduceOp op);

    /**
     * Non-blocking {@link #allreduce(Buffer, Buffer, ReduceOp)}.
     *
     * @param send this rank's operand
     * @param recv as long as {@code send}
     * @param op   the operator
     * @return completes once the buffers may be reused
     */
    CompletableFuture<Void> iallreduce(Buffer send, Buffer recv, ReduceOp op);

    /**
     * Inclusive prefix reduction: rank {@code i} receives {@code x0 ∘ ... ∘ xi}.
     *
     * @param send this rank's operand
     * @param recv as long as {@code send}
     * @param op   the operator
     */
    void scan(Buffer send, Buffer recv, ReduceOp op);

    /**
     * Non-blocking {@link #scan(Buffer, Buffer, ReduceOp)}.
     *
     * @param send this rank's operand
     * @param recv as long as {@code send}
     * @param op   the operator
     * @return completes once the buffers may be reused
     */
    CompletableFuture<Void> iscan(Buffer send, Buffer recv, ReduceOp op);

    /**
     * Sends {@code send} to {@code dest} and receives the next message from {@code src} into
     * {@code recv}, at the same time: the receive is posted before the send, so two ranks may
     * exchange with each other, or a ring may shift, without deadlock.
     *
     * @param send the elements to send
     * @param dest the receiving rank
     * @param recv receives the message from {@code src}, exactly as long; must not overlap {@code send}
     * @param src  the sending rank
     */
    void sendrecv(Buffer send, int dest, Buffer recv, int src);

    /**
     * Non-blocking {@link #sendrecv(Buffer, int, Buffer, int)}.
     *
     * @param send the elements to send; not to be written until the future completes
     * @param dest the receiving rank
     * @param recv receives the message; not to be touched until the future completes
     * @param src  the sending rank
     * @return completes once {@code send} may be reused and the message is in {@code recv}
     */
    CompletableFuture<Void> isendrecv(Buffer send, int dest, Buffer recv, int src);

    /**
     * Exclusive prefix reduction: rank {@code i > 0} receives {@code x0 ∘ ... ∘ x(i-1)}, in rank
     * order; rank 0's {@code recv} is left untouched.
     *
     * @param send this rank's operand
     * @param recv as long as {@code send}; not written at rank 0
     * @param op   the operator
     */
    void exscan(Buffer send, Buffer recv, ReduceOp op);

    /**
     * Non-blocking {@link #exscan(Buffer, Buffer, ReduceOp)}.
     *
     * @param send this rank's operand
     * @param recv as long as {@code send}; not written at rank 0
     * @param op   the operator
     * @return completes once the buffers may be reused
     */
    CompletableFuture<Void> iexscan(Buffer send, Buffer recv, ReduceOp op);

    /**
     * Collects {@code counts[i]} elements from each rank {@code i} at the root, packed in rank
     * order. {@code counts} must be the same on every rank (every rank checks its own entry, and
     * the channel is chosen from their total).
     *
     * @param send   this rank's block, {@code counts[rank]} elements
     * @param recv   at the root, {@code sum(counts)} elements; unused (may be null) elsewhere
     * @param counts elements from each rank, {@code size} non-negative entries
     * @param root   the collecting rank
     */
    void gatherv(Buffer send, Buffer recv, int[] counts, int root);

    /**
     * Non-blocking {@link #gatherv(Buffer, Buffer, int[], int)}.
     *
     * @param send   this rank's block
     * @param recv   at the root, {@code sum(counts)} elements; may be null elsewhere
     * @param counts elements from each rank; not to be changed until the future completes
     * @param root   the collecting rank
     * @return completes once the buffers may be reused
     */
    CompletableFuture<Void> igatherv(Buffer send, Buffer recv, int[] counts, int root);

    /**
     * Hands rank {@code i} the {@code counts[i]} elements of the root's {@code send} that follow
     * the blocks of ranks {@code 0..i-1}. {@code counts} must be the same on every rank.
     *
     * @param send   at the root, {@code sum(counts)} elements; unused (may be null) elsewhere
     * @param counts elements for each rank, {@code size} non-negative entries
     * @param recv   receives this rank's block, {@code counts[rank]} elements
     * @param root   the distributing rank
     */
    void scatterv(Buffer send, int[] counts, Buffer recv, int root);

    /**
     * Non-blocking {@link #scatterv(Buffer, int[], Buffer, int)}.
     *
     * @param send   at the root, {@code sum(counts)} elements; may be null elsewhere
     * @param counts elements for each rank; not to be changed until the future completes
     * @param recv   receives this rank's block
     * @param root   the distributing rank
     * @return completes once the buffers may be reused
     */
    CompletableFuture<Void> iscatterv(Buffer send, int[] counts, Buffer recv, int root);

    /**
     * Every rank receives the {@code counts[i]} elements of each rank {@code i}, packed in rank
     * order. {@code counts} must be the same on every rank.
     *
     * @param send   this rank's block, {@code counts[rank]} elements
     * @param recv   {@code sum(counts)} elements
     * @param counts elements from each rank, {@code size} non-negative entries
     */
    void allgatherv(Buffer send, Buffer recv, int[] counts);

    /**
     * Non-blocking {@link #allgatherv(Buffer, Buffer, int[])}.
     *
     * @param send   this rank's block
     * @param recv   {@code sum(counts)} elements
     * @param counts elements from each rank; not to be changed until the future completes
     * @return completes once the buffers may be reused
     */
    CompletableFuture<Void> iallgatherv(Buffer send, Buffer recv, int[] counts);

    /**
     * Each rank sends {@code sendCounts[j]} elements to rank {@code j} and receives
     * {@code recvCounts[i]} elements from rank {@code i}; blocks are packed in rank order in both
     * buffers. Rank i's {@code sendCounts[j]} must equal rank j's {@code recvCounts[i]}.
     *
     * @param send       {@code sum(sendCounts)} elements
     * @param sendCounts elements for each rank, {@code size} non-negative entries
     * @param recv       {@code sum(recvCounts)} elements
     * @param recvCounts elements from each rank, {@code size} non-negative entries
     */
    void alltoallv(Buffer send, int[] sendCounts, Buffer recv, int[] recvCounts);

    /**
     * Non-blocking {@link #alltoallv(Buffer, int[], Buffer, int[])}.
     *
     * @param send       {@code sum(sendCounts)} elements
     * @param sendCounts elements for each rank; not to be changed until the future completes
     * @param recv       {@code sum(recvCounts)} elements
     * @param recvCounts elements from each rank; not to be changed until the future completes
     * @return completes once the buffers may be reused
     */
    CompletableFuture<Void> ialltoallv(Buffer send, int[] sendCounts, Buffer recv, int[] recvCounts);

    /**
     * Reduces every rank's {@code send} element-wise in rank order ({@code x0 ∘ x1 ∘ ... ∘ x(n-1)},
     * for every operator) and hands rank {@code i} block {@code i} of the result: the
     * {@code counts[i]} elements after the blocks of ranks {@code 0..i-1}. With
     * {@link #allgatherv(Buffer, Buffer, int[])} it makes the reduce-scatter + allgather of
     * data-parallel training. {@code counts} must be the same on every rank.
     *
     * @param send   this rank's operand, {@code sum(counts)} elements
     * @param recv   receives this rank's block of the result, {@code counts[rank]} elements
     * @param counts elements of each rank's block, {@code size} non-negative entries
     * @param op     the operator
     */
    void reduceScatter(Buffer send, Buffer recv, int[] counts, ReduceOp op);

    /**
     * Non-blocking {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)}.
     *
     * @param send   this rank's operand
     * @param recv   receives this rank's block of the result
     * @param counts elements of each rank's block; not to be changed until the future completes
     * @param op     the operator
     * @return completes once the buffers may be reused
     */
    CompletableFuture<Void> ireduceScatter(Buffer send, Buffer recv, int[] counts, ReduceOp op);

    // ================================================================ messages of any size

    /**
     * Receives the next message from {@code src}, whatever its length: a message sent by any
     * {@code send}, as its little-endian bytes. A message longer than the channel's
     * {@code max_message_bytes} (in {@code fmi.json}; 2^31-9 by default) raises
     * {@link FmiException} naming the limit.
     *
     * @param src the sending rank
     * @return the message's bytes, a new array
     */
    byte[] recvBytes(int src);

    /**
     * Non-blocking {@link #recvBytes(int)}.
     *
     * @param src the sending rank
     * @return completes with the message's bytes
     */
    CompletableFuture<byte[]> irecvBytes(int src);

    /**
     * Collects every rank's bytes, whatever their lengths, at the root.
     *
     * @param send this rank's bytes, any length (not written)
     * @param root the collecting rank
     * @return at the root, the bytes of ranks 0..n-1 in rank order (new arrays); null elsewhere
     */
    List<byte[]> gatherBytes(byte[] send, int root);

    /**
     * Non-blocking {@link #gatherBytes(byte[], int)}.
     *
     * @param send this rank's bytes; not to be written until the future completes
     * @param root the collecting rank
     * @return completes with the root's list, or null elsewhere
     */
    CompletableFuture<List<byte[]>> igatherBytes(byte[] send, int root);

    /**
     * Every rank receives every rank's bytes, whatever their lengths.
     *
     * @param send this rank's bytes, any length (not written)
     * @return the bytes of ranks 0..n-1 in rank order (new arrays)
     */
    List<byte[]> allgatherBytes(byte[] send);

    /**
     * Non-blocking {@link #allgatherBytes(byte[])}.
     *
     * @param send this rank's bytes; not to be written until the future completes
     * @return completes with the bytes of every rank
     */
    CompletableFuture<List<byte[]>> iallgatherBytes(byte[] send);

    /**
     * Each rank sends {@code send.get(j)}, of any length, to rank {@code j}.
     *
     * @param send {@code size} arrays, one per destination rank (not written)
     * @return element {@code i} is what rank {@code i} sent to this rank (new arrays)
     */
    List<byte[]> alltoallBytes(List<byte[]> send);

    /**
     * Non-blocking {@link #alltoallBytes(List)}.
     *
     * @param send {@code size} arrays; neither the list nor its arrays to be changed until the future completes
     * @return completes with what every rank sent to this one
     */
    CompletableFuture<List<byte[]>> ialltoallBytes(List<byte[]> send);

    // ================================================================ objects

    /**
     * Sends {@code o}, encoded by the builder's {@link ObjectCodec} (JSON by default), to {@code dest}.
     *
     * @param o    the object; what the codec can encode
     * @param dest the receiving rank
     */
    void sendObject(Object o, int dest);

    /**
     * Non-blocking {@link #sendObject(Object, int)}.
     *
     * @param o    the object, encoded before this returns
     * @param dest the receiving rank
     * @return completes once sent
     */
    CompletableFuture<Void> isendObject(Object o, int dest);

    /**
     * Receives the next message from {@code src} and decodes it as a {@code type}.
     *
     * @param <T>  the object's type
     * @param src  the sending rank
     * @param type the class to decode into
     * @return the decoded object
     */
    <T> T recvObject(int src, Class<T> type);

    /**
     * Non-blocking {@link #recvObject(int, Class)}.
     *
     * @param <T>  the object's type
     * @param src  the sending rank
     * @param type the class to decode into
     * @return completes with the decoded object
     */
    <T> CompletableFuture<T> irecvObject(int src, Class<T> type);

    /**
     * The root's {@code o} to every rank.
     *
     * @param <T>  the object's type
     * @param o    the object at the root; ignored (may be null) elsewhere
     * @param root the rank whose object is sent
     * @param type the class to decode into
     * @return {@code o} itself at the root, a decoded copy elsewhere
     */
    <T> T bcastObject(T o, int root, Class<T> type);

    /**
     * Non-blocking {@link #bcastObject(Object, int, Class)}.
     *
     * @param <T>  the object's type
     * @param o    the object at the root, encoded before this returns
     * @param root the rank whose object is sent
     * @param type the class to decode into
     * @return completes with the root's object
     */
    <T> CompletableFuture<T> ibcastObject(T o, int root, Class<T> type);

    /**
     * Collects every rank's object at the root.
     *
     * @param <T>  the objects' type
     * @param o    this rank's object
     * @param root the collecting rank
     * @param type the class to decode into
     * @return at the root, the objects of ranks 0..n-1 in rank order (its own is {@code o} itself); null elsewhere
     */
    <T> List<T> gatherObjects(T o, int root, Class<T> type);

    /**
     * Non-blocking {@link #gatherObjects(Object, int, Class)}.
     *
     * @param <T>  the objects' type
     * @param o    this rank's object, encoded before this returns
     * @param root the collecting rank
     * @param type the class to decode into
     * @return completes with the root's list, or null elsewhere
     */
    <T> CompletableFuture<List<T>> igatherObjects(T o, int root, Class<T> type);

    // ================================================================ sub-communicators

    /**
     * Splits this communicator: the ranks that pass the same non-negative {@code color} form one
     * new communicator, ranked by {@code key} and then by their rank here. A collective: every
     * rank calls it, with no other operation of this communicator in flight on that rank (an
     * {@link FmiException} says which one is). The new communicator has its own message space
     * (its messages never meet this one's or another's), runs over this one's channels (on Direct,
     * over the same connections) and is closed on its own; closing it leaves this one working,
     * closing the communicator the builder made closes every communicator split from it.
     *
     * <pre>
     * Communicator row = comm.split(comm.rank() / 4, comm.rank());   // groups of 4
     * </pre>
     *
     * @param color the group to join; negative: none
     * @param key   orders the ranks of the group
     * @return the new communicator, or null for a negative color
     */
    Communicator split(int color, int key);

    /**
     * Non-blocking {@link #split(int, int)}.
     *
     * @param color the group to join; negative: none
     * @param key   orders the ranks of the group
     * @return completes with the new communicator, or null for a negative color
     */
    CompletableFuture<Communicator> isplit(int color, int key);

    /**
     * A communicator of the same ranks with a message space of its own, e.g. for a library that
     * must not see the caller's messages. A collective, as {@link #split(int, int)}, but it sends
     * nothing: every rank derives the new communicator's identity from this call's place in the
     * order of collectives.
     *
     * @return the new communicator
     */
    Communicator dup();

    /**
     * Non-blocking {@link #dup()}.
     *
     * @return completes with the new communicator
     */
    CompletableFuture<Communicator> idup();

    // ---- BEGIN GENERATED: whole-array overloads of the Buffer forms above (GenerateOverloads); do not edit ----
    /**
     * {@link #send(Buffer, int)} on whole {@code byte[]} arrays.
     *
     * @param data see {@link #send(Buffer, int)}
     * @param dest see {@link #send(Buffer, int)}
     */
    default void send(byte[] data, int dest) {
        send(Operands.of(data), dest);
    }

    /**
     * {@link #send(Buffer, int)} on whole {@code int[]} arrays.
     *
     * @param data see {@link #send(Buffer, int)}
     * @param dest see {@link #send(Buffer, int)}
     */
    default void send(int[] data, int dest) {
        send(Operands.of(data), dest);
    }

    /**
     * {@link #send(Buffer, int)} on whole {@code long[]} arrays.
     *
     * @param data see {@link #send(Buffer, int)}
     * @param dest see {@link #send(Buffer, int)}
     */
    default void send(long[] data, int dest) {
        send(Operands.of(data), dest);
    }

    /**
     * {@link #send(Buffer, int)} on whole {@code float[]} arrays.
     *
     * @param data see {@link #send(Buffer, int)}
     * @param dest see {@link #send(Buffer, int)}
     */
    default void send(float[] data, int dest) {
        send(Operands.of(data), dest);
    }

    /**
     * {@link #send(Buffer, int)} on whole {@code double[]} arrays.
     *
     * @param data see {@link #send(Buffer, int)}
     * @param dest see {@link #send(Buffer, int)}
     */
    default void send(double[] data, int dest) {
        send(Operands.of(data), dest);
    }

    /**
     * {@link #send(Buffer, int)} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param data see {@link #send(Buffer, int)}
     * @param dest see {@link #send(Buffer, int)}
     */
    default void send(ByteBuffer data, int dest) {
        send(Operands.of(data), dest);
    }

    /**
     * {@link #isend(Buffer, int)} on whole {@code byte[]} arrays.
     *
     * @param data see {@link #isend(Buffer, int)}
     * @param dest see {@link #isend(Buffer, int)}
     * @return see {@link #isend(Buffer, int)}
     */
    default CompletableFuture<Void> isend(byte[] data, int dest) {
        return isend(Operands.of(data), dest);
    }

    /**
     * {@link #isend(Buffer, int)} on whole {@code int[]} arrays.
     *
     * @param data see {@link #isend(Buffer, int)}
     * @param dest see {@link #isend(Buffer, int)}
     * @return see {@link #isend(Buffer, int)}
     */
    default CompletableFuture<Void> isend(int[] data, int dest) {
        return isend(Operands.of(data), dest);
    }

    /**
     * {@link #isend(Buffer, int)} on whole {@code long[]} arrays.
     *
     * @param data see {@link #isend(Buffer, int)}
     * @param dest see {@link #isend(Buffer, int)}
     * @return see {@link #isend(Buffer, int)}
     */
    default CompletableFuture<Void> isend(long[] data, int dest) {
        return isend(Operands.of(data), dest);
    }

    /**
     * {@link #isend(Buffer, int)} on whole {@code float[]} arrays.
     *
     * @param data see {@link #isend(Buffer, int)}
     * @param dest see {@link #isend(Buffer, int)}
     * @return see {@link #isend(Buffer, int)}
     */
    default CompletableFuture<Void> isend(float[] data, int dest) {
        return isend(Operands.of(data), dest);
    }

    /**
     * {@link #isend(Buffer, int)} on whole {@code double[]} arrays.
     *
     * @param data see {@link #isend(Buffer, int)}
     * @param dest see {@link #isend(Buffer, int)}
     * @return see {@link #isend(Buffer, int)}
     */
    default CompletableFuture<Void> isend(double[] data, int dest) {
        return isend(Operands.of(data), dest);
    }

    /**
     * {@link #isend(Buffer, int)} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param data see {@link #isend(Buffer, int)}
     * @param dest see {@link #isend(Buffer, int)}
     * @return see {@link #isend(Buffer, int)}
     */
    default CompletableFuture<Void> isend(ByteBuffer data, int dest) {
        return isend(Operands.of(data), dest);
    }

    /**
     * {@link #recv(Buffer, int)} on whole {@code byte[]} arrays.
     *
     * @param data see {@link #recv(Buffer, int)}
     * @param src see {@link #recv(Buffer, int)}
     */
    default void recv(byte[] data, int src) {
        recv(Operands.of(data), src);
    }

    /**
     * {@link #recv(Buffer, int)} on whole {@code int[]} arrays.
     *
     * @param data see {@link #recv(Buffer, int)}
     * @param src see {@link #recv(Buffer, int)}
     */
    default void recv(int[] data, int src) {
        recv(Operands.of(data), src);
    }

    /**
     * {@link #recv(Buffer, int)} on whole {@code long[]} arrays.
     *
     * @param data see {@link #recv(Buffer, int)}
     * @param src see {@link #recv(Buffer, int)}
     */
    default void recv(long[] data, int src) {
        recv(Operands.of(data), src);
    }

    /**
     * {@link #recv(Buffer, int)} on whole {@code float[]} arrays.
     *
     * @param data see {@link #recv(Buffer, int)}
     * @param src see {@link #recv(Buffer, int)}
     */
    default void recv(float[] data, int src) {
        recv(Operands.of(data), src);
    }

    /**
     * {@link #recv(Buffer, int)} on whole {@code double[]} arrays.
     *
     * @param data see {@link #recv(Buffer, int)}
     * @param src see {@link #recv(Buffer, int)}
     */
    default void recv(double[] data, int src) {
        recv(Operands.of(data), src);
    }

    /**
     * {@link #recv(Buffer, int)} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param data see {@link #recv(Buffer, int)}
     * @param src see {@link #recv(Buffer, int)}
     */
    default void recv(ByteBuffer data, int src) {
        recv(Operands.of(data), src);
    }

    /**
     * {@link #irecv(Buffer, int)} on whole {@code byte[]} arrays.
     *
     * @param data see {@link #irecv(Buffer, int)}
     * @param src see {@link #irecv(Buffer, int)}
     * @return see {@link #irecv(Buffer, int)}
     */
    default CompletableFuture<Void> irecv(byte[] data, int src) {
        return irecv(Operands.of(data), src);
    }

    /**
     * {@link #irecv(Buffer, int)} on whole {@code int[]} arrays.
     *
     * @param data see {@link #irecv(Buffer, int)}
     * @param src see {@link #irecv(Buffer, int)}
     * @return see {@link #irecv(Buffer, int)}
     */
    default CompletableFuture<Void> irecv(int[] data, int src) {
        return irecv(Operands.of(data), src);
    }

    /**
     * {@link #irecv(Buffer, int)} on whole {@code long[]} arrays.
     *
     * @param data see {@link #irecv(Buffer, int)}
     * @param src see {@link #irecv(Buffer, int)}
     * @return see {@link #irecv(Buffer, int)}
     */
    default CompletableFuture<Void> irecv(long[] data, int src) {
        return irecv(Operands.of(data), src);
    }

    /**
     * {@link #irecv(Buffer, int)} on whole {@code float[]} arrays.
     *
     * @param data see {@link #irecv(Buffer, int)}
     * @param src see {@link #irecv(Buffer, int)}
     * @return see {@link #irecv(Buffer, int)}
     */
    default CompletableFuture<Void> irecv(float[] data, int src) {
        return irecv(Operands.of(data), src);
    }

    /**
     * {@link #irecv(Buffer, int)} on whole {@code double[]} arrays.
     *
     * @param data see {@link #irecv(Buffer, int)}
     * @param src see {@link #irecv(Buffer, int)}
     * @return see {@link #irecv(Buffer, int)}
     */
    default CompletableFuture<Void> irecv(double[] data, int src) {
        return irecv(Operands.of(data), src);
    }

    /**
     * {@link #irecv(Buffer, int)} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param data see {@link #irecv(Buffer, int)}
     * @param src see {@link #irecv(Buffer, int)}
     * @return see {@link #irecv(Buffer, int)}
     */
    default CompletableFuture<Void> irecv(ByteBuffer data, int src) {
        return irecv(Operands.of(data), src);
    }

    /**
     * {@link #bcast(Buffer, int)} on whole {@code byte[]} arrays.
     *
     * @param data see {@link #bcast(Buffer, int)}
     * @param root see {@link #bcast(Buffer, int)}
     */
    default void bcast(byte[] data, int root) {
        bcast(Operands.of(data), root);
    }

    /**
     * {@link #bcast(Buffer, int)} on whole {@code int[]} arrays.
     *
     * @param data see {@link #bcast(Buffer, int)}
     * @param root see {@link #bcast(Buffer, int)}
     */
    default void bcast(int[] data, int root) {
        bcast(Operands.of(data), root);
    }

    /**
     * {@link #bcast(Buffer, int)} on whole {@code long[]} arrays.
     *
     * @param data see {@link #bcast(Buffer, int)}
     * @param root see {@link #bcast(Buffer, int)}
     */
    default void bcast(long[] data, int root) {
        bcast(Operands.of(data), root);
    }

    /**
     * {@link #bcast(Buffer, int)} on whole {@code float[]} arrays.
     *
     * @param data see {@link #bcast(Buffer, int)}
     * @param root see {@link #bcast(Buffer, int)}
     */
    default void bcast(float[] data, int root) {
        bcast(Operands.of(data), root);
    }

    /**
     * {@link #bcast(Buffer, int)} on whole {@code double[]} arrays.
     *
     * @param data see {@link #bcast(Buffer, int)}
     * @param root see {@link #bcast(Buffer, int)}
     */
    default void bcast(double[] data, int root) {
        bcast(Operands.of(data), root);
    }

    /**
     * {@link #bcast(Buffer, int)} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param data see {@link #bcast(Buffer, int)}
     * @param root see {@link #bcast(Buffer, int)}
     */
    default void bcast(ByteBuffer data, int root) {
        bcast(Operands.of(data), root);
    }

    /**
     * {@link #ibcast(Buffer, int)} on whole {@code byte[]} arrays.
     *
     * @param data see {@link #ibcast(Buffer, int)}
     * @param root see {@link #ibcast(Buffer, int)}
     * @return see {@link #ibcast(Buffer, int)}
     */
    default CompletableFuture<Void> ibcast(byte[] data, int root) {
        return ibcast(Operands.of(data), root);
    }

    /**
     * {@link #ibcast(Buffer, int)} on whole {@code int[]} arrays.
     *
     * @param data see {@link #ibcast(Buffer, int)}
     * @param root see {@link #ibcast(Buffer, int)}
     * @return see {@link #ibcast(Buffer, int)}
     */
    default CompletableFuture<Void> ibcast(int[] data, int root) {
        return ibcast(Operands.of(data), root);
    }

    /**
     * {@link #ibcast(Buffer, int)} on whole {@code long[]} arrays.
     *
     * @param data see {@link #ibcast(Buffer, int)}
     * @param root see {@link #ibcast(Buffer, int)}
     * @return see {@link #ibcast(Buffer, int)}
     */
    default CompletableFuture<Void> ibcast(long[] data, int root) {
        return ibcast(Operands.of(data), root);
    }

    /**
     * {@link #ibcast(Buffer, int)} on whole {@code float[]} arrays.
     *
     * @param data see {@link #ibcast(Buffer, int)}
     * @param root see {@link #ibcast(Buffer, int)}
     * @return see {@link #ibcast(Buffer, int)}
     */
    default CompletableFuture<Void> ibcast(float[] data, int root) {
        return ibcast(Operands.of(data), root);
    }

    /**
     * {@link #ibcast(Buffer, int)} on whole {@code double[]} arrays.
     *
     * @param data see {@link #ibcast(Buffer, int)}
     * @param root see {@link #ibcast(Buffer, int)}
     * @return see {@link #ibcast(Buffer, int)}
     */
    default CompletableFuture<Void> ibcast(double[] data, int root) {
        return ibcast(Operands.of(data), root);
    }

    /**
     * {@link #ibcast(Buffer, int)} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param data see {@link #ibcast(Buffer, int)}
     * @param root see {@link #ibcast(Buffer, int)}
     * @return see {@link #ibcast(Buffer, int)}
     */
    default CompletableFuture<Void> ibcast(ByteBuffer data, int root) {
        return ibcast(Operands.of(data), root);
    }

    /**
     * {@link #gather(Buffer, Buffer, int)} on whole {@code byte[]} arrays.
     *
     * @param send see {@link #gather(Buffer, Buffer, int)}
     * @param recv see {@link #gather(Buffer, Buffer, int)}
     * @param root see {@link #gather(Buffer, Buffer, int)}
     */
    default void gather(byte[] send, byte[] recv, int root) {
        gather(Operands.of(send), Operands.of(recv), root);
    }

    /**
     * {@link #gather(Buffer, Buffer, int)} on whole {@code int[]} arrays.
     *
     * @param send see {@link #gather(Buffer, Buffer, int)}
     * @param recv see {@link #gather(Buffer, Buffer, int)}
     * @param root see {@link #gather(Buffer, Buffer, int)}
     */
    default void gather(int[] send, int[] recv, int root) {
        gather(Operands.of(send), Operands.of(recv), root);
    }

    /**
     * {@link #gather(Buffer, Buffer, int)} on whole {@code long[]} arrays.
     *
     * @param send see {@link #gather(Buffer, Buffer, int)}
     * @param recv see {@link #gather(Buffer, Buffer, int)}
     * @param root see {@link #gather(Buffer, Buffer, int)}
     */
    default void gather(long[] send, long[] recv, int root) {
        gather(Operands.of(send), Operands.of(recv), root);
    }

    /**
     * {@link #gather(Buffer, Buffer, int)} on whole {@code float[]} arrays.
     *
     * @param send see {@link #gather(Buffer, Buffer, int)}
     * @param recv see {@link #gather(Buffer, Buffer, int)}
     * @param root see {@link #gather(Buffer, Buffer, int)}
     */
    default void gather(float[] send, float[] recv, int root) {
        gather(Operands.of(send), Operands.of(recv), root);
    }

    /**
     * {@link #gather(Buffer, Buffer, int)} on whole {@code double[]} arrays.
     *
     * @param send see {@link #gather(Buffer, Buffer, int)}
     * @param recv see {@link #gather(Buffer, Buffer, int)}
     * @param root see {@link #gather(Buffer, Buffer, int)}
     */
    default void gather(double[] send, double[] recv, int root) {
        gather(Operands.of(send), Operands.of(recv), root);
    }

    /**
     * {@link #gather(Buffer, Buffer, int)} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param send see {@link #gather(Buffer, Buffer, int)}
     * @param recv see {@link #gather(Buffer, Buffer, int)}
     * @param root see {@link #gather(Buffer, Buffer, int)}
     */
    default void gather(ByteBuffer send, ByteBuffer recv, int root) {
        gather(Operands.of(send), Operands.of(recv), root);
    }

    /**
     * {@link #igather(Buffer, Buffer, int)} on whole {@code byte[]} arrays.
     *
     * @param send see {@link #igather(Buffer, Buffer, int)}
     * @param recv see {@link #igather(Buffer, Buffer, int)}
     * @param root see {@link #igather(Buffer, Buffer, int)}
     * @return see {@link #igather(Buffer, Buffer, int)}
     */
    default CompletableFuture<Void> igather(byte[] send, byte[] recv, int root) {
        return igather(Operands.of(send), Operands.of(recv), root);
    }

    /**
     * {@link #igather(Buffer, Buffer, int)} on whole {@code int[]} arrays.
     *
     * @param send see {@link #igather(Buffer, Buffer, int)}
     * @param recv see {@link #igather(Buffer, Buffer, int)}
     * @param root see {@link #igather(Buffer, Buffer, int)}
     * @return see {@link #igather(Buffer, Buffer, int)}
     */
    default CompletableFuture<Void> igather(int[] send, int[] recv, int root) {
        return igather(Operands.of(send), Operands.of(recv), root);
    }

    /**
     * {@link #igather(Buffer, Buffer, int)} on whole {@code long[]} arrays.
     *
     * @param send see {@link #igather(Buffer, Buffer, int)}
     * @param recv see {@link #igather(Buffer, Buffer, int)}
     * @param root see {@link #igather(Buffer, Buffer, int)}
     * @return see {@link #igather(Buffer, Buffer, int)}
     */
    default CompletableFuture<Void> igather(long[] send, long[] recv, int root) {
        return igather(Operands.of(send), Operands.of(recv), root);
    }

    /**
     * {@link #igather(Buffer, Buffer, int)} on whole {@code float[]} arrays.
     *
     * @param send see {@link #igather(Buffer, Buffer, int)}
     * @param recv see {@link #igather(Buffer, Buffer, int)}
     * @param root see {@link #igather(Buffer, Buffer, int)}
     * @return see {@link #igather(Buffer, Buffer, int)}
     */
    default CompletableFuture<Void> igather(float[] send, float[] recv, int root) {
        return igather(Operands.of(send), Operands.of(recv), root);
    }

    /**
     * {@link #igather(Buffer, Buffer, int)} on whole {@code double[]} arrays.
     *
     * @param send see {@link #igather(Buffer, Buffer, int)}
     * @param recv see {@link #igather(Buffer, Buffer, int)}
     * @param root see {@link #igather(Buffer, Buffer, int)}
     * @return see {@link #igather(Buffer, Buffer, int)}
     */
    default CompletableFuture<Void> igather(double[] send, double[] recv, int root) {
        return igather(Operands.of(send), Operands.of(recv), root);
    }

    /**
     * {@link #igather(Buffer, Buffer, int)} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param send see {@link #igather(Buffer, Buffer, int)}
     * @param recv see {@link #igather(Buffer, Buffer, int)}
     * @param root see {@link #igather(Buffer, Buffer, int)}
     * @return see {@link #igather(Buffer, Buffer, int)}
     */
    default CompletableFuture<Void> igather(ByteBuffer send, ByteBuffer recv, int root) {
        return igather(Operands.of(send), Operands.of(recv), root);
    }

    /**
     * {@link #scatter(Buffer, Buffer, int)} on whole {@code byte[]} arrays.
     *
     * @param send see {@link #scatter(Buffer, Buffer, int)}
     * @param recv see {@link #scatter(Buffer, Buffer, int)}
     * @param root see {@link #scatter(Buffer, Buffer, int)}
     */
    default void scatter(byte[] send, byte[] recv, int root) {
        scatter(Operands.of(send), Operands.of(recv), root);
    }

    /**
     * {@link #scatter(Buffer, Buffer, int)} on whole {@code int[]} arrays.
     *
     * @param send see {@link #scatter(Buffer, Buffer, int)}
     * @param recv see {@link #scatter(Buffer, Buffer, int)}
     * @param root see {@link #scatter(Buffer, Buffer, int)}
     */
    default void scatter(int[] send, int[] recv, int root) {
        scatter(Operands.of(send), Operands.of(recv), root);
    }

    /**
     * {@link #scatter(Buffer, Buffer, int)} on whole {@code long[]} arrays.
     *
     * @param send see {@link #scatter(Buffer, Buffer, int)}
     * @param recv see {@link #scatter(Buffer, Buffer, int)}
     * @param root see {@link #scatter(Buffer, Buffer, int)}
     */
    default void scatter(long[] send, long[] recv, int root) {
        scatter(Operands.of(send), Operands.of(recv), root);
    }

    /**
     * {@link #scatter(Buffer, Buffer, int)} on whole {@code float[]} arrays.
     *
     * @param send see {@link #scatter(Buffer, Buffer, int)}
     * @param recv see {@link #scatter(Buffer, Buffer, int)}
     * @param root see {@link #scatter(Buffer, Buffer, int)}
     */
    default void scatter(float[] send, float[] recv, int root) {
        scatter(Operands.of(send), Operands.of(recv), root);
    }

    /**
     * {@link #scatter(Buffer, Buffer, int)} on whole {@code double[]} arrays.
     *
     * @param send see {@link #scatter(Buffer, Buffer, int)}
     * @param recv see {@link #scatter(Buffer, Buffer, int)}
     * @param root see {@link #scatter(Buffer, Buffer, int)}
     */
    default void scatter(double[] send, double[] recv, int root) {
        scatter(Operands.of(send), Operands.of(recv), root);
    }

    /**
     * {@link #scatter(Buffer, Buffer, int)} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param send see {@link #scatter(Buffer, Buffer, int)}
     * @param recv see {@link #scatter(Buffer, Buffer, int)}
     * @param root see {@link #scatter(Buffer, Buffer, int)}
     */
    default void scatter(ByteBuffer send, ByteBuffer recv, int root) {
        scatter(Operands.of(send), Operands.of(recv), root);
    }

    /**
     * {@link #iscatter(Buffer, Buffer, int)} on whole {@code byte[]} arrays.
     *
     * @param send see {@link #iscatter(Buffer, Buffer, int)}
     * @param recv see {@link #iscatter(Buffer, Buffer, int)}
     * @param root see {@link #iscatter(Buffer, Buffer, int)}
     * @return see {@link #iscatter(Buffer, Buffer, int)}
     */
    default CompletableFuture<Void> iscatter(byte[] send, byte[] recv, int root) {
        return iscatter(Operands.of(send), Operands.of(recv), root);
    }

    /**
     * {@link #iscatter(Buffer, Buffer, int)} on whole {@code int[]} arrays.
     *
     * @param send see {@link #iscatter(Buffer, Buffer, int)}
     * @param recv see {@link #iscatter(Buffer, Buffer, int)}
     * @param root see {@link #iscatter(Buffer, Buffer, int)}
     * @return see {@link #iscatter(Buffer, Buffer, int)}
     */
    default CompletableFuture<Void> iscatter(int[] send, int[] recv, int root) {
        return iscatter(Operands.of(send), Operands.of(recv), root);
    }

    /**
     * {@link #iscatter(Buffer, Buffer, int)} on whole {@code long[]} arrays.
     *
     * @param send see {@link #iscatter(Buffer, Buffer, int)}
     * @param recv see {@link #iscatter(Buffer, Buffer, int)}
     * @param root see {@link #iscatter(Buffer, Buffer, int)}
     * @return see {@link #iscatter(Buffer, Buffer, int)}
     */
    default CompletableFuture<Void> iscatter(long[] send, long[] recv, int root) {
        return iscatter(Operands.of(send), Operands.of(recv), root);
    }

    /**
     * {@link #iscatter(Buffer, Buffer, int)} on whole {@code float[]} arrays.
     *
     * @param send see {@link #iscatter(Buffer, Buffer, int)}
     * @param recv see {@link #iscatter(Buffer, Buffer, int)}
     * @param root see {@link #iscatter(Buffer, Buffer, int)}
     * @return see {@link #iscatter(Buffer, Buffer, int)}
     */
    default CompletableFuture<Void> iscatter(float[] send, float[] recv, int root) {
        return iscatter(Operands.of(send), Operands.of(recv), root);
    }

    /**
     * {@link #iscatter(Buffer, Buffer, int)} on whole {@code double[]} arrays.
     *
     * @param send see {@link #iscatter(Buffer, Buffer, int)}
     * @param recv see {@link #iscatter(Buffer, Buffer, int)}
     * @param root see {@link #iscatter(Buffer, Buffer, int)}
     * @return see {@link #iscatter(Buffer, Buffer, int)}
     */
    default CompletableFuture<Void> iscatter(double[] send, double[] recv, int root) {
        return iscatter(Operands.of(send), Operands.of(recv), root);
    }

    /**
     * {@link #iscatter(Buffer, Buffer, int)} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param send see {@link #iscatter(Buffer, Buffer, int)}
     * @param recv see {@link #iscatter(Buffer, Buffer, int)}
     * @param root see {@link #iscatter(Buffer, Buffer, int)}
     * @return see {@link #iscatter(Buffer, Buffer, int)}
     */
    default CompletableFuture<Void> iscatter(ByteBuffer send, ByteBuffer recv, int root) {
        return iscatter(Operands.of(send), Operands.of(recv), root);
    }

    /**
     * {@link #allgather(Buffer, Buffer)} on whole {@code byte[]} arrays.
     *
     * @param send see {@link #allgather(Buffer, Buffer)}
     * @param recv see {@link #allgather(Buffer, Buffer)}
     */
    default void allgather(byte[] send, byte[] recv) {
        allgather(Operands.of(send), Operands.of(recv));
    }

    /**
     * {@link #allgather(Buffer, Buffer)} on whole {@code int[]} arrays.
     *
     * @param send see {@link #allgather(Buffer, Buffer)}
     * @param recv see {@link #allgather(Buffer, Buffer)}
     */
    default void allgather(int[] send, int[] recv) {
        allgather(Operands.of(send), Operands.of(recv));
    }

    /**
     * {@link #allgather(Buffer, Buffer)} on whole {@code long[]} arrays.
     *
     * @param send see {@link #allgather(Buffer, Buffer)}
     * @param recv see {@link #allgather(Buffer, Buffer)}
     */
    default void allgather(long[] send, long[] recv) {
        allgather(Operands.of(send), Operands.of(recv));
    }

    /**
     * {@link #allgather(Buffer, Buffer)} on whole {@code float[]} arrays.
     *
     * @param send see {@link #allgather(Buffer, Buffer)}
     * @param recv see {@link #allgather(Buffer, Buffer)}
     */
    default void allgather(float[] send, float[] recv) {
        allgather(Operands.of(send), Operands.of(recv));
    }

    /**
     * {@link #allgather(Buffer, Buffer)} on whole {@code double[]} arrays.
     *
     * @param send see {@link #allgather(Buffer, Buffer)}
     * @param recv see {@link #allgather(Buffer, Buffer)}
     */
    default void allgather(double[] send, double[] recv) {
        allgather(Operands.of(send), Operands.of(recv));
    }

    /**
     * {@link #allgather(Buffer, Buffer)} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param send see {@link #allgather(Buffer, Buffer)}
     * @param recv see {@link #allgather(Buffer, Buffer)}
     */
    default void allgather(ByteBuffer send, ByteBuffer recv) {
        allgather(Operands.of(send), Operands.of(recv));
    }

    /**
     * {@link #iallgather(Buffer, Buffer)} on whole {@code byte[]} arrays.
     *
     * @param send see {@link #iallgather(Buffer, Buffer)}
     * @param recv see {@link #iallgather(Buffer, Buffer)}
     * @return see {@link #iallgather(Buffer, Buffer)}
     */
    default CompletableFuture<Void> iallgather(byte[] send, byte[] recv) {
        return iallgather(Operands.of(send), Operands.of(recv));
    }

    /**
     * {@link #iallgather(Buffer, Buffer)} on whole {@code int[]} arrays.
     *
     * @param send see {@link #iallgather(Buffer, Buffer)}
     * @param recv see {@link #iallgather(Buffer, Buffer)}
     * @return see {@link #iallgather(Buffer, Buffer)}
     */
    default CompletableFuture<Void> iallgather(int[] send, int[] recv) {
        return iallgather(Operands.of(send), Operands.of(recv));
    }

    /**
     * {@link #iallgather(Buffer, Buffer)} on whole {@code long[]} arrays.
     *
     * @param send see {@link #iallgather(Buffer, Buffer)}
     * @param recv see {@link #iallgather(Buffer, Buffer)}
     * @return see {@link #iallgather(Buffer, Buffer)}
     */
    default CompletableFuture<Void> iallgather(long[] send, long[] recv) {
        return iallgather(Operands.of(send), Operands.of(recv));
    }

    /**
     * {@link #iallgather(Buffer, Buffer)} on whole {@code float[]} arrays.
     *
     * @param send see {@link #iallgather(Buffer, Buffer)}
     * @param recv see {@link #iallgather(Buffer, Buffer)}
     * @return see {@link #iallgather(Buffer, Buffer)}
     */
    default CompletableFuture<Void> iallgather(float[] send, float[] recv) {
        return iallgather(Operands.of(send), Operands.of(recv));
    }

    /**
     * {@link #iallgather(Buffer, Buffer)} on whole {@code double[]} arrays.
     *
     * @param send see {@link #iallgather(Buffer, Buffer)}
     * @param recv see {@link #iallgather(Buffer, Buffer)}
     * @return see {@link #iallgather(Buffer, Buffer)}
     */
    default CompletableFuture<Void> iallgather(double[] send, double[] recv) {
        return iallgather(Operands.of(send), Operands.of(recv));
    }

    /**
     * {@link #iallgather(Buffer, Buffer)} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param send see {@link #iallgather(Buffer, Buffer)}
     * @param recv see {@link #iallgather(Buffer, Buffer)}
     * @return see {@link #iallgather(Buffer, Buffer)}
     */
    default CompletableFuture<Void> iallgather(ByteBuffer send, ByteBuffer recv) {
        return iallgather(Operands.of(send), Operands.of(recv));
    }

    /**
     * {@link #alltoall(Buffer, Buffer)} on whole {@code byte[]} arrays.
     *
     * @param send see {@link #alltoall(Buffer, Buffer)}
     * @param recv see {@link #alltoall(Buffer, Buffer)}
     */
    default void alltoall(byte[] send, byte[] recv) {
        alltoall(Operands.of(send), Operands.of(recv));
    }

    /**
     * {@link #alltoall(Buffer, Buffer)} on whole {@code int[]} arrays.
     *
     * @param send see {@link #alltoall(Buffer, Buffer)}
     * @param recv see {@link #alltoall(Buffer, Buffer)}
     */
    default void alltoall(int[] send, int[] recv) {
        alltoall(Operands.of(send), Operands.of(recv));
    }

    /**
     * {@link #alltoall(Buffer, Buffer)} on whole {@code long[]} arrays.
     *
     * @param send see {@link #alltoall(Buffer, Buffer)}
     * @param recv see {@link #alltoall(Buffer, Buffer)}
     */
    default void alltoall(long[] send, long[] recv) {
        alltoall(Operands.of(send), Operands.of(recv));
    }

    /**
     * {@link #alltoall(Buffer, Buffer)} on whole {@code float[]} arrays.
     *
     * @param send see {@link #alltoall(Buffer, Buffer)}
     * @param recv see {@link #alltoall(Buffer, Buffer)}
     */
    default void alltoall(float[] send, float[] recv) {
        alltoall(Operands.of(send), Operands.of(recv));
    }

    /**
     * {@link #alltoall(Buffer, Buffer)} on whole {@code double[]} arrays.
     *
     * @param send see {@link #alltoall(Buffer, Buffer)}
     * @param recv see {@link #alltoall(Buffer, Buffer)}
     */
    default void alltoall(double[] send, double[] recv) {
        alltoall(Operands.of(send), Operands.of(recv));
    }

    /**
     * {@link #alltoall(Buffer, Buffer)} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param send see {@link #alltoall(Buffer, Buffer)}
     * @param recv see {@link #alltoall(Buffer, Buffer)}
     */
    default void alltoall(ByteBuffer send, ByteBuffer recv) {
        alltoall(Operands.of(send), Operands.of(recv));
    }

    /**
     * {@link #ialltoall(Buffer, Buffer)} on whole {@code byte[]} arrays.
     *
     * @param send see {@link #ialltoall(Buffer, Buffer)}
     * @param recv see {@link #ialltoall(Buffer, Buffer)}
     * @return see {@link #ialltoall(Buffer, Buffer)}
     */
    default CompletableFuture<Void> ialltoall(byte[] send, byte[] recv) {
        return ialltoall(Operands.of(send), Operands.of(recv));
    }

    /**
     * {@link #ialltoall(Buffer, Buffer)} on whole {@code int[]} arrays.
     *
     * @param send see {@link #ialltoall(Buffer, Buffer)}
     * @param recv see {@link #ialltoall(Buffer, Buffer)}
     * @return see {@link #ialltoall(Buffer, Buffer)}
     */
    default CompletableFuture<Void> ialltoall(int[] send, int[] recv) {
        return ialltoall(Operands.of(send), Operands.of(recv));
    }

    /**
     * {@link #ialltoall(Buffer, Buffer)} on whole {@code long[]} arrays.
     *
     * @param send see {@link #ialltoall(Buffer, Buffer)}
     * @param recv see {@link #ialltoall(Buffer, Buffer)}
     * @return see {@link #ialltoall(Buffer, Buffer)}
     */
    default CompletableFuture<Void> ialltoall(long[] send, long[] recv) {
        return ialltoall(Operands.of(send), Operands.of(recv));
    }

    /**
     * {@link #ialltoall(Buffer, Buffer)} on whole {@code float[]} arrays.
     *
     * @param send see {@link #ialltoall(Buffer, Buffer)}
     * @param recv see {@link #ialltoall(Buffer, Buffer)}
     * @return see {@link #ialltoall(Buffer, Buffer)}
     */
    default CompletableFuture<Void> ialltoall(float[] send, float[] recv) {
        return ialltoall(Operands.of(send), Operands.of(recv));
    }

    /**
     * {@link #ialltoall(Buffer, Buffer)} on whole {@code double[]} arrays.
     *
     * @param send see {@link #ialltoall(Buffer, Buffer)}
     * @param recv see {@link #ialltoall(Buffer, Buffer)}
     * @return see {@link #ialltoall(Buffer, Buffer)}
     */
    default CompletableFuture<Void> ialltoall(double[] send, double[] recv) {
        return ialltoall(Operands.of(send), Operands.of(recv));
    }

    /**
     * {@link #ialltoall(Buffer, Buffer)} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param send see {@link #ialltoall(Buffer, Buffer)}
     * @param recv see {@link #ialltoall(Buffer, Buffer)}
     * @return see {@link #ialltoall(Buffer, Buffer)}
     */
    default CompletableFuture<Void> ialltoall(ByteBuffer send, ByteBuffer recv) {
        return ialltoall(Operands.of(send), Operands.of(recv));
    }

    /**
     * {@link #reduce(Buffer, Buffer, int, ReduceOp)} on whole {@code byte[]} arrays.
     *
     * @param send see {@link #reduce(Buffer, Buffer, int, ReduceOp)}
     * @param recv see {@link #reduce(Buffer, Buffer, int, ReduceOp)}
     * @param root see {@link #reduce(Buffer, Buffer, int, ReduceOp)}
     * @param op see {@link #reduce(Buffer, Buffer, int, ReduceOp)}
     */
    default void reduce(byte[] send, byte[] recv, int root, ReduceOp op) {
        reduce(Operands.of(send), Operands.of(recv), root, op);
    }

    /**
     * {@link #reduce(Buffer, Buffer, int, ReduceOp)} on whole {@code int[]} arrays.
     *
     * @param send see {@link #reduce(Buffer, Buffer, int, ReduceOp)}
     * @param recv see {@link #reduce(Buffer, Buffer, int, ReduceOp)}
     * @param root see {@link #reduce(Buffer, Buffer, int, ReduceOp)}
     * @param op see {@link #reduce(Buffer, Buffer, int, ReduceOp)}
     */
    default void reduce(int[] send, int[] recv, int root, ReduceOp op) {
        reduce(Operands.of(send), Operands.of(recv), root, op);
    }

    /**
     * {@link #reduce(Buffer, Buffer, int, ReduceOp)} on whole {@code long[]} arrays.
     *
     * @param send see {@link #reduce(Buffer, Buffer, int, ReduceOp)}
     * @param recv see {@link #reduce(Buffer, Buffer, int, ReduceOp)}
     * @param root see {@link #reduce(Buffer, Buffer, int, ReduceOp)}
     * @param op see {@link #reduce(Buffer, Buffer, int, ReduceOp)}
     */
    default void reduce(long[] send, long[] recv, int root, ReduceOp op) {
        reduce(Operands.of(send), Operands.of(recv), root, op);
    }

    /**
     * {@link #reduce(Buffer, Buffer, int, ReduceOp)} on whole {@code float[]} arrays.
     *
     * @param send see {@link #reduce(Buffer, Buffer, int, ReduceOp)}
     * @param recv see {@link #reduce(Buffer, Buffer, int, ReduceOp)}
     * @param root see {@link #reduce(Buffer, Buffer, int, ReduceOp)}
     * @param op see {@link #reduce(Buffer, Buffer, int, ReduceOp)}
     */
    default void reduce(float[] send, float[] recv, int root, ReduceOp op) {
        reduce(Operands.of(send), Operands.of(recv), root, op);
    }

    /**
     * {@link #reduce(Buffer, Buffer, int, ReduceOp)} on whole {@code double[]} arrays.
     *
     * @param send see {@link #reduce(Buffer, Buffer, int, ReduceOp)}
     * @param recv see {@link #reduce(Buffer, Buffer, int, ReduceOp)}
     * @param root see {@link #reduce(Buffer, Buffer, int, ReduceOp)}
     * @param op see {@link #reduce(Buffer, Buffer, int, ReduceOp)}
     */
    default void reduce(double[] send, double[] recv, int root, ReduceOp op) {
        reduce(Operands.of(send), Operands.of(recv), root, op);
    }

    /**
     * {@link #reduce(Buffer, Buffer, int, ReduceOp)} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param send see {@link #reduce(Buffer, Buffer, int, ReduceOp)}
     * @param recv see {@link #reduce(Buffer, Buffer, int, ReduceOp)}
     * @param root see {@link #reduce(Buffer, Buffer, int, ReduceOp)}
     * @param op see {@link #reduce(Buffer, Buffer, int, ReduceOp)}
     */
    default void reduce(ByteBuffer send, ByteBuffer recv, int root, ReduceOp op) {
        reduce(Operands.of(send), Operands.of(recv), root, op);
    }

    /**
     * {@link #ireduce(Buffer, Buffer, int, ReduceOp)} on whole {@code byte[]} arrays.
     *
     * @param send see {@link #ireduce(Buffer, Buffer, int, ReduceOp)}
     * @param recv see {@link #ireduce(Buffer, Buffer, int, ReduceOp)}
     * @param root see {@link #ireduce(Buffer, Buffer, int, ReduceOp)}
     * @param op see {@link #ireduce(Buffer, Buffer, int, ReduceOp)}
     * @return see {@link #ireduce(Buffer, Buffer, int, ReduceOp)}
     */
    default CompletableFuture<Void> ireduce(byte[] send, byte[] recv, int root, ReduceOp op) {
        return ireduce(Operands.of(send), Operands.of(recv), root, op);
    }

    /**
     * {@link #ireduce(Buffer, Buffer, int, ReduceOp)} on whole {@code int[]} arrays.
     *
     * @param send see {@link #ireduce(Buffer, Buffer, int, ReduceOp)}
     * @param recv see {@link #ireduce(Buffer, Buffer, int, ReduceOp)}
     * @param root see {@link #ireduce(Buffer, Buffer, int, ReduceOp)}
     * @param op see {@link #ireduce(Buffer, Buffer, int, ReduceOp)}
     * @return see {@link #ireduce(Buffer, Buffer, int, ReduceOp)}
     */
    default CompletableFuture<Void> ireduce(int[] send, int[] recv, int root, ReduceOp op) {
        return ireduce(Operands.of(send), Operands.of(recv), root, op);
    }

    /**
     * {@link #ireduce(Buffer, Buffer, int, ReduceOp)} on whole {@code long[]} arrays.
     *
     * @param send see {@link #ireduce(Buffer, Buffer, int, ReduceOp)}
     * @param recv see {@link #ireduce(Buffer, Buffer, int, ReduceOp)}
     * @param root see {@link #ireduce(Buffer, Buffer, int, ReduceOp)}
     * @param op see {@link #ireduce(Buffer, Buffer, int, ReduceOp)}
     * @return see {@link #ireduce(Buffer, Buffer, int, ReduceOp)}
     */
    default CompletableFuture<Void> ireduce(long[] send, long[] recv, int root, ReduceOp op) {
        return ireduce(Operands.of(send), Operands.of(recv), root, op);
    }

    /**
     * {@link #ireduce(Buffer, Buffer, int, ReduceOp)} on whole {@code float[]} arrays.
     *
     * @param send see {@link #ireduce(Buffer, Buffer, int, ReduceOp)}
     * @param recv see {@link #ireduce(Buffer, Buffer, int, ReduceOp)}
     * @param root see {@link #ireduce(Buffer, Buffer, int, ReduceOp)}
     * @param op see {@link #ireduce(Buffer, Buffer, int, ReduceOp)}
     * @return see {@link #ireduce(Buffer, Buffer, int, ReduceOp)}
     */
    default CompletableFuture<Void> ireduce(float[] send, float[] recv, int root, ReduceOp op) {
        return ireduce(Operands.of(send), Operands.of(recv), root, op);
    }

    /**
     * {@link #ireduce(Buffer, Buffer, int, ReduceOp)} on whole {@code double[]} arrays.
     *
     * @param send see {@link #ireduce(Buffer, Buffer, int, ReduceOp)}
     * @param recv see {@link #ireduce(Buffer, Buffer, int, ReduceOp)}
     * @param root see {@link #ireduce(Buffer, Buffer, int, ReduceOp)}
     * @param op see {@link #ireduce(Buffer, Buffer, int, ReduceOp)}
     * @return see {@link #ireduce(Buffer, Buffer, int, ReduceOp)}
     */
    default CompletableFuture<Void> ireduce(double[] send, double[] recv, int root, ReduceOp op) {
        return ireduce(Operands.of(send), Operands.of(recv), root, op);
    }

    /**
     * {@link #ireduce(Buffer, Buffer, int, ReduceOp)} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param send see {@link #ireduce(Buffer, Buffer, int, ReduceOp)}
     * @param recv see {@link #ireduce(Buffer, Buffer, int, ReduceOp)}
     * @param root see {@link #ireduce(Buffer, Buffer, int, ReduceOp)}
     * @param op see {@link #ireduce(Buffer, Buffer, int, ReduceOp)}
     * @return see {@link #ireduce(Buffer, Buffer, int, ReduceOp)}
     */
    default CompletableFuture<Void> ireduce(ByteBuffer send, ByteBuffer recv, int root, ReduceOp op) {
        return ireduce(Operands.of(send), Operands.of(recv), root, op);
    }

    /**
     * {@link #allreduce(Buffer, Buffer, ReduceOp)} on whole {@code byte[]} arrays.
     *
     * @param send see {@link #allreduce(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #allreduce(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #allreduce(Buffer, Buffer, ReduceOp)}
     */
    default void allreduce(byte[] send, byte[] recv, ReduceOp op) {
        allreduce(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #allreduce(Buffer, Buffer, ReduceOp)} on whole {@code int[]} arrays.
     *
     * @param send see {@link #allreduce(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #allreduce(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #allreduce(Buffer, Buffer, ReduceOp)}
     */
    default void allreduce(int[] send, int[] recv, ReduceOp op) {
        allreduce(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #allreduce(Buffer, Buffer, ReduceOp)} on whole {@code long[]} arrays.
     *
     * @param send see {@link #allreduce(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #allreduce(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #allreduce(Buffer, Buffer, ReduceOp)}
     */
    default void allreduce(long[] send, long[] recv, ReduceOp op) {
        allreduce(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #allreduce(Buffer, Buffer, ReduceOp)} on whole {@code float[]} arrays.
     *
     * @param send see {@link #allreduce(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #allreduce(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #allreduce(Buffer, Buffer, ReduceOp)}
     */
    default void allreduce(float[] send, float[] recv, ReduceOp op) {
        allreduce(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #allreduce(Buffer, Buffer, ReduceOp)} on whole {@code double[]} arrays.
     *
     * @param send see {@link #allreduce(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #allreduce(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #allreduce(Buffer, Buffer, ReduceOp)}
     */
    default void allreduce(double[] send, double[] recv, ReduceOp op) {
        allreduce(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #allreduce(Buffer, Buffer, ReduceOp)} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param send see {@link #allreduce(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #allreduce(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #allreduce(Buffer, Buffer, ReduceOp)}
     */
    default void allreduce(ByteBuffer send, ByteBuffer recv, ReduceOp op) {
        allreduce(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #iallreduce(Buffer, Buffer, ReduceOp)} on whole {@code byte[]} arrays.
     *
     * @param send see {@link #iallreduce(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #iallreduce(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #iallreduce(Buffer, Buffer, ReduceOp)}
     * @return see {@link #iallreduce(Buffer, Buffer, ReduceOp)}
     */
    default CompletableFuture<Void> iallreduce(byte[] send, byte[] recv, ReduceOp op) {
        return iallreduce(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #iallreduce(Buffer, Buffer, ReduceOp)} on whole {@code int[]} arrays.
     *
     * @param send see {@link #iallreduce(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #iallreduce(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #iallreduce(Buffer, Buffer, ReduceOp)}
     * @return see {@link #iallreduce(Buffer, Buffer, ReduceOp)}
     */
    default CompletableFuture<Void> iallreduce(int[] send, int[] recv, ReduceOp op) {
        return iallreduce(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #iallreduce(Buffer, Buffer, ReduceOp)} on whole {@code long[]} arrays.
     *
     * @param send see {@link #iallreduce(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #iallreduce(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #iallreduce(Buffer, Buffer, ReduceOp)}
     * @return see {@link #iallreduce(Buffer, Buffer, ReduceOp)}
     */
    default CompletableFuture<Void> iallreduce(long[] send, long[] recv, ReduceOp op) {
        return iallreduce(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #iallreduce(Buffer, Buffer, ReduceOp)} on whole {@code float[]} arrays.
     *
     * @param send see {@link #iallreduce(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #iallreduce(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #iallreduce(Buffer, Buffer, ReduceOp)}
     * @return see {@link #iallreduce(Buffer, Buffer, ReduceOp)}
     */
    default CompletableFuture<Void> iallreduce(float[] send, float[] recv, ReduceOp op) {
        return iallreduce(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #iallreduce(Buffer, Buffer, ReduceOp)} on whole {@code double[]} arrays.
     *
     * @param send see {@link #iallreduce(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #iallreduce(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #iallreduce(Buffer, Buffer, ReduceOp)}
     * @return see {@link #iallreduce(Buffer, Buffer, ReduceOp)}
     */
    default CompletableFuture<Void> iallreduce(double[] send, double[] recv, ReduceOp op) {
        return iallreduce(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #iallreduce(Buffer, Buffer, ReduceOp)} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param send see {@link #iallreduce(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #iallreduce(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #iallreduce(Buffer, Buffer, ReduceOp)}
     * @return see {@link #iallreduce(Buffer, Buffer, ReduceOp)}
     */
    default CompletableFuture<Void> iallreduce(ByteBuffer send, ByteBuffer recv, ReduceOp op) {
        return iallreduce(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #scan(Buffer, Buffer, ReduceOp)} on whole {@code byte[]} arrays.
     *
     * @param send see {@link #scan(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #scan(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #scan(Buffer, Buffer, ReduceOp)}
     */
    default void scan(byte[] send, byte[] recv, ReduceOp op) {
        scan(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #scan(Buffer, Buffer, ReduceOp)} on whole {@code int[]} arrays.
     *
     * @param send see {@link #scan(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #scan(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #scan(Buffer, Buffer, ReduceOp)}
     */
    default void scan(int[] send, int[] recv, ReduceOp op) {
        scan(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #scan(Buffer, Buffer, ReduceOp)} on whole {@code long[]} arrays.
     *
     * @param send see {@link #scan(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #scan(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #scan(Buffer, Buffer, ReduceOp)}
     */
    default void scan(long[] send, long[] recv, ReduceOp op) {
        scan(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #scan(Buffer, Buffer, ReduceOp)} on whole {@code float[]} arrays.
     *
     * @param send see {@link #scan(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #scan(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #scan(Buffer, Buffer, ReduceOp)}
     */
    default void scan(float[] send, float[] recv, ReduceOp op) {
        scan(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #scan(Buffer, Buffer, ReduceOp)} on whole {@code double[]} arrays.
     *
     * @param send see {@link #scan(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #scan(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #scan(Buffer, Buffer, ReduceOp)}
     */
    default void scan(double[] send, double[] recv, ReduceOp op) {
        scan(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #scan(Buffer, Buffer, ReduceOp)} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param send see {@link #scan(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #scan(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #scan(Buffer, Buffer, ReduceOp)}
     */
    default void scan(ByteBuffer send, ByteBuffer recv, ReduceOp op) {
        scan(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #iscan(Buffer, Buffer, ReduceOp)} on whole {@code byte[]} arrays.
     *
     * @param send see {@link #iscan(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #iscan(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #iscan(Buffer, Buffer, ReduceOp)}
     * @return see {@link #iscan(Buffer, Buffer, ReduceOp)}
     */
    default CompletableFuture<Void> iscan(byte[] send, byte[] recv, ReduceOp op) {
        return iscan(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #iscan(Buffer, Buffer, ReduceOp)} on whole {@code int[]} arrays.
     *
     * @param send see {@link #iscan(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #iscan(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #iscan(Buffer, Buffer, ReduceOp)}
     * @return see {@link #iscan(Buffer, Buffer, ReduceOp)}
     */
    default CompletableFuture<Void> iscan(int[] send, int[] recv, ReduceOp op) {
        return iscan(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #iscan(Buffer, Buffer, ReduceOp)} on whole {@code long[]} arrays.
     *
     * @param send see {@link #iscan(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #iscan(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #iscan(Buffer, Buffer, ReduceOp)}
     * @return see {@link #iscan(Buffer, Buffer, ReduceOp)}
     */
    default CompletableFuture<Void> iscan(long[] send, long[] recv, ReduceOp op) {
        return iscan(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #iscan(Buffer, Buffer, ReduceOp)} on whole {@code float[]} arrays.
     *
     * @param send see {@link #iscan(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #iscan(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #iscan(Buffer, Buffer, ReduceOp)}
     * @return see {@link #iscan(Buffer, Buffer, ReduceOp)}
     */
    default CompletableFuture<Void> iscan(float[] send, float[] recv, ReduceOp op) {
        return iscan(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #iscan(Buffer, Buffer, ReduceOp)} on whole {@code double[]} arrays.
     *
     * @param send see {@link #iscan(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #iscan(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #iscan(Buffer, Buffer, ReduceOp)}
     * @return see {@link #iscan(Buffer, Buffer, ReduceOp)}
     */
    default CompletableFuture<Void> iscan(double[] send, double[] recv, ReduceOp op) {
        return iscan(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #iscan(Buffer, Buffer, ReduceOp)} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param send see {@link #iscan(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #iscan(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #iscan(Buffer, Buffer, ReduceOp)}
     * @return see {@link #iscan(Buffer, Buffer, ReduceOp)}
     */
    default CompletableFuture<Void> iscan(ByteBuffer send, ByteBuffer recv, ReduceOp op) {
        return iscan(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #sendrecv(Buffer, int, Buffer, int)} on whole {@code byte[]} arrays.
     *
     * @param send see {@link #sendrecv(Buffer, int, Buffer, int)}
     * @param dest see {@link #sendrecv(Buffer, int, Buffer, int)}
     * @param recv see {@link #sendrecv(Buffer, int, Buffer, int)}
     * @param src see {@link #sendrecv(Buffer, int, Buffer, int)}
     */
    default void sendrecv(byte[] send, int dest, byte[] recv, int src) {
        sendrecv(Operands.of(send), dest, Operands.of(recv), src);
    }

    /**
     * {@link #sendrecv(Buffer, int, Buffer, int)} on whole {@code int[]} arrays.
     *
     * @param send see {@link #sendrecv(Buffer, int, Buffer, int)}
     * @param dest see {@link #sendrecv(Buffer, int, Buffer, int)}
     * @param recv see {@link #sendrecv(Buffer, int, Buffer, int)}
     * @param src see {@link #sendrecv(Buffer, int, Buffer, int)}
     */
    default void sendrecv(int[] send, int dest, int[] recv, int src) {
        sendrecv(Operands.of(send), dest, Operands.of(recv), src);
    }

    /**
     * {@link #sendrecv(Buffer, int, Buffer, int)} on whole {@code long[]} arrays.
     *
     * @param send see {@link #sendrecv(Buffer, int, Buffer, int)}
     * @param dest see {@link #sendrecv(Buffer, int, Buffer, int)}
     * @param recv see {@link #sendrecv(Buffer, int, Buffer, int)}
     * @param src see {@link #sendrecv(Buffer, int, Buffer, int)}
     */
    default void sendrecv(long[] send, int dest, long[] recv, int src) {
        sendrecv(Operands.of(send), dest, Operands.of(recv), src);
    }

    /**
     * {@link #sendrecv(Buffer, int, Buffer, int)} on whole {@code float[]} arrays.
     *
     * @param send see {@link #sendrecv(Buffer, int, Buffer, int)}
     * @param dest see {@link #sendrecv(Buffer, int, Buffer, int)}
     * @param recv see {@link #sendrecv(Buffer, int, Buffer, int)}
     * @param src see {@link #sendrecv(Buffer, int, Buffer, int)}
     */
    default void sendrecv(float[] send, int dest, float[] recv, int src) {
        sendrecv(Operands.of(send), dest, Operands.of(recv), src);
    }

    /**
     * {@link #sendrecv(Buffer, int, Buffer, int)} on whole {@code double[]} arrays.
     *
     * @param send see {@link #sendrecv(Buffer, int, Buffer, int)}
     * @param dest see {@link #sendrecv(Buffer, int, Buffer, int)}
     * @param recv see {@link #sendrecv(Buffer, int, Buffer, int)}
     * @param src see {@link #sendrecv(Buffer, int, Buffer, int)}
     */
    default void sendrecv(double[] send, int dest, double[] recv, int src) {
        sendrecv(Operands.of(send), dest, Operands.of(recv), src);
    }

    /**
     * {@link #sendrecv(Buffer, int, Buffer, int)} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param send see {@link #sendrecv(Buffer, int, Buffer, int)}
     * @param dest see {@link #sendrecv(Buffer, int, Buffer, int)}
     * @param recv see {@link #sendrecv(Buffer, int, Buffer, int)}
     * @param src see {@link #sendrecv(Buffer, int, Buffer, int)}
     */
    default void sendrecv(ByteBuffer send, int dest, ByteBuffer recv, int src) {
        sendrecv(Operands.of(send), dest, Operands.of(recv), src);
    }

    /**
     * {@link #isendrecv(Buffer, int, Buffer, int)} on whole {@code byte[]} arrays.
     *
     * @param send see {@link #isendrecv(Buffer, int, Buffer, int)}
     * @param dest see {@link #isendrecv(Buffer, int, Buffer, int)}
     * @param recv see {@link #isendrecv(Buffer, int, Buffer, int)}
     * @param src see {@link #isendrecv(Buffer, int, Buffer, int)}
     * @return see {@link #isendrecv(Buffer, int, Buffer, int)}
     */
    default CompletableFuture<Void> isendrecv(byte[] send, int dest, byte[] recv, int src) {
        return isendrecv(Operands.of(send), dest, Operands.of(recv), src);
    }

    /**
     * {@link #isendrecv(Buffer, int, Buffer, int)} on whole {@code int[]} arrays.
     *
     * @param send see {@link #isendrecv(Buffer, int, Buffer, int)}
     * @param dest see {@link #isendrecv(Buffer, int, Buffer, int)}
     * @param recv see {@link #isendrecv(Buffer, int, Buffer, int)}
     * @param src see {@link #isendrecv(Buffer, int, Buffer, int)}
     * @return see {@link #isendrecv(Buffer, int, Buffer, int)}
     */
    default CompletableFuture<Void> isendrecv(int[] send, int dest, int[] recv, int src) {
        return isendrecv(Operands.of(send), dest, Operands.of(recv), src);
    }

    /**
     * {@link #isendrecv(Buffer, int, Buffer, int)} on whole {@code long[]} arrays.
     *
     * @param send see {@link #isendrecv(Buffer, int, Buffer, int)}
     * @param dest see {@link #isendrecv(Buffer, int, Buffer, int)}
     * @param recv see {@link #isendrecv(Buffer, int, Buffer, int)}
     * @param src see {@link #isendrecv(Buffer, int, Buffer, int)}
     * @return see {@link #isendrecv(Buffer, int, Buffer, int)}
     */
    default CompletableFuture<Void> isendrecv(long[] send, int dest, long[] recv, int src) {
        return isendrecv(Operands.of(send), dest, Operands.of(recv), src);
    }

    /**
     * {@link #isendrecv(Buffer, int, Buffer, int)} on whole {@code float[]} arrays.
     *
     * @param send see {@link #isendrecv(Buffer, int, Buffer, int)}
     * @param dest see {@link #isendrecv(Buffer, int, Buffer, int)}
     * @param recv see {@link #isendrecv(Buffer, int, Buffer, int)}
     * @param src see {@link #isendrecv(Buffer, int, Buffer, int)}
     * @return see {@link #isendrecv(Buffer, int, Buffer, int)}
     */
    default CompletableFuture<Void> isendrecv(float[] send, int dest, float[] recv, int src) {
        return isendrecv(Operands.of(send), dest, Operands.of(recv), src);
    }

    /**
     * {@link #isendrecv(Buffer, int, Buffer, int)} on whole {@code double[]} arrays.
     *
     * @param send see {@link #isendrecv(Buffer, int, Buffer, int)}
     * @param dest see {@link #isendrecv(Buffer, int, Buffer, int)}
     * @param recv see {@link #isendrecv(Buffer, int, Buffer, int)}
     * @param src see {@link #isendrecv(Buffer, int, Buffer, int)}
     * @return see {@link #isendrecv(Buffer, int, Buffer, int)}
     */
    default CompletableFuture<Void> isendrecv(double[] send, int dest, double[] recv, int src) {
        return isendrecv(Operands.of(send), dest, Operands.of(recv), src);
    }

    /**
     * {@link #isendrecv(Buffer, int, Buffer, int)} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param send see {@link #isendrecv(Buffer, int, Buffer, int)}
     * @param dest see {@link #isendrecv(Buffer, int, Buffer, int)}
     * @param recv see {@link #isendrecv(Buffer, int, Buffer, int)}
     * @param src see {@link #isendrecv(Buffer, int, Buffer, int)}
     * @return see {@link #isendrecv(Buffer, int, Buffer, int)}
     */
    default CompletableFuture<Void> isendrecv(ByteBuffer send, int dest, ByteBuffer recv, int src) {
        return isendrecv(Operands.of(send), dest, Operands.of(recv), src);
    }

    /**
     * {@link #exscan(Buffer, Buffer, ReduceOp)} on whole {@code byte[]} arrays.
     *
     * @param send see {@link #exscan(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #exscan(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #exscan(Buffer, Buffer, ReduceOp)}
     */
    default void exscan(byte[] send, byte[] recv, ReduceOp op) {
        exscan(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #exscan(Buffer, Buffer, ReduceOp)} on whole {@code int[]} arrays.
     *
     * @param send see {@link #exscan(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #exscan(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #exscan(Buffer, Buffer, ReduceOp)}
     */
    default void exscan(int[] send, int[] recv, ReduceOp op) {
        exscan(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #exscan(Buffer, Buffer, ReduceOp)} on whole {@code long[]} arrays.
     *
     * @param send see {@link #exscan(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #exscan(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #exscan(Buffer, Buffer, ReduceOp)}
     */
    default void exscan(long[] send, long[] recv, ReduceOp op) {
        exscan(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #exscan(Buffer, Buffer, ReduceOp)} on whole {@code float[]} arrays.
     *
     * @param send see {@link #exscan(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #exscan(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #exscan(Buffer, Buffer, ReduceOp)}
     */
    default void exscan(float[] send, float[] recv, ReduceOp op) {
        exscan(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #exscan(Buffer, Buffer, ReduceOp)} on whole {@code double[]} arrays.
     *
     * @param send see {@link #exscan(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #exscan(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #exscan(Buffer, Buffer, ReduceOp)}
     */
    default void exscan(double[] send, double[] recv, ReduceOp op) {
        exscan(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #exscan(Buffer, Buffer, ReduceOp)} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param send see {@link #exscan(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #exscan(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #exscan(Buffer, Buffer, ReduceOp)}
     */
    default void exscan(ByteBuffer send, ByteBuffer recv, ReduceOp op) {
        exscan(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #iexscan(Buffer, Buffer, ReduceOp)} on whole {@code byte[]} arrays.
     *
     * @param send see {@link #iexscan(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #iexscan(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #iexscan(Buffer, Buffer, ReduceOp)}
     * @return see {@link #iexscan(Buffer, Buffer, ReduceOp)}
     */
    default CompletableFuture<Void> iexscan(byte[] send, byte[] recv, ReduceOp op) {
        return iexscan(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #iexscan(Buffer, Buffer, ReduceOp)} on whole {@code int[]} arrays.
     *
     * @param send see {@link #iexscan(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #iexscan(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #iexscan(Buffer, Buffer, ReduceOp)}
     * @return see {@link #iexscan(Buffer, Buffer, ReduceOp)}
     */
    default CompletableFuture<Void> iexscan(int[] send, int[] recv, ReduceOp op) {
        return iexscan(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #iexscan(Buffer, Buffer, ReduceOp)} on whole {@code long[]} arrays.
     *
     * @param send see {@link #iexscan(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #iexscan(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #iexscan(Buffer, Buffer, ReduceOp)}
     * @return see {@link #iexscan(Buffer, Buffer, ReduceOp)}
     */
    default CompletableFuture<Void> iexscan(long[] send, long[] recv, ReduceOp op) {
        return iexscan(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #iexscan(Buffer, Buffer, ReduceOp)} on whole {@code float[]} arrays.
     *
     * @param send see {@link #iexscan(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #iexscan(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #iexscan(Buffer, Buffer, ReduceOp)}
     * @return see {@link #iexscan(Buffer, Buffer, ReduceOp)}
     */
    default CompletableFuture<Void> iexscan(float[] send, float[] recv, ReduceOp op) {
        return iexscan(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #iexscan(Buffer, Buffer, ReduceOp)} on whole {@code double[]} arrays.
     *
     * @param send see {@link #iexscan(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #iexscan(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #iexscan(Buffer, Buffer, ReduceOp)}
     * @return see {@link #iexscan(Buffer, Buffer, ReduceOp)}
     */
    default CompletableFuture<Void> iexscan(double[] send, double[] recv, ReduceOp op) {
        return iexscan(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #iexscan(Buffer, Buffer, ReduceOp)} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param send see {@link #iexscan(Buffer, Buffer, ReduceOp)}
     * @param recv see {@link #iexscan(Buffer, Buffer, ReduceOp)}
     * @param op see {@link #iexscan(Buffer, Buffer, ReduceOp)}
     * @return see {@link #iexscan(Buffer, Buffer, ReduceOp)}
     */
    default CompletableFuture<Void> iexscan(ByteBuffer send, ByteBuffer recv, ReduceOp op) {
        return iexscan(Operands.of(send), Operands.of(recv), op);
    }

    /**
     * {@link #gatherv(Buffer, Buffer, int[], int)} on whole {@code byte[]} arrays.
     *
     * @param send see {@link #gatherv(Buffer, Buffer, int[], int)}
     * @param recv see {@link #gatherv(Buffer, Buffer, int[], int)}
     * @param counts see {@link #gatherv(Buffer, Buffer, int[], int)}
     * @param root see {@link #gatherv(Buffer, Buffer, int[], int)}
     */
    default void gatherv(byte[] send, byte[] recv, int[] counts, int root) {
        gatherv(Operands.of(send), Operands.of(recv), counts, root);
    }

    /**
     * {@link #gatherv(Buffer, Buffer, int[], int)} on whole {@code int[]} arrays.
     *
     * @param send see {@link #gatherv(Buffer, Buffer, int[], int)}
     * @param recv see {@link #gatherv(Buffer, Buffer, int[], int)}
     * @param counts see {@link #gatherv(Buffer, Buffer, int[], int)}
     * @param root see {@link #gatherv(Buffer, Buffer, int[], int)}
     */
    default void gatherv(int[] send, int[] recv, int[] counts, int root) {
        gatherv(Operands.of(send), Operands.of(recv), counts, root);
    }

    /**
     * {@link #gatherv(Buffer, Buffer, int[], int)} on whole {@code long[]} arrays.
     *
     * @param send see {@link #gatherv(Buffer, Buffer, int[], int)}
     * @param recv see {@link #gatherv(Buffer, Buffer, int[], int)}
     * @param counts see {@link #gatherv(Buffer, Buffer, int[], int)}
     * @param root see {@link #gatherv(Buffer, Buffer, int[], int)}
     */
    default void gatherv(long[] send, long[] recv, int[] counts, int root) {
        gatherv(Operands.of(send), Operands.of(recv), counts, root);
    }

    /**
     * {@link #gatherv(Buffer, Buffer, int[], int)} on whole {@code float[]} arrays.
     *
     * @param send see {@link #gatherv(Buffer, Buffer, int[], int)}
     * @param recv see {@link #gatherv(Buffer, Buffer, int[], int)}
     * @param counts see {@link #gatherv(Buffer, Buffer, int[], int)}
     * @param root see {@link #gatherv(Buffer, Buffer, int[], int)}
     */
    default void gatherv(float[] send, float[] recv, int[] counts, int root) {
        gatherv(Operands.of(send), Operands.of(recv), counts, root);
    }

    /**
     * {@link #gatherv(Buffer, Buffer, int[], int)} on whole {@code double[]} arrays.
     *
     * @param send see {@link #gatherv(Buffer, Buffer, int[], int)}
     * @param recv see {@link #gatherv(Buffer, Buffer, int[], int)}
     * @param counts see {@link #gatherv(Buffer, Buffer, int[], int)}
     * @param root see {@link #gatherv(Buffer, Buffer, int[], int)}
     */
    default void gatherv(double[] send, double[] recv, int[] counts, int root) {
        gatherv(Operands.of(send), Operands.of(recv), counts, root);
    }

    /**
     * {@link #gatherv(Buffer, Buffer, int[], int)} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param send see {@link #gatherv(Buffer, Buffer, int[], int)}
     * @param recv see {@link #gatherv(Buffer, Buffer, int[], int)}
     * @param counts see {@link #gatherv(Buffer, Buffer, int[], int)}
     * @param root see {@link #gatherv(Buffer, Buffer, int[], int)}
     */
    default void gatherv(ByteBuffer send, ByteBuffer recv, int[] counts, int root) {
        gatherv(Operands.of(send), Operands.of(recv), counts, root);
    }

    /**
     * {@link #igatherv(Buffer, Buffer, int[], int)} on whole {@code byte[]} arrays.
     *
     * @param send see {@link #igatherv(Buffer, Buffer, int[], int)}
     * @param recv see {@link #igatherv(Buffer, Buffer, int[], int)}
     * @param counts see {@link #igatherv(Buffer, Buffer, int[], int)}
     * @param root see {@link #igatherv(Buffer, Buffer, int[], int)}
     * @return see {@link #igatherv(Buffer, Buffer, int[], int)}
     */
    default CompletableFuture<Void> igatherv(byte[] send, byte[] recv, int[] counts, int root) {
        return igatherv(Operands.of(send), Operands.of(recv), counts, root);
    }

    /**
     * {@link #igatherv(Buffer, Buffer, int[], int)} on whole {@code int[]} arrays.
     *
     * @param send see {@link #igatherv(Buffer, Buffer, int[], int)}
     * @param recv see {@link #igatherv(Buffer, Buffer, int[], int)}
     * @param counts see {@link #igatherv(Buffer, Buffer, int[], int)}
     * @param root see {@link #igatherv(Buffer, Buffer, int[], int)}
     * @return see {@link #igatherv(Buffer, Buffer, int[], int)}
     */
    default CompletableFuture<Void> igatherv(int[] send, int[] recv, int[] counts, int root) {
        return igatherv(Operands.of(send), Operands.of(recv), counts, root);
    }

    /**
     * {@link #igatherv(Buffer, Buffer, int[], int)} on whole {@code long[]} arrays.
     *
     * @param send see {@link #igatherv(Buffer, Buffer, int[], int)}
     * @param recv see {@link #igatherv(Buffer, Buffer, int[], int)}
     * @param counts see {@link #igatherv(Buffer, Buffer, int[], int)}
     * @param root see {@link #igatherv(Buffer, Buffer, int[], int)}
     * @return see {@link #igatherv(Buffer, Buffer, int[], int)}
     */
    default CompletableFuture<Void> igatherv(long[] send, long[] recv, int[] counts, int root) {
        return igatherv(Operands.of(send), Operands.of(recv), counts, root);
    }

    /**
     * {@link #igatherv(Buffer, Buffer, int[], int)} on whole {@code float[]} arrays.
     *
     * @param send see {@link #igatherv(Buffer, Buffer, int[], int)}
     * @param recv see {@link #igatherv(Buffer, Buffer, int[], int)}
     * @param counts see {@link #igatherv(Buffer, Buffer, int[], int)}
     * @param root see {@link #igatherv(Buffer, Buffer, int[], int)}
     * @return see {@link #igatherv(Buffer, Buffer, int[], int)}
     */
    default CompletableFuture<Void> igatherv(float[] send, float[] recv, int[] counts, int root) {
        return igatherv(Operands.of(send), Operands.of(recv), counts, root);
    }

    /**
     * {@link #igatherv(Buffer, Buffer, int[], int)} on whole {@code double[]} arrays.
     *
     * @param send see {@link #igatherv(Buffer, Buffer, int[], int)}
     * @param recv see {@link #igatherv(Buffer, Buffer, int[], int)}
     * @param counts see {@link #igatherv(Buffer, Buffer, int[], int)}
     * @param root see {@link #igatherv(Buffer, Buffer, int[], int)}
     * @return see {@link #igatherv(Buffer, Buffer, int[], int)}
     */
    default CompletableFuture<Void> igatherv(double[] send, double[] recv, int[] counts, int root) {
        return igatherv(Operands.of(send), Operands.of(recv), counts, root);
    }

    /**
     * {@link #igatherv(Buffer, Buffer, int[], int)} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param send see {@link #igatherv(Buffer, Buffer, int[], int)}
     * @param recv see {@link #igatherv(Buffer, Buffer, int[], int)}
     * @param counts see {@link #igatherv(Buffer, Buffer, int[], int)}
     * @param root see {@link #igatherv(Buffer, Buffer, int[], int)}
     * @return see {@link #igatherv(Buffer, Buffer, int[], int)}
     */
    default CompletableFuture<Void> igatherv(ByteBuffer send, ByteBuffer recv, int[] counts, int root) {
        return igatherv(Operands.of(send), Operands.of(recv), counts, root);
    }

    /**
     * {@link #scatterv(Buffer, int[], Buffer, int)} on whole {@code byte[]} arrays.
     *
     * @param send see {@link #scatterv(Buffer, int[], Buffer, int)}
     * @param counts see {@link #scatterv(Buffer, int[], Buffer, int)}
     * @param recv see {@link #scatterv(Buffer, int[], Buffer, int)}
     * @param root see {@link #scatterv(Buffer, int[], Buffer, int)}
     */
    default void scatterv(byte[] send, int[] counts, byte[] recv, int root) {
        scatterv(Operands.of(send), counts, Operands.of(recv), root);
    }

    /**
     * {@link #scatterv(Buffer, int[], Buffer, int)} on whole {@code int[]} arrays.
     *
     * @param send see {@link #scatterv(Buffer, int[], Buffer, int)}
     * @param counts see {@link #scatterv(Buffer, int[], Buffer, int)}
     * @param recv see {@link #scatterv(Buffer, int[], Buffer, int)}
     * @param root see {@link #scatterv(Buffer, int[], Buffer, int)}
     */
    default void scatterv(int[] send, int[] counts, int[] recv, int root) {
        scatterv(Operands.of(send), counts, Operands.of(recv), root);
    }

    /**
     * {@link #scatterv(Buffer, int[], Buffer, int)} on whole {@code long[]} arrays.
     *
     * @param send see {@link #scatterv(Buffer, int[], Buffer, int)}
     * @param counts see {@link #scatterv(Buffer, int[], Buffer, int)}
     * @param recv see {@link #scatterv(Buffer, int[], Buffer, int)}
     * @param root see {@link #scatterv(Buffer, int[], Buffer, int)}
     */
    default void scatterv(long[] send, int[] counts, long[] recv, int root) {
        scatterv(Operands.of(send), counts, Operands.of(recv), root);
    }

    /**
     * {@link #scatterv(Buffer, int[], Buffer, int)} on whole {@code float[]} arrays.
     *
     * @param send see {@link #scatterv(Buffer, int[], Buffer, int)}
     * @param counts see {@link #scatterv(Buffer, int[], Buffer, int)}
     * @param recv see {@link #scatterv(Buffer, int[], Buffer, int)}
     * @param root see {@link #scatterv(Buffer, int[], Buffer, int)}
     */
    default void scatterv(float[] send, int[] counts, float[] recv, int root) {
        scatterv(Operands.of(send), counts, Operands.of(recv), root);
    }

    /**
     * {@link #scatterv(Buffer, int[], Buffer, int)} on whole {@code double[]} arrays.
     *
     * @param send see {@link #scatterv(Buffer, int[], Buffer, int)}
     * @param counts see {@link #scatterv(Buffer, int[], Buffer, int)}
     * @param recv see {@link #scatterv(Buffer, int[], Buffer, int)}
     * @param root see {@link #scatterv(Buffer, int[], Buffer, int)}
     */
    default void scatterv(double[] send, int[] counts, double[] recv, int root) {
        scatterv(Operands.of(send), counts, Operands.of(recv), root);
    }

    /**
     * {@link #scatterv(Buffer, int[], Buffer, int)} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param send see {@link #scatterv(Buffer, int[], Buffer, int)}
     * @param counts see {@link #scatterv(Buffer, int[], Buffer, int)}
     * @param recv see {@link #scatterv(Buffer, int[], Buffer, int)}
     * @param root see {@link #scatterv(Buffer, int[], Buffer, int)}
     */
    default void scatterv(ByteBuffer send, int[] counts, ByteBuffer recv, int root) {
        scatterv(Operands.of(send), counts, Operands.of(recv), root);
    }

    /**
     * {@link #iscatterv(Buffer, int[], Buffer, int)} on whole {@code byte[]} arrays.
     *
     * @param send see {@link #iscatterv(Buffer, int[], Buffer, int)}
     * @param counts see {@link #iscatterv(Buffer, int[], Buffer, int)}
     * @param recv see {@link #iscatterv(Buffer, int[], Buffer, int)}
     * @param root see {@link #iscatterv(Buffer, int[], Buffer, int)}
     * @return see {@link #iscatterv(Buffer, int[], Buffer, int)}
     */
    default CompletableFuture<Void> iscatterv(byte[] send, int[] counts, byte[] recv, int root) {
        return iscatterv(Operands.of(send), counts, Operands.of(recv), root);
    }

    /**
     * {@link #iscatterv(Buffer, int[], Buffer, int)} on whole {@code int[]} arrays.
     *
     * @param send see {@link #iscatterv(Buffer, int[], Buffer, int)}
     * @param counts see {@link #iscatterv(Buffer, int[], Buffer, int)}
     * @param recv see {@link #iscatterv(Buffer, int[], Buffer, int)}
     * @param root see {@link #iscatterv(Buffer, int[], Buffer, int)}
     * @return see {@link #iscatterv(Buffer, int[], Buffer, int)}
     */
    default CompletableFuture<Void> iscatterv(int[] send, int[] counts, int[] recv, int root) {
        return iscatterv(Operands.of(send), counts, Operands.of(recv), root);
    }

    /**
     * {@link #iscatterv(Buffer, int[], Buffer, int)} on whole {@code long[]} arrays.
     *
     * @param send see {@link #iscatterv(Buffer, int[], Buffer, int)}
     * @param counts see {@link #iscatterv(Buffer, int[], Buffer, int)}
     * @param recv see {@link #iscatterv(Buffer, int[], Buffer, int)}
     * @param root see {@link #iscatterv(Buffer, int[], Buffer, int)}
     * @return see {@link #iscatterv(Buffer, int[], Buffer, int)}
     */
    default CompletableFuture<Void> iscatterv(long[] send, int[] counts, long[] recv, int root) {
        return iscatterv(Operands.of(send), counts, Operands.of(recv), root);
    }

    /**
     * {@link #iscatterv(Buffer, int[], Buffer, int)} on whole {@code float[]} arrays.
     *
     * @param send see {@link #iscatterv(Buffer, int[], Buffer, int)}
     * @param counts see {@link #iscatterv(Buffer, int[], Buffer, int)}
     * @param recv see {@link #iscatterv(Buffer, int[], Buffer, int)}
     * @param root see {@link #iscatterv(Buffer, int[], Buffer, int)}
     * @return see {@link #iscatterv(Buffer, int[], Buffer, int)}
     */
    default CompletableFuture<Void> iscatterv(float[] send, int[] counts, float[] recv, int root) {
        return iscatterv(Operands.of(send), counts, Operands.of(recv), root);
    }

    /**
     * {@link #iscatterv(Buffer, int[], Buffer, int)} on whole {@code double[]} arrays.
     *
     * @param send see {@link #iscatterv(Buffer, int[], Buffer, int)}
     * @param counts see {@link #iscatterv(Buffer, int[], Buffer, int)}
     * @param recv see {@link #iscatterv(Buffer, int[], Buffer, int)}
     * @param root see {@link #iscatterv(Buffer, int[], Buffer, int)}
     * @return see {@link #iscatterv(Buffer, int[], Buffer, int)}
     */
    default CompletableFuture<Void> iscatterv(double[] send, int[] counts, double[] recv, int root) {
        return iscatterv(Operands.of(send), counts, Operands.of(recv), root);
    }

    /**
     * {@link #iscatterv(Buffer, int[], Buffer, int)} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param send see {@link #iscatterv(Buffer, int[], Buffer, int)}
     * @param counts see {@link #iscatterv(Buffer, int[], Buffer, int)}
     * @param recv see {@link #iscatterv(Buffer, int[], Buffer, int)}
     * @param root see {@link #iscatterv(Buffer, int[], Buffer, int)}
     * @return see {@link #iscatterv(Buffer, int[], Buffer, int)}
     */
    default CompletableFuture<Void> iscatterv(ByteBuffer send, int[] counts, ByteBuffer recv, int root) {
        return iscatterv(Operands.of(send), counts, Operands.of(recv), root);
    }

    /**
     * {@link #allgatherv(Buffer, Buffer, int[])} on whole {@code byte[]} arrays.
     *
     * @param send see {@link #allgatherv(Buffer, Buffer, int[])}
     * @param recv see {@link #allgatherv(Buffer, Buffer, int[])}
     * @param counts see {@link #allgatherv(Buffer, Buffer, int[])}
     */
    default void allgatherv(byte[] send, byte[] recv, int[] counts) {
        allgatherv(Operands.of(send), Operands.of(recv), counts);
    }

    /**
     * {@link #allgatherv(Buffer, Buffer, int[])} on whole {@code int[]} arrays.
     *
     * @param send see {@link #allgatherv(Buffer, Buffer, int[])}
     * @param recv see {@link #allgatherv(Buffer, Buffer, int[])}
     * @param counts see {@link #allgatherv(Buffer, Buffer, int[])}
     */
    default void allgatherv(int[] send, int[] recv, int[] counts) {
        allgatherv(Operands.of(send), Operands.of(recv), counts);
    }

    /**
     * {@link #allgatherv(Buffer, Buffer, int[])} on whole {@code long[]} arrays.
     *
     * @param send see {@link #allgatherv(Buffer, Buffer, int[])}
     * @param recv see {@link #allgatherv(Buffer, Buffer, int[])}
     * @param counts see {@link #allgatherv(Buffer, Buffer, int[])}
     */
    default void allgatherv(long[] send, long[] recv, int[] counts) {
        allgatherv(Operands.of(send), Operands.of(recv), counts);
    }

    /**
     * {@link #allgatherv(Buffer, Buffer, int[])} on whole {@code float[]} arrays.
     *
     * @param send see {@link #allgatherv(Buffer, Buffer, int[])}
     * @param recv see {@link #allgatherv(Buffer, Buffer, int[])}
     * @param counts see {@link #allgatherv(Buffer, Buffer, int[])}
     */
    default void allgatherv(float[] send, float[] recv, int[] counts) {
        allgatherv(Operands.of(send), Operands.of(recv), counts);
    }

    /**
     * {@link #allgatherv(Buffer, Buffer, int[])} on whole {@code double[]} arrays.
     *
     * @param send see {@link #allgatherv(Buffer, Buffer, int[])}
     * @param recv see {@link #allgatherv(Buffer, Buffer, int[])}
     * @param counts see {@link #allgatherv(Buffer, Buffer, int[])}
     */
    default void allgatherv(double[] send, double[] recv, int[] counts) {
        allgatherv(Operands.of(send), Operands.of(recv), counts);
    }

    /**
     * {@link #allgatherv(Buffer, Buffer, int[])} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param send see {@link #allgatherv(Buffer, Buffer, int[])}
     * @param recv see {@link #allgatherv(Buffer, Buffer, int[])}
     * @param counts see {@link #allgatherv(Buffer, Buffer, int[])}
     */
    default void allgatherv(ByteBuffer send, ByteBuffer recv, int[] counts) {
        allgatherv(Operands.of(send), Operands.of(recv), counts);
    }

    /**
     * {@link #iallgatherv(Buffer, Buffer, int[])} on whole {@code byte[]} arrays.
     *
     * @param send see {@link #iallgatherv(Buffer, Buffer, int[])}
     * @param recv see {@link #iallgatherv(Buffer, Buffer, int[])}
     * @param counts see {@link #iallgatherv(Buffer, Buffer, int[])}
     * @return see {@link #iallgatherv(Buffer, Buffer, int[])}
     */
    default CompletableFuture<Void> iallgatherv(byte[] send, byte[] recv, int[] counts) {
        return iallgatherv(Operands.of(send), Operands.of(recv), counts);
    }

    /**
     * {@link #iallgatherv(Buffer, Buffer, int[])} on whole {@code int[]} arrays.
     *
     * @param send see {@link #iallgatherv(Buffer, Buffer, int[])}
     * @param recv see {@link #iallgatherv(Buffer, Buffer, int[])}
     * @param counts see {@link #iallgatherv(Buffer, Buffer, int[])}
     * @return see {@link #iallgatherv(Buffer, Buffer, int[])}
     */
    default CompletableFuture<Void> iallgatherv(int[] send, int[] recv, int[] counts) {
        return iallgatherv(Operands.of(send), Operands.of(recv), counts);
    }

    /**
     * {@link #iallgatherv(Buffer, Buffer, int[])} on whole {@code long[]} arrays.
     *
     * @param send see {@link #iallgatherv(Buffer, Buffer, int[])}
     * @param recv see {@link #iallgatherv(Buffer, Buffer, int[])}
     * @param counts see {@link #iallgatherv(Buffer, Buffer, int[])}
     * @return see {@link #iallgatherv(Buffer, Buffer, int[])}
     */
    default CompletableFuture<Void> iallgatherv(long[] send, long[] recv, int[] counts) {
        return iallgatherv(Operands.of(send), Operands.of(recv), counts);
    }

    /**
     * {@link #iallgatherv(Buffer, Buffer, int[])} on whole {@code float[]} arrays.
     *
     * @param send see {@link #iallgatherv(Buffer, Buffer, int[])}
     * @param recv see {@link #iallgatherv(Buffer, Buffer, int[])}
     * @param counts see {@link #iallgatherv(Buffer, Buffer, int[])}
     * @return see {@link #iallgatherv(Buffer, Buffer, int[])}
     */
    default CompletableFuture<Void> iallgatherv(float[] send, float[] recv, int[] counts) {
        return iallgatherv(Operands.of(send), Operands.of(recv), counts);
    }

    /**
     * {@link #iallgatherv(Buffer, Buffer, int[])} on whole {@code double[]} arrays.
     *
     * @param send see {@link #iallgatherv(Buffer, Buffer, int[])}
     * @param recv see {@link #iallgatherv(Buffer, Buffer, int[])}
     * @param counts see {@link #iallgatherv(Buffer, Buffer, int[])}
     * @return see {@link #iallgatherv(Buffer, Buffer, int[])}
     */
    default CompletableFuture<Void> iallgatherv(double[] send, double[] recv, int[] counts) {
        return iallgatherv(Operands.of(send), Operands.of(recv), counts);
    }

    /**
     * {@link #iallgatherv(Buffer, Buffer, int[])} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param send see {@link #iallgatherv(Buffer, Buffer, int[])}
     * @param recv see {@link #iallgatherv(Buffer, Buffer, int[])}
     * @param counts see {@link #iallgatherv(Buffer, Buffer, int[])}
     * @return see {@link #iallgatherv(Buffer, Buffer, int[])}
     */
    default CompletableFuture<Void> iallgatherv(ByteBuffer send, ByteBuffer recv, int[] counts) {
        return iallgatherv(Operands.of(send), Operands.of(recv), counts);
    }

    /**
     * {@link #alltoallv(Buffer, int[], Buffer, int[])} on whole {@code byte[]} arrays.
     *
     * @param send see {@link #alltoallv(Buffer, int[], Buffer, int[])}
     * @param sendCounts see {@link #alltoallv(Buffer, int[], Buffer, int[])}
     * @param recv see {@link #alltoallv(Buffer, int[], Buffer, int[])}
     * @param recvCounts see {@link #alltoallv(Buffer, int[], Buffer, int[])}
     */
    default void alltoallv(byte[] send, int[] sendCounts, byte[] recv, int[] recvCounts) {
        alltoallv(Operands.of(send), sendCounts, Operands.of(recv), recvCounts);
    }

    /**
     * {@link #alltoallv(Buffer, int[], Buffer, int[])} on whole {@code int[]} arrays.
     *
     * @param send see {@link #alltoallv(Buffer, int[], Buffer, int[])}
     * @param sendCounts see {@link #alltoallv(Buffer, int[], Buffer, int[])}
     * @param recv see {@link #alltoallv(Buffer, int[], Buffer, int[])}
     * @param recvCounts see {@link #alltoallv(Buffer, int[], Buffer, int[])}
     */
    default void alltoallv(int[] send, int[] sendCounts, int[] recv, int[] recvCounts) {
        alltoallv(Operands.of(send), sendCounts, Operands.of(recv), recvCounts);
    }

    /**
     * {@link #alltoallv(Buffer, int[], Buffer, int[])} on whole {@code long[]} arrays.
     *
     * @param send see {@link #alltoallv(Buffer, int[], Buffer, int[])}
     * @param sendCounts see {@link #alltoallv(Buffer, int[], Buffer, int[])}
     * @param recv see {@link #alltoallv(Buffer, int[], Buffer, int[])}
     * @param recvCounts see {@link #alltoallv(Buffer, int[], Buffer, int[])}
     */
    default void alltoallv(long[] send, int[] sendCounts, long[] recv, int[] recvCounts) {
        alltoallv(Operands.of(send), sendCounts, Operands.of(recv), recvCounts);
    }

    /**
     * {@link #alltoallv(Buffer, int[], Buffer, int[])} on whole {@code float[]} arrays.
     *
     * @param send see {@link #alltoallv(Buffer, int[], Buffer, int[])}
     * @param sendCounts see {@link #alltoallv(Buffer, int[], Buffer, int[])}
     * @param recv see {@link #alltoallv(Buffer, int[], Buffer, int[])}
     * @param recvCounts see {@link #alltoallv(Buffer, int[], Buffer, int[])}
     */
    default void alltoallv(float[] send, int[] sendCounts, float[] recv, int[] recvCounts) {
        alltoallv(Operands.of(send), sendCounts, Operands.of(recv), recvCounts);
    }

    /**
     * {@link #alltoallv(Buffer, int[], Buffer, int[])} on whole {@code double[]} arrays.
     *
     * @param send see {@link #alltoallv(Buffer, int[], Buffer, int[])}
     * @param sendCounts see {@link #alltoallv(Buffer, int[], Buffer, int[])}
     * @param recv see {@link #alltoallv(Buffer, int[], Buffer, int[])}
     * @param recvCounts see {@link #alltoallv(Buffer, int[], Buffer, int[])}
     */
    default void alltoallv(double[] send, int[] sendCounts, double[] recv, int[] recvCounts) {
        alltoallv(Operands.of(send), sendCounts, Operands.of(recv), recvCounts);
    }

    /**
     * {@link #alltoallv(Buffer, int[], Buffer, int[])} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param send see {@link #alltoallv(Buffer, int[], Buffer, int[])}
     * @param sendCounts see {@link #alltoallv(Buffer, int[], Buffer, int[])}
     * @param recv see {@link #alltoallv(Buffer, int[], Buffer, int[])}
     * @param recvCounts see {@link #alltoallv(Buffer, int[], Buffer, int[])}
     */
    default void alltoallv(ByteBuffer send, int[] sendCounts, ByteBuffer recv, int[] recvCounts) {
        alltoallv(Operands.of(send), sendCounts, Operands.of(recv), recvCounts);
    }

    /**
     * {@link #ialltoallv(Buffer, int[], Buffer, int[])} on whole {@code byte[]} arrays.
     *
     * @param send see {@link #ialltoallv(Buffer, int[], Buffer, int[])}
     * @param sendCounts see {@link #ialltoallv(Buffer, int[], Buffer, int[])}
     * @param recv see {@link #ialltoallv(Buffer, int[], Buffer, int[])}
     * @param recvCounts see {@link #ialltoallv(Buffer, int[], Buffer, int[])}
     * @return see {@link #ialltoallv(Buffer, int[], Buffer, int[])}
     */
    default CompletableFuture<Void> ialltoallv(byte[] send, int[] sendCounts, byte[] recv, int[] recvCounts) {
        return ialltoallv(Operands.of(send), sendCounts, Operands.of(recv), recvCounts);
    }

    /**
     * {@link #ialltoallv(Buffer, int[], Buffer, int[])} on whole {@code int[]} arrays.
     *
     * @param send see {@link #ialltoallv(Buffer, int[], Buffer, int[])}
     * @param sendCounts see {@link #ialltoallv(Buffer, int[], Buffer, int[])}
     * @param recv see {@link #ialltoallv(Buffer, int[], Buffer, int[])}
     * @param recvCounts see {@link #ialltoallv(Buffer, int[], Buffer, int[])}
     * @return see {@link #ialltoallv(Buffer, int[], Buffer, int[])}
     */
    default CompletableFuture<Void> ialltoallv(int[] send, int[] sendCounts, int[] recv, int[] recvCounts) {
        return ialltoallv(Operands.of(send), sendCounts, Operands.of(recv), recvCounts);
    }

    /**
     * {@link #ialltoallv(Buffer, int[], Buffer, int[])} on whole {@code long[]} arrays.
     *
     * @param send see {@link #ialltoallv(Buffer, int[], Buffer, int[])}
     * @param sendCounts see {@link #ialltoallv(Buffer, int[], Buffer, int[])}
     * @param recv see {@link #ialltoallv(Buffer, int[], Buffer, int[])}
     * @param recvCounts see {@link #ialltoallv(Buffer, int[], Buffer, int[])}
     * @return see {@link #ialltoallv(Buffer, int[], Buffer, int[])}
     */
    default CompletableFuture<Void> ialltoallv(long[] send, int[] sendCounts, long[] recv, int[] recvCounts) {
        return ialltoallv(Operands.of(send), sendCounts, Operands.of(recv), recvCounts);
    }

    /**
     * {@link #ialltoallv(Buffer, int[], Buffer, int[])} on whole {@code float[]} arrays.
     *
     * @param send see {@link #ialltoallv(Buffer, int[], Buffer, int[])}
     * @param sendCounts see {@link #ialltoallv(Buffer, int[], Buffer, int[])}
     * @param recv see {@link #ialltoallv(Buffer, int[], Buffer, int[])}
     * @param recvCounts see {@link #ialltoallv(Buffer, int[], Buffer, int[])}
     * @return see {@link #ialltoallv(Buffer, int[], Buffer, int[])}
     */
    default CompletableFuture<Void> ialltoallv(float[] send, int[] sendCounts, float[] recv, int[] recvCounts) {
        return ialltoallv(Operands.of(send), sendCounts, Operands.of(recv), recvCounts);
    }

    /**
     * {@link #ialltoallv(Buffer, int[], Buffer, int[])} on whole {@code double[]} arrays.
     *
     * @param send see {@link #ialltoallv(Buffer, int[], Buffer, int[])}
     * @param sendCounts see {@link #ialltoallv(Buffer, int[], Buffer, int[])}
     * @param recv see {@link #ialltoallv(Buffer, int[], Buffer, int[])}
     * @param recvCounts see {@link #ialltoallv(Buffer, int[], Buffer, int[])}
     * @return see {@link #ialltoallv(Buffer, int[], Buffer, int[])}
     */
    default CompletableFuture<Void> ialltoallv(double[] send, int[] sendCounts, double[] recv, int[] recvCounts) {
        return ialltoallv(Operands.of(send), sendCounts, Operands.of(recv), recvCounts);
    }

    /**
     * {@link #ialltoallv(Buffer, int[], Buffer, int[])} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param send see {@link #ialltoallv(Buffer, int[], Buffer, int[])}
     * @param sendCounts see {@link #ialltoallv(Buffer, int[], Buffer, int[])}
     * @param recv see {@link #ialltoallv(Buffer, int[], Buffer, int[])}
     * @param recvCounts see {@link #ialltoallv(Buffer, int[], Buffer, int[])}
     * @return see {@link #ialltoallv(Buffer, int[], Buffer, int[])}
     */
    default CompletableFuture<Void> ialltoallv(ByteBuffer send, int[] sendCounts, ByteBuffer recv, int[] recvCounts) {
        return ialltoallv(Operands.of(send), sendCounts, Operands.of(recv), recvCounts);
    }

    /**
     * {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)} on whole {@code byte[]} arrays.
     *
     * @param send see {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param recv see {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param counts see {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param op see {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)}
     */
    default void reduceScatter(byte[] send, byte[] recv, int[] counts, ReduceOp op) {
        reduceScatter(Operands.of(send), Operands.of(recv), counts, op);
    }

    /**
     * {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)} on whole {@code int[]} arrays.
     *
     * @param send see {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param recv see {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param counts see {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param op see {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)}
     */
    default void reduceScatter(int[] send, int[] recv, int[] counts, ReduceOp op) {
        reduceScatter(Operands.of(send), Operands.of(recv), counts, op);
    }

    /**
     * {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)} on whole {@code long[]} arrays.
     *
     * @param send see {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param recv see {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param counts see {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param op see {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)}
     */
    default void reduceScatter(long[] send, long[] recv, int[] counts, ReduceOp op) {
        reduceScatter(Operands.of(send), Operands.of(recv), counts, op);
    }

    /**
     * {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)} on whole {@code float[]} arrays.
     *
     * @param send see {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param recv see {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param counts see {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param op see {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)}
     */
    default void reduceScatter(float[] send, float[] recv, int[] counts, ReduceOp op) {
        reduceScatter(Operands.of(send), Operands.of(recv), counts, op);
    }

    /**
     * {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)} on whole {@code double[]} arrays.
     *
     * @param send see {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param recv see {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param counts see {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param op see {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)}
     */
    default void reduceScatter(double[] send, double[] recv, int[] counts, ReduceOp op) {
        reduceScatter(Operands.of(send), Operands.of(recv), counts, op);
    }

    /**
     * {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param send see {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param recv see {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param counts see {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param op see {@link #reduceScatter(Buffer, Buffer, int[], ReduceOp)}
     */
    default void reduceScatter(ByteBuffer send, ByteBuffer recv, int[] counts, ReduceOp op) {
        reduceScatter(Operands.of(send), Operands.of(recv), counts, op);
    }

    /**
     * {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)} on whole {@code byte[]} arrays.
     *
     * @param send see {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param recv see {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param counts see {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param op see {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @return see {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)}
     */
    default CompletableFuture<Void> ireduceScatter(byte[] send, byte[] recv, int[] counts, ReduceOp op) {
        return ireduceScatter(Operands.of(send), Operands.of(recv), counts, op);
    }

    /**
     * {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)} on whole {@code int[]} arrays.
     *
     * @param send see {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param recv see {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param counts see {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param op see {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @return see {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)}
     */
    default CompletableFuture<Void> ireduceScatter(int[] send, int[] recv, int[] counts, ReduceOp op) {
        return ireduceScatter(Operands.of(send), Operands.of(recv), counts, op);
    }

    /**
     * {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)} on whole {@code long[]} arrays.
     *
     * @param send see {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param recv see {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param counts see {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param op see {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @return see {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)}
     */
    default CompletableFuture<Void> ireduceScatter(long[] send, long[] recv, int[] counts, ReduceOp op) {
        return ireduceScatter(Operands.of(send), Operands.of(recv), counts, op);
    }

    /**
     * {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)} on whole {@code float[]} arrays.
     *
     * @param send see {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param recv see {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param counts see {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param op see {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @return see {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)}
     */
    default CompletableFuture<Void> ireduceScatter(float[] send, float[] recv, int[] counts, ReduceOp op) {
        return ireduceScatter(Operands.of(send), Operands.of(recv), counts, op);
    }

    /**
     * {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)} on whole {@code double[]} arrays.
     *
     * @param send see {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param recv see {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param counts see {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param op see {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @return see {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)}
     */
    default CompletableFuture<Void> ireduceScatter(double[] send, double[] recv, int[] counts, ReduceOp op) {
        return ireduceScatter(Operands.of(send), Operands.of(recv), counts, op);
    }

    /**
     * {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)} on the bytes of {@code ByteBuffer}s between position and limit.
     *
     * @param send see {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param recv see {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param counts see {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @param op see {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)}
     * @return see {@link #ireduceScatter(Buffer, Buffer, int[], ReduceOp)}
     */
    default CompletableFuture<Void> ireduceScatter(ByteBuffer send, ByteBuffer recv, int[] counts, ReduceOp op) {
        return ireduceScatter(Operands.of(send), Operands.of(recv), counts, op);
    }

    // ---- END GENERATED ----

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
        private Executor executor;
        private ScheduledExecutorService scheduler;
        private ObjectCodec codec = ObjectCodec.json();

        Builder() {
        }

        /**
         * The configuration; {@link FmiConfig#defaults()} when not set.
         *
         * @param config the configuration
         * @return this builder
         */
        public Builder config(FmiConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * The communicator's name: the same on every peer, unique per concurrent job.
         *
         * @param name 1-128 characters of {@code A-Z a-z 0-9 . _ -}
         * @return this builder
         */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /**
         * Identifies this run of the job (the same on every peer), so that reruns of a job with
         * the same name never see each other's keys or pairings; {@code "0"} by default.
         *
         * @param runId 1-64 characters of {@code A-Z a-z 0-9 . _ -}
         * @return this builder
         */
        public Builder runId(String runId) {
            this.runId = runId;
            return this;
        }

        /**
         * This peer's rank, from 0 to {@code size - 1}; required.
         *
         * @param rank the rank
         * @return this builder
         */
        public Builder rank(int rank) {
            this.rank = rank;
            return this;
        }

        /**
         * The number of peers in the job, at least 1; required.
         *
         * @param size the number of peers
         * @return this builder
         */
        public Builder size(int size) {
            this.size = size;
            return this;
        }

        /**
         * Memory of the function in MiB, for the cost model; 1024 by default.
         *
         * @param mib the function's memory size, e.g. 1769
         * @return this builder
         */
        public Builder functionMemoryMiB(int mib) {
            this.functionMemoryMiB = mib;
            return this;
        }

        /**
         * What the channel selector optimises for; {@link Hint#FAST} by default.
         *
         * @param hint fastest or cheapest
         * @return this builder
         */
        public Builder hint(Hint hint) {
            this.hint = Objects.requireNonNull(hint, "hint");
            return this;
        }

        /**
         * Deadline of every blocking operation; by default each channel's {@code max_timeout}, else 60 s.
         *
         * @param timeout longer than zero
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /**
         * How long the communicator may live from {@link #build()} on: no operation's deadline
         * extends past it. In a Lambda function pass the remaining time less a margin
         * ({@code context.getRemainingTimeInMillis()}), so an operation fails with a clear
         * {@link FmiTimeoutException} before the function is killed. Unlimited by default.
         *
         * @param lifetime longer than zero
         * @return this builder
         */
        public Builder lifetime(Duration lifetime) {
            this.lifetime = lifetime;
            return this;
        }

        /**
         * Adds a channel provider; it takes precedence over a {@link java.util.ServiceLoader} one of the same backend.
         *
         * @param provider the provider
         * @return this builder
         */
        public Builder channelProvider(ChannelProvider provider) {
            providers.add(Objects.requireNonNull(provider, "provider"));
            return this;
        }

        /**
         * Always run {@code op} over the backend {@code backend} (e.g. {@code "Redis"}), whatever the selector says.
         *
         * @param op the operation
         * @param backend the backend's name in the configuration
         * @return this builder
         */
        public Builder channel(Operation op, String backend) {
            overrides.put(Objects.requireNonNull(op, "op"), Objects.requireNonNull(backend, "backend"));
            return this;
        }

        /**
         * How the channel of each operation is chosen from the models' estimates;
         * {@link io.fmi.model.SelectionPolicy#BY_HINT} by default. Must be a pure function, the same on every peer.
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder selectionPolicy(io.fmi.model.SelectionPolicy policy) {
            this.selectionPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Where the communicator completes the futures it hands out and where channels run
         * background work that may block (store requests of non-blocking calls, deletes). It must
         * accept blocking tasks: a bounded pool bounds how many non-blocking store requests run at
         * once. It stays the caller's: FMI never shuts it down. By default each communicator makes
         * a cached pool of daemon threads that it shuts down at {@link Communicator#close()}.
         *
         * @param executor the caller's executor
         * @return this builder
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Runs the timers of the communicator's channels (the deadlines of waiting receives, every
         * 10 ms while a receive waits). It stays the caller's: FMI cancels its tasks at close and
         * never shuts it down. By default one daemon thread of FMI serves every communicator of the
         * JVM and ends when the last one closes.
         *
         * @param scheduler the caller's scheduler
         * @return this builder
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * How {@code sendObject}, {@code recvObject}, {@code bcastObject} and
         * {@code gatherObjects} turn objects into bytes and back: {@link ObjectCodec#json()} by
         * default. Every rank of a job must use the same codec. FMI never uses Java
         * serialization.
         *
         * @param codec the codec, thread-safe
         * @return this builder
         */
        public Builder codec(ObjectCodec codec) {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /**
         * Validates the settings and builds the communicator.
         *
         * @return the communicator; it connects lazily, on first use of each channel
         * @throws FmiConfigException naming the setting that is missing or out of range
         */
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
                    functionMemoryMiB, hint, timeout, lifetime, providers, overrides, selectionPolicy, executor, scheduler, codec);
        }
    }
}
