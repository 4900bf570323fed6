package io.fmi.internal;

import io.fmi.BackendConfig;
import io.fmi.Buffer;
import io.fmi.Communicator;
import io.fmi.FmiConfig;
import io.fmi.FmiConfigException;
import io.fmi.FmiException;
import io.fmi.Hint;
import io.fmi.Operation;
import io.fmi.ReduceOp;
import io.fmi.channel.Buf;
import io.fmi.channel.Channel;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.ChannelProvider;
import io.fmi.channel.ChannelProviders;
import io.fmi.channel.Deadline;
import io.fmi.channel.OpContext;
import io.fmi.channel.Waits;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Communicator} implementation: validates arguments, picks a channel per operation,
 * numbers and orders collectives, enforces deadlines and publishes results.
 *
 * <p>Collectives run one at a time in call order. A blocking collective called while no other is
 * in flight runs on the calling thread (no hand-off); non-blocking ones, and blocking ones queued
 * behind them, run on one worker thread of this communicator. Futures handed to the caller
 * complete on a callback pool, never on an I/O thread.
 */
public final class DefaultCommunicator implements Communicator {
    private static final Logger log = LoggerFactory.getLogger(DefaultCommunicator.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final FmiConfig config;
    private final String name;
    private final String runId;
    private final int rank;
    private final int size;
    private final int functionMemoryMiB;
    private final Hint hint;
    private final Duration timeout;
    /** {@link System#nanoTime()} after which no operation may end, or {@code Long.MAX_VALUE}. */
    private final long endOfLifeNanos;
    private final String logPrefix;
    /** Usable channels in selector preference order. */
    private final List<Slot> slots;
    private final Map<Operation, Slot> overrides = new EnumMap<>(Operation.class);
    private final Selection selection;
    /** Completes the caller's futures and runs channels' background work: the user's, or {@link #ownExecutor}. */
    private final Executor executor;
    /** The executor this communicator made (no user executor given); shut down at close. */
    private final ExecutorService ownExecutor;
    private final ScheduledExecutorService scheduler;

    private final Object collectiveLock = new Object();
    private final ArrayDeque<Runnable> pending = new ArrayDeque<>();
    private long nextSeq = 1;
    private boolean running;
    private ExecutorService worker;
    private volatile boolean closed;

    public DefaultCommunicator(FmiConfig config, String name, String runId, int rank, int size, int functionMemoryMiB,
                               Hint hint, Duration timeout, Duration lifetime, List<ChannelProvider> explicit,
                               Map<Operation, String> overrideNames, io.fmi.model.SelectionPolicy selectionPolicy,
                               Executor executor, ScheduledExecutorService scheduler) {
        this.config = config;
        this.name = name;
        this.rank = rank;
        this.size = size;
        this.functionMemoryMiB = functionMemoryMiB;
        this.hint = hint;
        this.timeout = timeout;
        this.endOfLifeNanos = lifetime == null ? Long.MAX_VALUE : System.nanoTime() + lifetime.toNanos();
        this.logPrefix = "[comm=" + name + " rank=" + rank + "/" + size + "]";
        if (executor == null) {
            // Threads are made on demand and end after a minute idle; close() shuts the pool down.
            String prefix = "fmi-" + name + "-" + rank + "-";
            this.ownExecutor = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, prefix + THREADS.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            this.executor = ownExecutor;
        } else {
            this.ownExecutor = null;
            this.executor = executor;
        }
        this.scheduler = scheduler;

        // A provider that fails to load (a missing dependency jar) is skipped, not fatal: the
        // other channels still serve, and the error below names it if nothing else is left.
        ChannelProviders found = ChannelProviders.load(DefaultCommunicator.class.getClassLoader()).with(explicit);
        this.runId = runId != null ? runId : defaultRunId(found, config, name, size);
        List<Slot> usable = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (BackendConfig b : config.enabledBackends()) {
            ChannelProvider p = found.find(b.name()).orElse(null);
            if (p == null) {
                missing.add(b.name());
            } else {
                usable.add(new Slot(p, b));
            }
        }
        if (usable.isEmpty() && size == 1) {
            // A single peer never talks to anyone: any channel serves, so do not fail for a missing one.
            ChannelProvider local = found.find("Local").orElse(null);
            if (local != null) {
                usable.add(new Slot(local, FmiConfig.fromJson("{\"backends\": {\"Local\": {\"enabled\": true}}}")
                        .backend("Local").orElseThrow()));
            }
        }
        if (usable.isEmpty()) {
            throw new FmiConfigException("no channel available for communicator '" + name + "': enabled backends "
                    + enabledNames() + (missing.isEmpty() ? "" : ", without a provider on the classpath: " + missing
                    + (found.failures().isEmpty() ? " (add the channel's artifact, io.fmi:fmi-channel-" + missing.get(0).toLowerCase(Locale.ROOT)
                    + ", or io.fmi:fmi-channels for every channel)" : "; channel providers that failed to load: " + found.failures())),
                    found.failures().isEmpty() ? null : found.failures().get(0).cause());
        }
        if (!missing.isEmpty()) {
            log.warn("{} enabled backends {} have no provider on the classpath and are ignored", logPrefix, missing);
        }
        if (!found.failures().isEmpty()) {
            log.warn("{} channel providers that failed to load are skipped: {}", logPrefix, found.failures());
        }
        List<ChannelProvider> usableProviders = new ArrayList<>();
        usable.forEach(s -> usableProviders.add(s.provider));
        this.selection = new Selection(usableProviders, config, hint, functionMemoryMiB, selectionPolicy);
        List<Slot> ordered = new ArrayList<>();
        for (String backend : selection.preference()) {
            for (Slot s : usable) {
                if (s.provider.backend().equalsIgnoreCase(backend)) {
                    ordered.add(s);
                }
            }
        }
        this.slots = Collections.unmodifiableList(ordered);
        for (Map.Entry<Operation, String> e : overrideNames.entrySet()) {
            Slot s = slotByBackend(e.getValue());
            if (s == null) {
                throw new FmiConfigException("channel override " + e.getKey().label() + " -> '" + e.getValue()
                        + "': no such enabled backend (enabled and available: " + backendNames() + ")");
            }
            overrides.put(e.getKey(), s);
        }
        log.debug("{} built with channels {} (hint {})", logPrefix, backendNames(), hint);
    }

    /**
     * The run id of a communicator built without one: {@code "0"} where no other job can meet it
     * (one peer, or only in-memory channels); elsewhere an error, since ranks cannot agree on a
     * fresh id without talking and a fixed one lets two runs with this name exchange data.
     */
    private static String defaultRunId(ChannelProviders found, FmiConfig config, String name, int size) {
        List<String> shared = new ArrayList<>();
        for (BackendConfig b : config.enabledBackends()) {
            found.find(b.name()).filter(ChannelProvider::sharedBetweenJobs).ifPresent(p -> shared.add(p.channelName()));
        }
        if (size > 1 && !shared.isEmpty()) {
            throw new FmiConfigException("runId: not set, and communicator '" + name + "' of " + size + " peers may use channels "
                    + shared + ", which other jobs can reach: two runs with this name would exchange data (expected: "
                    + "Communicator.builder().runId(id) with an id that every rank of this run gets from its launcher and no "
                    + "other run uses, e.g. a UUID made once per launch)");
        }
        return "0";
    }

    private List<String> enabledNames() {
        List<String> out = new ArrayList<>();
        config.enabledBackends().forEach(b -> out.add(b.name()));
        return out;
    }

    private List<String> backendNames() {
        List<String> out = new ArrayList<>();
        slots.forEach(s -> out.add(s.provider.backend()));
        return out;
    }

    private Slot slotByBackend(String backend) {
        for (int i = 0; i < slots.size(); i++) {
            Slot s = slots.get(i);
            if (s.provider.backend().equalsIgnoreCase(backend)) {
                return s;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- identity

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String channelFor(Operation op, long bytes) {
        return select(op, bytes).context.channelName();
    }

    private Slot select(Operation op, long bytes) {
        if (slots.size() == 1) {
            return slots.get(0); // one channel: nothing to choose (overrides name enabled channels only)
        }
        Slot s = overrides.get(op);
        if (s != null) {
            return s;
        }
        return slotByBackend(selection.select(op, bytes, size));
    }

    // ---------------------------------------------------------------- operands

    /** A send operand as bytes; null only where {@code optional}. */
    private Buf in(String verb, String role, Buffer b, boolean optional) {
        if (b == null) {
            if (optional) {
                return null;
            }
            throw new FmiException(verb + ": " + role + " buffer is null " + logPrefix);
        }
        return Buf.source(b);
    }

    /** A receive operand as bytes; null only where {@code optional}. */
    private Buf out(String verb, String role, Buffer b, boolean optional) {
        if (b == null) {
            if (optional) {
                return null;
            }
            throw new FmiException(verb + ": " + role + " buffer is null " + logPrefix);
        }
        if (b.isReadOnly()) {
            throw new FmiException(verb + ": " + role + " buffer is a read-only ByteBuffer " + logPrefix);
        }
        return Buf.sink(b);
    }

    // ---------------------------------------------------------------- point to point

    /** Checks a point-to-point call and picks its channel. */
    private Slot p2pSlot(String verb, String role, int peer, Buf data) {
        checkRank(verb, role, peer);
        Slot slot = select(Operation.SEND, data.byteLength());
        if (log.isTraceEnabled()) {
            log.trace("{} {} {} {} {} over {}", logPrefix, verb, data, role, peer, slot.context.channelName());
        }
        return slot;
    }

    /** The context of a point-to-point call on {@code slot}, its deadline starting now. */
    private OpContext p2pOp(Slot slot, String verb) {
        return new OpContext(Operation.SEND, verb, OpContext.P2P_SEQ, deadlineOf(slot), slot.context);
    }

    @Override
    public CompletableFuture<Void> isend(Buffer data, int dest) {
        checkOpen("send");
        Buf b = in("send", "send", data, false);
        Slot s = p2pSlot("send", "dest", dest, b);
        OpContext op = p2pOp(s, "send"); // the deadline counts from the call, channel creation included
        return toCaller(s.channel().send(op, b, dest));
    }

    @Override
    public void send(Buffer data, int dest) {
        checkOpen("send");
        Buf b = in("send", "send", data, false);
        Slot s = p2pSlot("send", "dest", dest, b);
        OpContext op = p2pOp(s, "send");
        s.channel().sendBlocking(op, b, dest);
        b.release();
    }

    @Override
    public CompletableFuture<Void> irecv(Buffer data, int src) {
        checkOpen("recv");
        Buf b = out("recv", "receive", data, false);
        Slot s = p2pSlot("recv", "src", src, b);
        OpContext op = p2pOp(s, "recv");
        return toCaller(s.channel().recv(op, b, src).thenRun(b::commit));
    }

    @Override
    public void recv(Buffer data, int src) {
        checkOpen("recv");
        Buf b = out("recv", "receive", data, false);
        Slot s = p2pSlot("recv", "src", src, b);
        OpContext op = p2pOp(s, "recv");
        s.channel().recvBlocking(op, b, src);
        b.commit();
        b.release();
    }

    // ---------------------------------------------------------------- collectives

    private interface Body {
        void run(Channel channel, OpContext op);
    }

    @Override
    public CompletableFuture<Void> ibcast(Buffer data, int root) {
        return toCaller(bcast(data, root, false));
    }

    @Override
    public void bcast(Buffer data, int root) {
        bcast(data, root, true).join();
    }

    private CompletableFuture<Void> bcast(Buffer data, int root, boolean blocking) {
        checkOpen("bcast");
        checkRank("bcast", "root", root);
        Buf b = rank == root ? in("bcast", "send", data, false) : out("bcast", "receive", data, false);
        return collective(Operation.BCAST, "bcast", b.byteLength(), rank == root ? null : b, blocking,
                (ch, op) -> ch.bcast(op, b, root), b, null);
    }

    @Override
    public CompletableFuture<Void> ibarrier() {
        return toCaller(barrier(false));
    }

    @Override
    public void barrier() {
        barrier(true).join();
    }

    private CompletableFuture<Void> barrier(boolean blocking) {
        checkOpen("barrier");
        return collective(Operation.BARRIER, "barrier", 0, null, blocking, Channel::barrier, null, null);
    }

    @Override
    public CompletableFuture<Void> igather(Buffer send, Buffer recv, int root) {
        return toCaller(gather(send, recv, root, false));
    }

    @Override
    public void gather(Buffer send, Buffer recv, int root) {
        gather(send, recv, root, true).join();
    }

    private CompletableFuture<Void> gather(Buffer sendOperand, Buffer recvOperand, int root, boolean blocking) {
        checkOpen("gather");
        checkRank("gather", "root", root);
        boolean isRoot = rank == root;
        Buf send = in("gather", "send", sendOperand, false);
        Buf out = isRoot ? out("gather", "receive", recvOperand, false) : null;
        if (isRoot) {
            checkBlocks("gather", "receive", out, send, size);
        }
        return collective(Operation.GATHER, "gather", send.byteLength(), out, blocking, (ch, op) -> ch.gather(op, send, out, root), send, out);
    }

    @Override
    public CompletableFuture<Void> iscatter(Buffer send, Buffer recv, int root) {
        return toCaller(scatter(send, recv, root, false));
    }

    @Override
    public void scatter(Buffer send, Buffer recv, int root) {
        scatter(send, recv, root, true).join();
    }

    private CompletableFuture<Void> scatter(Buffer sendOperand, Buffer recvOperand, int root, boolean blocking) {
        checkOpen("scatter");
        checkRank("scatter", "root", root);
        boolean isRoot = rank == root;
        Buf recv = out("scatter", "receive", recvOperand, false);
        Buf in = isRoot ? in("scatter", "send", sendOperand, false) : null;
        if (isRoot) {
            checkBlocks("scatter", "send", in, recv, size);
        }
        return collective(Operation.SCATTER, "scatter", recv.byteLength(), recv, blocking, (ch, op) -> ch.scatter(op, in, recv, root), in, recv);
    }

    @Override
    public CompletableFuture<Void> iallgather(Buffer send, Buffer recv) {
        return toCaller(allgather(send, recv, false));
    }

    @Override
    public void allgather(Buffer send, Buffer recv) {
        allgather(send, recv, true).join();
    }

    private CompletableFuture<Void> allgather(Buffer sendOperand, Buffer recvOperand, boolean blocking) {
        checkOpen("allgather");
        Buf send = in("allgather", "send", sendOperand, false);
        Buf recv = out("allgather", "receive", recvOperand, false);
        checkBlocks("allgather", "receive", recv, send, size);
        return collective(Operation.ALLGATHER, "allgather", send.byteLength(), recv, blocking, (ch, op) -> ch.allgather(op, send, recv), send, recv);
    }

    @Override
    public CompletableFuture<Void> ialltoall(Buffer send, Buffer recv) {
        return toCaller(alltoall(send, recv, false));
    }

    @Override
    public void alltoall(Buffer send, Buffer recv) {
        alltoall(send, recv, true).join();
    }

    private CompletableFuture<Void> alltoall(Buffer sendOperand, Buffer recvOperand, boolean blocking) {
        checkOpen("alltoall");
        Buf send = in("alltoall", "send", sendOperand, false);
        Buf recv = out("alltoall", "receive", recvOperand, false);
        checkSameType("alltoall", send, recv);
        if (send.count() % size != 0 || recv.count() != send.count()) {
            throw new FmiException("alltoall: send buffer holds " + send + " and receive buffer " + recv
                    + " (expected: equal lengths, a multiple of size = " + size + ") " + logPrefix);
        }
        return collective(Operation.ALLTOALL, "alltoall", send.byteLength(), recv, blocking, (ch, op) -> ch.alltoall(op, send, recv), send, recv);
    }

    @Override
    public CompletableFuture<Void> ireduce(Buffer send, Buffer recv, int root, ReduceOp op) {
        return toCaller(reduce(send, recv, root, op, false));
    }

    @Override
    public void reduce(Buffer send, Buffer recv, int root, ReduceOp op) {
        reduce(send, recv, root, op, true).join();
    }

    private CompletableFuture<Void> reduce(Buffer sendOperand, Buffer recvOperand, int root, ReduceOp rop, boolean blocking) {
        checkOpen("reduce");
        checkRank("reduce", "root", root);
        boolean isRoot = rank == root;
        Buf send = in("reduce", "send", sendOperand, false);
        Buf out = isRoot ? out("reduce", "receive", recvOperand, false) : null;
        checkReduce("reduce", send, isRoot ? out : send, rop);
        return collective(Operation.REDUCE, "reduce", send.byteLength(), out, blocking, (ch, op) -> ch.reduce(op, send, out, root, rop), send, out);
    }

    @Override
    public CompletableFuture<Void> iallreduce(Buffer send, Buffer recv, ReduceOp op) {
        return toCaller(allreduce(send, recv, op, false));
    }

    @Override
    public void allreduce(Buffer send, Buffer recv, ReduceOp op) {
        allreduce(send, recv, op, true).join();
    }

    private CompletableFuture<Void> allreduce(Buffer sendOperand, Buffer recvOperand, ReduceOp rop, boolean blocking) {
        checkOpen("allreduce");
        Buf send = in("allreduce", "send", sendOperand, false);
        Buf recv = out("allreduce", "receive", recvOperand, false);
        checkReduce("allreduce", send, recv, rop);
        return collective(Operation.ALLREDUCE, "allreduce", send.byteLength(), recv, blocking, (ch, op) -> ch.allreduce(op, send, recv, rop), send, recv);
    }

    @Override
    public CompletableFuture<Void> iscan(Buffer send, Buffer recv, ReduceOp op) {
        return toCaller(scan(send, recv, op, false));
    }

    @Override
    public void scan(Buffer send, Buffer recv, ReduceOp op) {
        scan(send, recv, op, true).join();
    }

    private CompletableFuture<Void> scan(Buffer sendOperand, Buffer recvOperand, ReduceOp rop, boolean blocking) {
        checkOpen("scan");
        Buf send = in("scan", "send", sendOperand, false);
        Buf recv = out("scan", "receive", recvOperand, false);
        checkReduce("scan", send, recv, rop);
        return collective(Operation.SCAN, "scan", send.byteLength(), recv, blocking, (ch, op) -> ch.scan(op, send, recv, rop), send, recv);
    }

    /**
     * Numbers a collective, runs it in call order and returns its outcome. For blocking calls the
     * returned future is already complete when this returns (the wait and its deadline happen
     * here); {@code join()} on it only rethrows.
     */
    private CompletableFuture<Void> collective(Operation operation, String verb, long bytes, Buf sink, boolean blocking, Body body,
                                               Buf release1, Buf release2) {
        Slot slot = select(operation, bytes);
        CompletableFuture<Void> result = new CompletableFuture<>();
        OpContext op;
        Runnable task;
        boolean inline = false;
        synchronized (collectiveLock) {
            long seq = nextSeq++;
            op = new OpContext(operation, verb, seq, deadlineOf(slot), slot.context);
            OpContext call = op;
            task = () -> {
                try {
                    if (closed) {
                        throw call.error("communicator closed before the operation ran");
                    }
                    if (log.isTraceEnabled()) {
                        log.trace("{} {} over {}", logPrefix, call.label(), slot.context.channelName());
                    }
                    body.run(slot.channel(), call);
                    if (sink != null) {
                        sink.commit();
                    }
                    result.complete(null);
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                } finally {
                    runNext();
                }
            };
            if (!running && blocking) {
                running = true;
                inline = true;
            } else {
                pending.addLast(task);
                if (!running) {
                    running = true;
                    worker().execute(pending.pollFirst());
                }
            }
        }
        if (inline) {
            task.run();
        }
        if (blocking) {
            await(result, op);
            // Succeeded: no channel holds the buffers any more, so pooled arrays go back for reuse.
            // After a failure they are left to the GC, since a channel may still write into them.
            Buf.release(release1, release2);
        }
        return result;
    }

    private void runNext() {
        synchronized (collectiveLock) {
            Runnable next = pending.pollFirst();
            if (next == null) {
                running = false;
            } else {
                worker().execute(next);
            }
        }
    }

    private ExecutorService worker() {
        synchronized (collectiveLock) {
            if (worker == null) {
                String threadName = "fmi-collective-" + name + "-" + rank;
                worker = Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, threadName);
                    t.setDaemon(true);
                    return t;
                });
            }
            return worker;
        }
    }

    // ---------------------------------------------------------------- waiting and errors

    private static void await(CompletableFuture<Void> f, OpContext op) {
        Waits.await(f, op, -1, "operation", -1, 0);
    }

    /**
     * The caller's view of a future: completes on the communicator's executor (never on an I/O
     * thread) with FMI exceptions; on the completing thread only once the executor refuses work
     * (after close).
     */
    private CompletableFuture<Void> toCaller(CompletableFuture<Void> internal) {
        CompletableFuture<Void> out = new CompletableFuture<>();
        internal.whenComplete((v, t) -> {
            Runnable complete = () -> {
                if (t == null) {
                    out.complete(null);
                } else {
                    Throwable c = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
                    out.completeExceptionally(c);
                }
            };
            try {
                executor.execute(complete);
            } catch (RejectedExecutionException e) {
                complete.run();
            }
        });
        return out;
    }

    /** The deadline of an operation starting now on {@code slot}: its timeout, cut at the end of the communicator's lifetime. */
    private Deadline deadlineOf(Slot slot) {
        Duration d = slot.context.timeout();
        if (endOfLifeNanos != Long.MAX_VALUE) {
            long left = endOfLifeNanos - System.nanoTime();
            if (left < d.toNanos()) {
                d = Duration.ofNanos(Math.max(0, left));
            }
        }
        return Deadline.after(d);
    }

    private void checkOpen(String verb) {
        if (closed) {
            throw new FmiException(verb + ": communicator is closed " + logPrefix);
        }
    }

    private void checkRank(String verb, String what, int r) {
        if (r < 0 || r >= size) {
            throw new FmiException(verb + ": " + what + " rank " + r + " out of range (expected: 0 <= rank < size = " + size + ") " + logPrefix);
        }
    }

    private void checkSameType(String verb, Buf a, Buf b) {
        if (a.type() != b.type()) {
            throw new FmiException(verb + ": buffers of " + a.type().label() + " and " + b.type().label() + " elements " + logPrefix);
        }
    }

    /** {@code big} must hold {@code n} blocks of {@code small.count()} elements. */
    private void checkBlocks(String verb, String what, Buf big, Buf small, int n) {
        checkSameType(verb, small, big);
        if ((long) small.count() * n != big.count()) {
            throw new FmiException(verb + ": " + what + " buffer holds " + big.count() + " elements (expected: size * block = "
                    + n + " * " + small.count() + " = " + (long) small.count() * n + ") " + logPrefix);
        }
    }

    private void checkReduce(String verb, Buf send, Buf recv, ReduceOp op) {
        if (op == null) {
            throw new FmiException(verb + ": reduce op is null " + logPrefix);
        }
        checkSameType(verb, send, recv);
        if (send.count() != recv.count()) {
            throw new FmiException(verb + ": send buffer holds " + send.count() + " elements, receive buffer " + recv.count()
                    + " (expected: equal) " + logPrefix);
        }
        op.checkSupports(send.type(), verb);
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void abort(Throwable cause) {
        if (closed) {
            return;
        }
        closed = true;
        log.debug("{} aborting: {}", logPrefix, String.valueOf(cause));
        for (Slot s : slots) {
            try {
                s.channel().abort(cause);
            } catch (RuntimeException e) {
                log.debug("{} abort of {} failed: {}", logPrefix, s.context.channelName(), e.toString());
            }
        }
        stop();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Slot s : slots) {
            Channel c = s.opened();
            if (c != null) {
                try {
                    c.close();
                } catch (RuntimeException e) {
                    log.warn("{} closing channel {} failed: {}", logPrefix, s.context.channelName(), e.toString());
                }
            }
        }
        stop();
        log.debug("{} closed", logPrefix);
    }

    private void stop() {
        List<Runnable> dropped;
        ExecutorService w;
        synchronized (collectiveLock) {
            dropped = new ArrayList<>(pending);
            pending.clear();
            w = worker;
        }
        dropped.forEach(Runnable::run); // each fails with "communicator closed" and completes its future
        if (w != null) {
            w.shutdown();
        }
        if (ownExecutor != null) {
            ownExecutor.shutdown(); // queued completions still run; idle threads end now
        }
    }

    @Override
    public String toString() {
        return "Communicator" + logPrefix;
    }

    /** A backend usable by this communicator and its lazily created channel. */
    private final class Slot {
        final ChannelProvider provider;
        final BackendConfig backend;
        final ChannelContext context;
        private Channel channel;

        Slot(ChannelProvider provider, BackendConfig backend) {
            this.provider = provider;
            this.backend = backend;
            this.context = new ChannelContext(name, runId, rank, size, config, backend, provider.channelName(),
                    timeout != null ? timeout : backend.maxTimeout(), functionMemoryMiB, hint, executor, scheduler);
        }

        synchronized Channel channel() {
            if (channel == null) {
                channel = provider.create(context);
                log.debug("{} opened channel {}", logPrefix, context.channelName());
            }
            return channel;
        }

        synchronized Channel opened() {
            return channel;
        }
    }
}
