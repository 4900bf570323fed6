package io.fmi.internal;

import io.fmi.BackendConfig;
import io.fmi.Buffer;
import io.fmi.Communicator;
import io.fmi.DataType;
import io.fmi.FmiConfig;
import io.fmi.FmiConfigException;
import io.fmi.FmiException;
import io.fmi.Hint;
import io.fmi.ObjectCodec;
import io.fmi.Operation;
import io.fmi.PeerFailedException;
import io.fmi.ReduceOp;
import io.fmi.channel.Buf;
import io.fmi.channel.Channel;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.ChannelProvider;
import io.fmi.channel.ChannelProviders;
import io.fmi.channel.Deadline;
import io.fmi.channel.IdleStrategy;
import io.fmi.channel.OpCodes;
import io.fmi.channel.OpContext;
import io.fmi.channel.Waits;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
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
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Communicator} implementation: validates arguments, picks a channel per operation,
 * numbers and orders collectives, enforces deadlines and publishes results.
 *
 * <p>Collectives run one at a time in call order. A blocking collective called while no other is
 * in flight runs on the calling thread (no hand-off); non-blocking ones, and blocking ones queued
 * behind them, run on one worker thread of this communicator. Futures handed to the caller
 * complete on the communicator's executor, never on an I/O thread.
 *
 * <h2>Sub-communicators</h2>
 * {@code split} and {@code dup} make communicators of the same class that share the builder's
 * communicator's configuration, executor and channels (a {@link Tree}): each of their slots opens
 * a {@link Channel#subgroup} view of the corresponding channel. A sub-communicator's id, which
 * separates its messages on peer-to-peer channels, is derived from its parent's id, the sequence
 * number of the {@code split} or {@code dup} and the color, so every member computes the same id
 * without a message; the tree refuses an id that a communicator of this process already had (a
 * hash collision, about 2^-31 per pair), live or closed, since a closed one's late messages are
 * dropped by id. Closing the builder's communicator closes every sub-communicator first.
 */
public final class DefaultCommunicator implements Communicator {
    private static final Logger log = LoggerFactory.getLogger(DefaultCommunicator.class);
    private static final AtomicInteger THREADS = new AtomicInteger();
    /** First int of every rank's entry in a split's exchange: "SPLT". */
    private static final int SPLIT_MAGIC = 0x53504C54;
    /** The color dup uses in the id derivation: no split color is negative. */
    private static final int DUP_COLOR = -1;
    /** The root argument of collectives that have none. */
    private static final int NO_ROOT = OpCodes.NO_ROOT;

    /** What a communicator shares with the sub-communicators made from it. */
    private static final class Tree {
        final FmiConfig config;
        final String runId;
        final int functionMemoryMiB;
        final Hint hint;
        final Duration timeout;
        /** {@link System#nanoTime()} after which no operation may end, or {@code Long.MAX_VALUE}. */
        final long endOfLifeNanos;
        final io.fmi.model.SelectionPolicy selectionPolicy;
        /** Completes the caller's futures and runs channels' background work: the user's, or {@link #ownExecutor}. */
        final Executor executor;
        /** The executor the tree made (no user executor given); shut down when the builder's communicator closes. */
        final ExecutorService ownExecutor;
        final ScheduledExecutorService scheduler;
        final ObjectCodec codec;
        /** Live sub-communicators by id, in creation order; guarded by itself. */
        final Map<Integer, DefaultCommunicator> live = new LinkedHashMap<>();
        /** Name of every sub-communicator ever made, by id; guarded by {@link #live}. */
        final Map<Integer, String> made = new java.util.HashMap<>();

        Tree(FmiConfig config, String runId, int functionMemoryMiB, Hint hint, Duration timeout, long endOfLifeNanos,
             io.fmi.model.SelectionPolicy selectionPolicy, Executor executor, ExecutorService ownExecutor,
             ScheduledExecutorService scheduler, ObjectCodec codec) {
            this.config = config;
            this.runId = runId;
            this.functionMemoryMiB = functionMemoryMiB;
            this.hint = hint;
            this.timeout = timeout;
            this.endOfLifeNanos = endOfLifeNanos;
            this.selectionPolicy = selectionPolicy;
            this.executor = executor;
            this.ownExecutor = ownExecutor;
            this.scheduler = scheduler;
            this.codec = codec;
        }
    }

    private final Tree tree;
    /** The communicator the builder made, whose channels this one runs over; this one for itself. */
    private final DefaultCommunicator root;
    private final String name;
    private final int rank;
    private final int size;
    /** 0 for the builder's communicator; see the class documentation. */
    private final int commId;
    /** Channel rank of each rank; null for the builder's communicator (identity). */
    private final int[] channelRanks;
    private final String logPrefix;
    private final Checks check;
    /** Usable channels in selector preference order. */
    private final List<Slot> slots;
    private final Map<Operation, Slot> overrides = new EnumMap<>(Operation.class);
    private final Selection selection;

    private final Object collectiveLock = new Object();
    private final ArrayDeque<Task> pending = new ArrayDeque<>();
    private long nextSeq = 1;
    /** The collective running now, or null; under {@link #collectiveLock}. */
    private OpContext running;
    /** The thread that called {@link #running}; under {@link #collectiveLock}. */
    private Thread runningCaller;
    private ExecutorService worker;
    private volatile boolean closed;

    public DefaultCommunicator(FmiConfig config, String name, String runId, int rank, int size, int functionMemoryMiB,
                               Hint hint, Duration timeout, Duration lifetime, List<ChannelProvider> explicit,
                               Map<Operation, String> overrideNames, io.fmi.model.SelectionPolicy selectionPolicy,
                               Executor executor, ScheduledExecutorService scheduler, ObjectCodec codec) {
        this.name = name;
        this.rank = rank;
        this.size = size;
        this.commId = 0;
        this.channelRanks = null;
        this.root = this;
        this.logPrefix = "[comm=" + name + " rank=" + rank + "/" + size + "]";
        this.check = new Checks(size, logPrefix);
        // A provider that fails to load (a missing dependency jar) is skipped, not fatal: the
        // other channels still serve, and the error below names it if nothing else is left.
        ChannelProviders found = ChannelProviders.load(DefaultCommunicator.class.getClassLoader()).with(explicit);
        String run = runId != null ? runId : defaultRunId(found, config, name, size);
        ExecutorService own = null;
        if (executor == null) {
            // Threads are made on demand and end after a minute idle; close() shuts the pool down.
            String prefix = "fmi-" + name + "-" + rank + "-";
            own = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, prefix + THREADS.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        this.tree = new Tree(config, run, functionMemoryMiB, hint, timeout,
                lifetime == null ? Long.MAX_VALUE : System.nanoTime() + lifetime.toNanos(),
                selectionPolicy == null ? io.fmi.model.SelectionPolicy.BY_HINT : selectionPolicy,
                executor == null ? own : executor, own, scheduler, codec == null ? ObjectCodec.json() : codec);

        List<Slot> usable = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (BackendConfig b : config.enabledBackends()) {
            ChannelProvider p = found.find(b.name()).orElse(null);
            if (p == null) {
                missing.add(b.name());
            } else {
                usable.add(new Slot(p, b, rootContext(p, b), null));
            }
        }
        if (usable.isEmpty() && size == 1) {
            // A single peer never talks to anyone: any channel serves, so do not fail for a missing one.
            ChannelProvider local = found.find("Local").orElse(null);
            if (local != null) {
                BackendConfig b = FmiConfig.fromJson("{\"backends\": {\"Local\": {\"enabled\": true}}}").backend("Local").orElseThrow();
                usable.add(new Slot(local, b, rootContext(local, b), null));
            }
        }
        if (usable.isEmpty()) {
            throw new FmiConfigException("no channel available for communicator '" + name + "': enabled backends "
                    + enabledNames(config) + (missing.isEmpty() ? "" : ", without a provider on the classpath: " + missing
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
        this.selection = new Selection(usableProviders, config, hint, functionMemoryMiB, tree.selectionPolicy);
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

    private ChannelContext rootContext(ChannelProvider p, BackendConfig b) {
        return new ChannelContext(name, tree.runId, rank, size, tree.config, b, p.channelName(),
                tree.timeout != null ? tree.timeout : b.maxTimeout(), tree.functionMemoryMiB, tree.hint, tree.executor, tree.scheduler);
    }

    /** A sub-communicator of {@code parent}; registered in the tree, or refused when its id is taken. */
    private DefaultCommunicator(DefaultCommunicator parent, String part, int commId, int[] channelRanks, int rank, OpContext op) {
        this.tree = parent.tree;
        this.root = parent.root;
        this.name = parent.name + "." + part;
        this.rank = rank;
        this.size = channelRanks.length;
        this.commId = commId;
        this.channelRanks = channelRanks;
        this.logPrefix = "[comm=" + name + " rank=" + rank + "/" + size + "]";
        this.check = new Checks(size, logPrefix);
        List<Slot> own = new ArrayList<>(parent.slots.size());
        for (Slot s : parent.slots) {
            own.add(new Slot(s.provider, s.backend, s.context.subgroup(name, part, commId, channelRanks, rank), s.base()));
        }
        this.slots = Collections.unmodifiableList(own);
        this.selection = new Selection(own.stream().map(s -> s.provider).collect(Collectors.toList()), tree.config, tree.hint,
                tree.functionMemoryMiB, tree.selectionPolicy);
        parent.overrides.forEach((o, s) -> overrides.put(o, slotByBackend(s.backend.name())));
        synchronized (tree.live) {
            if (root.closed) {
                throw op.error("communicator closed");
            }
            String taken = tree.made.get(commId);
            if (taken != null) {
                throw op.error("the new communicator's id " + commId + " is the id of communicator '" + taken + "' ("
                        + (tree.live.containsKey(commId) ? "open" : "closed") + ") on this process: a hash collision, about one in "
                        + "2^31 per pair of communicators; call split or dup once more for another id");
            }
            tree.made.put(commId, name);
            tree.live.put(commId, this);
        }
        log.debug("{} made by {} (id {}, channel ranks {})", logPrefix, op.label(), commId, Checks.show(channelRanks));
    }

    private static List<String> enabledNames(FmiConfig config) {
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

    /**
     * The slot of {@code op} moving {@code bytes}. Point-to-point messages ignore their size, so
     * that all messages between two peers take one channel: they cannot overtake each other, and
     * a receive of unknown size knows where to look.
     */
    private Slot select(Operation op, long bytes) {
        if (slots.size() == 1) {
            return slots.get(0); // one channel: nothing to choose (overrides name enabled channels only)
        }
        Slot s = overrides.get(op);
        if (s != null) {
            return s;
        }
        return slotByBackend(selection.select(op, op == Operation.SEND ? 0 : bytes, size));
    }

    // ---------------------------------------------------------------- point to point

    /** Checks a point-to-point call and picks its channel. */
    private Slot p2pSlot(String verb, String role, int peer, Buf data) {
        check.rank(verb, role, peer);
        Slot slot = select(Operation.SEND, 0);
        if (log.isTraceEnabled()) {
            log.trace("{} {} {} {} {} over {}", logPrefix, verb, data == null ? "any size" : data, role, peer, slot.context.channelName());
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
        Buf b = check.in("send", "send", data, false);
        Slot s = p2pSlot("send", "dest", dest, b);
        OpContext op = p2pOp(s, "send"); // the deadline counts from the call, channel creation included
        return toCaller(s.channel().send(op, b, dest));
    }

    @Override
    public void send(Buffer data, int dest) {
        checkOpen("send");
        Buf b = check.in("send", "send", data, false);
        Slot s = p2pSlot("send", "dest", dest, b);
        OpContext op = p2pOp(s, "send");
        s.channel().sendBlocking(op, b, dest);
        b.release();
    }

    @Override
    public CompletableFuture<Void> irecv(Buffer data, int src) {
        checkOpen("recv");
        Buf b = check.out("recv", "receive", data, false);
        Slot s = p2pSlot("recv", "src", src, b);
        OpContext op = p2pOp(s, "recv");
        return toCaller(s.channel().recv(op, b, src).thenRun(b::commit));
    }

    @Override
    public void recv(Buffer data, int src) {
        checkOpen("recv");
        Buf b = check.out("recv", "receive", data, false);
        Slot s = p2pSlot("recv", "src", src, b);
        OpContext op = p2pOp(s, "recv");
        s.channel().recvBlocking(op, b, src);
        b.commit();
        b.release();
    }

    @Override
    public void sendrecv(Buffer send, int dest, Buffer recv, int src) {
        checkOpen("sendrecv");
        Buf out = check.in("sendrecv", "send", send, false);
        Buf in = check.out("sendrecv", "receive", recv, false);
        check.rank("sendrecv", "dest", dest);
        Slot s = p2pSlot("sendrecv", "src", src, in);
        OpContext op = p2pOp(s, "sendrecv");
        s.channel().sendrecv(op, out, dest, in, src);
        in.commit();
        Buf.release(out, in);
    }

    @Override
    public CompletableFuture<Void> isendrecv(Buffer send, int dest, Buffer recv, int src) {
        checkOpen("sendrecv");
        Buf out = check.in("sendrecv", "send", send, false);
        Buf in = check.out("sendrecv", "receive", recv, false);
        check.rank("sendrecv", "dest", dest);
        Slot s = p2pSlot("sendrecv", "src", src, in);
        OpContext op = p2pOp(s, "sendrecv");
        Channel ch = s.channel();
        CompletableFuture<Void> received = ch.recv(op, in, src); // posted before the send
        CompletableFuture<Void> sent = ch.send(op, out, dest);
        return toCaller(CompletableFuture.allOf(received, sent).thenRun(in::commit));
    }

    @Override
    public byte[] recvBytes(int src) {
        return recvBytes("recvBytes", src);
    }

    @Override
    public CompletableFuture<byte[]> irecvBytes(int src) {
        return toCaller(irecvBytes("recvBytes", src));
    }

    /** A receive of any size, its errors naming {@code verb}. */
    private byte[] recvBytes(String verb, int src) {
        checkOpen(verb);
        Slot s = p2pSlot(verb, "src", src, null);
        return s.channel().recvAnyBlocking(p2pOp(s, verb), src);
    }

    private CompletableFuture<byte[]> irecvBytes(String verb, int src) {
        checkOpen(verb);
        Slot s = p2pSlot(verb, "src", src, null);
        return s.channel().recvAny(p2pOp(s, verb), src);
    }

    /** A send of {@code bytes}, its errors naming {@code verb}. */
    private CompletableFuture<Void> sendBytes(String verb, byte[] bytes, int dest, boolean blocking) {
        checkOpen(verb);
        Buf b = Buf.source(bytes, 0, bytes.length);
        Slot s = p2pSlot(verb, "dest", dest, b);
        OpContext op = p2pOp(s, verb);
        if (blocking) {
            s.channel().sendBlocking(op, b, dest);
            return CompletableFuture.completedFuture(null);
        }
        return toCaller(s.channel().send(op, b, dest));
    }

    // ---------------------------------------------------------------- objects

    private byte[] encode(String verb, Object o) {
        byte[] b;
        try {
            b = tree.codec.encode(o);
        } catch (RuntimeException e) {
            throw check.error(verb, "cannot encode " + (o == null ? "null" : "a " + o.getClass().getName()) + " with "
                    + tree.codec + ": " + e.getMessage());
        }
        if (b == null) {
            throw check.error(verb, tree.codec + " encoded " + (o == null ? "null" : "a " + o.getClass().getName()) + " as null (expected: bytes)");
        }
        return b;
    }

    private <T> T decode(String verb, int from, byte[] b, Class<T> type) {
        try {
            return tree.codec.decode(b, type);
        } catch (RuntimeException e) {
            FmiException f = check.error(verb, "cannot decode the " + b.length + " bytes from rank " + from + " as "
                    + type.getName() + " with " + tree.codec + ": " + e.getMessage());
            f.initCause(e);
            throw f;
        }
    }

    private static void checkType(Checks check, String verb, Class<?> type) {
        if (type == null) {
            throw check.error(verb, "type is null (expected: the class to decode into)");
        }
    }

    @Override
    public void sendObject(Object o, int dest) {
        sendBytes("sendObject", encode("sendObject", o), dest, true);
    }

    @Override
    public CompletableFuture<Void> isendObject(Object o, int dest) {
        return sendBytes("sendObject", encode("sendObject", o), dest, false);
    }

    @Override
    public <T> T recvObject(int src, Class<T> type) {
        checkType(check, "recvObject", type);
        return decode("recvObject", src, recvBytes("recvObject", src), type);
    }

    @Override
    public <T> CompletableFuture<T> irecvObject(int src, Class<T> type) {
        checkType(check, "recvObject", type);
        // Decoded on the executor that completes the caller's future, never on an I/O thread.
        return toCaller(irecvBytes("recvObject", src)).thenApply(b -> decode("recvObject", src, b, type));
    }

    @Override
    public <T> T bcastObject(T o, int root, Class<T> type) {
        return bcastObject(o, root, type, true).join();
    }

    @Override
    public <T> CompletableFuture<T> ibcastObject(T o, int root, Class<T> type) {
        return toCaller(bcastObject(o, root, type, false));
    }

    private <T> CompletableFuture<T> bcastObject(T o, int root, Class<T> type, boolean blocking) {
        checkOpen("bcastObject");
        check.rank("bcastObject", "root", root);
        checkType(check, "bcastObject", type);
        byte[] mine = rank == root ? encode("bcastObject", o) : null;
        return collectiveCall(Operation.BCAST, "bcastObject", root, 0, null, blocking, false, (slot, op) -> {
            byte[] b = slot.channel().bcastBytes(op, mine, root);
            return rank == root ? o : decode("bcastObject", root, b, type);
        });
    }

    @Override
    public <T> List<T> gatherObjects(T o, int root, Class<T> type) {
        return gatherObjects(o, root, type, true).join();
    }

    @Override
    public <T> CompletableFuture<List<T>> igatherObjects(T o, int root, Class<T> type) {
        return toCaller(gatherObjects(o, root, type, false));
    }

    private <T> CompletableFuture<List<T>> gatherObjects(T o, int root, Class<T> type, boolean blocking) {
        checkOpen("gatherObjects");
        check.rank("gatherObjects", "root", root);
        checkType(check, "gatherObjects", type);
        byte[] mine = encode("gatherObjects", o);
        return collectiveCall(Operation.GATHERV, "gatherObjects", root, 0, null, blocking, false, (slot, op) -> {
            List<byte[]> all = slot.channel().gatherBytes(op, mine, root);
            if (all == null) {
                return null;
            }
            List<T> out = new ArrayList<>(size);
            for (int p = 0; p < size; p++) {
                out.add(p == rank ? o : decode("gatherObjects", p, all.get(p), type));
            }
            return out;
        });
    }

    // ---------------------------------------------------------------- collectives

    private interface Body {
        void run(Channel channel, OpContext op);
    }

    /** A collective that returns something; gets the slot, so one that sends nothing opens no channel. */
    private interface Call<T> {
        T run(Slot slot, OpContext op);
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
        check.rank("bcast", "root", root);
        Buf b = rank == root ? check.in("bcast", "send", data, false) : check.out("bcast", "receive", data, false);
        return collective(Operation.BCAST, "bcast", root, b.byteLength(), rank == root ? null : b, blocking,
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
        return collective(Operation.BARRIER, "barrier", NO_ROOT, 0, null, blocking, Channel::barrier, null, null);
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
        check.rank("gather", "root", root);
        boolean isRoot = rank == root;
        Buf send = check.in("gather", "send", sendOperand, false);
        Buf out = isRoot ? check.out("gather", "receive", recvOperand, false) : null;
        if (isRoot) {
            check.blocks("gather", "receive", out, send, size);
        }
        return collective(Operation.GATHER, "gather", root, send.byteLength(), out, blocking, (ch, op) -> ch.gather(op, send, out, root), send, out);
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
        check.rank("scatter", "root", root);
        boolean isRoot = rank == root;
        Buf recv = check.out("scatter", "receive", recvOperand, false);
        Buf in = isRoot ? check.in("scatter", "send", sendOperand, false) : null;
        if (isRoot) {
            check.blocks("scatter", "send", in, recv, size);
        }
        return collective(Operation.SCATTER, "scatter", root, recv.byteLength(), recv, blocking, (ch, op) -> ch.scatter(op, in, recv, root), in, recv);
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
        Buf send = check.in("allgather", "send", sendOperand, false);
        Buf recv = check.out("allgather", "receive", recvOperand, false);
        check.blocks("allgather", "receive", recv, send, size);
        return collective(Operation.ALLGATHER, "allgather", NO_ROOT, send.byteLength(), recv, blocking, (ch, op) -> ch.allgather(op, send, recv), send, recv);
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
        Buf send = check.in("alltoall", "send", sendOperand, false);
        Buf recv = check.out("alltoall", "receive", recvOperand, false);
        check.sameType("alltoall", send, recv);
        if (send.count() % size != 0 || recv.count() != send.count()) {
            throw check.error("alltoall", "send buffer holds " + send + " and receive buffer " + recv
                    + " (expected: equal lengths, a multiple of size = " + size + ")");
        }
        return collective(Operation.ALLTOALL, "alltoall", NO_ROOT, send.byteLength(), recv, blocking, (ch, op) -> ch.alltoall(op, send, recv), send, recv);
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
        check.rank("reduce", "root", root);
        boolean isRoot = rank == root;
        Buf send = check.in("reduce", "send", sendOperand, false);
        Buf out = isRoot ? check.out("reduce", "receive", recvOperand, false) : null;
        check.reduce("reduce", send, isRoot ? out : send, rop);
        return collective(Operation.REDUCE, "reduce", root, send.byteLength(), out, blocking, (ch, op) -> ch.reduce(op, send, out, root, rop), send, out);
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
        return elementwise(Operation.ALLREDUCE, "allreduce", sendOperand, recvOperand, rop, blocking, true, Channel::allreduce);
    }

    /** A channel's allreduce, scan or exscan. */
    private interface Elementwise {
        void run(Channel channel, OpContext op, Buf send, Buf recv, ReduceOp reduceOp);
    }

    /**
     * allreduce, scan and exscan: a send and a receive buffer of one length and an operator;
     * {@code receives} false where this rank's receive buffer is not written (exscan at rank 0),
     * so nothing is published into it.
     */
    private CompletableFuture<Void> elementwise(Operation operation, String verb, Buffer sendOperand, Buffer recvOperand, ReduceOp rop,
                                                boolean blocking, boolean receives, Elementwise body) {
        checkOpen(verb);
        Buf send = check.in(verb, "send", sendOperand, false);
        Buf recv = check.out(verb, "receive", recvOperand, false);
        check.reduce(verb, send, recv, rop);
        return collective(operation, verb, NO_ROOT, send.byteLength(), receives ? recv : null, blocking,
                (ch, op) -> body.run(ch, op, send, recv, rop), send, recv);
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
        return elementwise(Operation.SCAN, "scan", sendOperand, recvOperand, rop, blocking, true, Channel::scan);
    }

    @Override
    public CompletableFuture<Void> iexscan(Buffer send, Buffer recv, ReduceOp op) {
        return toCaller(exscan(send, recv, op, false));
    }

    @Override
    public void exscan(Buffer send, Buffer recv, ReduceOp op) {
        exscan(send, recv, op, true).join();
    }

    private CompletableFuture<Void> exscan(Buffer sendOperand, Buffer recvOperand, ReduceOp rop, boolean blocking) {
        // Rank 0 receives nothing: no commit, so its buffer stays as the caller left it.
        return elementwise(Operation.EXSCAN, "exscan", sendOperand, recvOperand, rop, blocking, rank != 0, Channel::exscan);
    }

    @Override
    public CompletableFuture<Void> igatherv(Buffer send, Buffer recv, int[] counts, int root) {
        return toCaller(gatherv(send, recv, counts, root, false));
    }

    @Override
    public void gatherv(Buffer send, Buffer recv, int[] counts, int root) {
        gatherv(send, recv, counts, root, true).join();
    }

    private CompletableFuture<Void> gatherv(Buffer sendOperand, Buffer recvOperand, int[] countsArg, int root, boolean blocking) {
        String verb = "gatherv";
        checkOpen(verb);
        check.rank(verb, "root", root);
        Buf send = check.in(verb, "send", sendOperand, false);
        Buf out = rank == root ? check.out(verb, "receive", recvOperand, false) : null;
        int[] counts = blockCounts(verb, countsArg, send, "send", out, "receive");
        return collective(Operation.GATHERV, verb, root, average(counts, send), out, blocking,
                (ch, op) -> ch.gatherv(op, send, out, counts, root), send, out);
    }

    @Override
    public CompletableFuture<Void> iscatterv(Buffer send, int[] counts, Buffer recv, int root) {
        return toCaller(scatterv(send, counts, recv, root, false));
    }

    @Override
    public void scatterv(Buffer send, int[] counts, Buffer recv, int root) {
        scatterv(send, counts, recv, root, true).join();
    }

    private CompletableFuture<Void> scatterv(Buffer sendOperand, int[] countsArg, Buffer recvOperand, int root, boolean blocking) {
        String verb = "scatterv";
        checkOpen(verb);
        check.rank(verb, "root", root);
        Buf recv = check.out(verb, "receive", recvOperand, false);
        Buf in = rank == root ? check.in(verb, "send", sendOperand, false) : null;
        int[] counts = blockCounts(verb, countsArg, recv, "receive", in, "send");
        return collective(Operation.SCATTERV, verb, root, average(counts, recv), recv, blocking,
                (ch, op) -> ch.scatterv(op, in, counts, recv, root), in, recv);
    }

    @Override
    public CompletableFuture<Void> iallgatherv(Buffer send, Buffer recv, int[] counts) {
        return toCaller(allgatherv(send, recv, counts, false));
    }

    @Override
    public void allgatherv(Buffer send, Buffer recv, int[] counts) {
        allgatherv(send, recv, counts, true).join();
    }

    private CompletableFuture<Void> allgatherv(Buffer sendOperand, Buffer recvOperand, int[] countsArg, boolean blocking) {
        String verb = "allgatherv";
        checkOpen(verb);
        Buf send = check.in(verb, "send", sendOperand, false);
        Buf recv = check.out(verb, "receive", recvOperand, false);
        int[] counts = blockCounts(verb, countsArg, send, "send", recv, "receive");
        return collective(Operation.ALLGATHERV, verb, NO_ROOT, average(counts, send), recv, blocking,
                (ch, op) -> ch.allgatherv(op, send, recv, counts), send, recv);
    }

    @Override
    public CompletableFuture<Void> ialltoallv(Buffer send, int[] sendCounts, Buffer recv, int[] recvCounts) {
        return toCaller(alltoallv(send, sendCounts, recv, recvCounts, false));
    }

    @Override
    public void alltoallv(Buffer send, int[] sendCounts, Buffer recv, int[] recvCounts) {
        alltoallv(send, sendCounts, recv, recvCounts, true).join();
    }

    private CompletableFuture<Void> alltoallv(Buffer sendOperand, int[] sendCountsArg, Buffer recvOperand, int[] recvCountsArg,
                                              boolean blocking) {
        String verb = "alltoallv";
        checkOpen(verb);
        int[] sc = sendCountsArg == null ? null : sendCountsArg.clone();
        int[] rc = recvCountsArg == null ? null : recvCountsArg.clone();
        long sendTotal = check.counts(verb, "sendCounts", sc);
        long recvTotal = check.counts(verb, "recvCounts", rc);
        Buf send = check.in(verb, "send", sendOperand, false);
        Buf recv = check.out(verb, "receive", recvOperand, false);
        check.sameType(verb, send, recv);
        check.length(verb, "send", send, sendTotal, Checks.sumOf("sendCounts", sc));
        check.length(verb, "receive", recv, recvTotal, Checks.sumOf("recvCounts", rc));
        if (sc[rank] != rc[rank]) {
            throw check.error(verb, "sendCounts[" + rank + "] = " + sc[rank] + " but recvCounts[" + rank + "] = " + rc[rank]
                    + " (expected: equal, the block this rank sends itself)");
        }
        // The ranks do not know each other's totals: 0 lets them agree on the channel.
        return collective(Operation.ALLTOALLV, verb, NO_ROOT, 0, recv, blocking,
                (ch, op) -> ch.alltoallv(op, send, sc, recv, rc), send, recv);
    }

    @Override
    public CompletableFuture<Void> ireduceScatter(Buffer send, Buffer recv, int[] counts, ReduceOp op) {
        return toCaller(reduceScatter(send, recv, counts, op, false));
    }

    @Override
    public void reduceScatter(Buffer send, Buffer recv, int[] counts, ReduceOp op) {
        reduceScatter(send, recv, counts, op, true).join();
    }

    private CompletableFuture<Void> reduceScatter(Buffer sendOperand, Buffer recvOperand, int[] countsArg, ReduceOp rop, boolean blocking) {
        String verb = "reduceScatter";
        checkOpen(verb);
        Buf send = check.in(verb, "send", sendOperand, false);
        Buf recv = check.out(verb, "receive", recvOperand, false);
        check.reduceOp(verb, send, rop);
        int[] counts = blockCounts(verb, countsArg, recv, "receive", send, "send");
        return collective(Operation.REDUCE_SCATTER, verb, NO_ROOT, send.byteLength(), recv, blocking,
                (ch, op) -> ch.reduceScatter(op, send, recv, counts, rop), send, recv);
    }

    /**
     * The checks of the collectives whose counts are the same on every rank: {@code counts} has
     * one non-negative entry per rank, this rank's {@code block} holds {@code counts[rank]}
     * elements and {@code whole} (null where unused) their sum. Returns a copy of the counts, so
     * that the caller may change its array while a non-blocking call runs.
     */
    private int[] blockCounts(String verb, int[] countsArg, Buf block, String blockRole, Buf whole, String wholeRole) {
        int[] counts = countsArg == null ? null : countsArg.clone();
        long total = check.counts(verb, "counts", counts);
        check.length(verb, blockRole, block, counts[rank], "counts[" + rank + "]");
        if (whole != null) {
            check.sameType(verb, block, whole);
            check.length(verb, wholeRole, whole, total, Checks.sumOf("counts", counts));
        }
        return counts;
    }

    /** Bytes per rank of the elements {@code counts} add up to, of {@code like}'s type: what the selector gets for the v-collectives. */
    private long average(int[] counts, Buf like) {
        long total = 0;
        for (int c : counts) {
            total += c;
        }
        return total * like.type().sizeBytes() / size;
    }

    // ---------------------------------------------------------------- bytes of any length

    @Override
    public List<byte[]> gatherBytes(byte[] send, int root) {
        return gatherBytes(send, root, true).join();
    }

    @Override
    public CompletableFuture<List<byte[]>> igatherBytes(byte[] send, int root) {
        return toCaller(gatherBytes(send, root, false));
    }

    private CompletableFuture<List<byte[]>> gatherBytes(byte[] send, int root, boolean blocking) {
        checkOpen("gatherBytes");
        check.rank("gatherBytes", "root", root);
        if (send == null) {
            throw check.error("gatherBytes", "send array is null");
        }
        return collectiveCall(Operation.GATHERV, "gatherBytes", root, 0, null, blocking, false,
                (slot, op) -> slot.channel().gatherBytes(op, send, root));
    }

    @Override
    public List<byte[]> allgatherBytes(byte[] send) {
        return allgatherBytes(send, true).join();
    }

    @Override
    public CompletableFuture<List<byte[]>> iallgatherBytes(byte[] send) {
        return toCaller(allgatherBytes(send, false));
    }

    private CompletableFuture<List<byte[]>> allgatherBytes(byte[] send, boolean blocking) {
        checkOpen("allgatherBytes");
        if (send == null) {
            throw check.error("allgatherBytes", "send array is null");
        }
        return collectiveCall(Operation.ALLGATHERV, "allgatherBytes", NO_ROOT, 0, null, blocking, false,
                (slot, op) -> slot.channel().allgatherBytes(op, send));
    }

    @Override
    public List<byte[]> alltoallBytes(List<byte[]> send) {
        return alltoallBytes(send, true).join();
    }

    @Override
    public CompletableFuture<List<byte[]>> ialltoallBytes(List<byte[]> send) {
        return toCaller(alltoallBytes(send, false));
    }

    private CompletableFuture<List<byte[]>> alltoallBytes(List<byte[]> sendArg, boolean blocking) {
        String verb = "alltoallBytes";
        checkOpen(verb);
        if (sendArg == null || sendArg.size() != size) {
            throw check.error(verb, "send list " + (sendArg == null ? "is null" : "has " + sendArg.size() + " arrays")
                    + " (expected: size = " + size + ", one per rank)");
        }
        List<byte[]> send = new ArrayList<>(sendArg);
        for (int i = 0; i < size; i++) {
            if (send.get(i) == null) {
                throw check.error(verb, "send array " + i + " is null (expected: an array, empty for nothing)");
            }
        }
        return collectiveCall(Operation.ALLTOALLV, verb, NO_ROOT, 0, null, blocking, false,
                (slot, op) -> slot.channel().alltoallBytes(op, send));
    }

    // ---------------------------------------------------------------- sub-communicators

    @Override
    public Communicator split(int color, int key) {
        return split(color, key, true).join();
    }

    @Override
    public CompletableFuture<Communicator> isplit(int color, int key) {
        return toCaller(split(color, key, false));
    }

    private CompletableFuture<Communicator> split(int color, int key, boolean blocking) {
        checkOpen("split");
        return collectiveCall(Operation.ALLGATHER, "split", NO_ROOT, 12, null, blocking, true, (slot, op) -> {
            Buf mine = Buf.wrap(DataType.INT, ints(SPLIT_MAGIC, color, key), 0, 3);
            Buf all = Buf.allocate(DataType.INT, 3 * size);
            slot.channel().allgather(op, mine, all);
            int[] e = new int[3 * size];
            all.asByteBuffer().asIntBuffer().get(e);
            List<Integer> group = new ArrayList<>();
            for (int p = 0; p < size; p++) {
                if (e[3 * p] != SPLIT_MAGIC) {
                    throw op.error("rank " + p + " is not calling split at this point (its entry starts with "
                            + Integer.toHexString(e[3 * p]) + "; expected: every rank calls split as its collective #" + op.seq() + ")");
                }
                if (color >= 0 && e[3 * p + 1] == color) {
                    group.add(p);
                }
            }
            if (color < 0) {
                return null;
            }
            group.sort(Comparator.<Integer>comparingInt(p -> e[3 * p + 2]).thenComparingInt(p -> p));
            int[] members = new int[group.size()];
            for (int i = 0; i < members.length; i++) {
                members[i] = channelRankOf(group.get(i));
            }
            return child("s" + op.seq() + "c" + color, childId(commId, op.seq(), color), members, group.indexOf(rank), op);
        });
    }

    @Override
    public Communicator dup() {
        return dup(true).join();
    }

    @Override
    public CompletableFuture<Communicator> idup() {
        return toCaller(dup(false));
    }

    private CompletableFuture<Communicator> dup(boolean blocking) {
        checkOpen("dup");
        return collectiveCall(Operation.BARRIER, "dup", NO_ROOT, 0, null, blocking, true, (slot, op) -> {
            int[] members = new int[size];
            for (int p = 0; p < size; p++) {
                members[p] = channelRankOf(p);
            }
            return child("d" + op.seq(), childId(commId, op.seq(), DUP_COLOR), members, rank, op);
        });
    }

    private Communicator child(String part, int id, int[] members, int newRank, OpContext op) {
        return new DefaultCommunicator(this, part, id, members, newRank, op);
    }

    /**
     * The id of the sub-communicator made by collective {@code seq} of communicator
     * {@code parentId} for {@code color} ({@link #DUP_COLOR} for dup): a 31-bit mix (SplitMix64's
     * finaliser) of the three, never 0. Every member computes it alone; members of different
     * colors never share a pair, so they may share it.
     */
    static int childId(int parentId, long seq, int color) {
        long z = ((long) parentId << 32) ^ (seq * 0x9E3779B97F4A7C15L) ^ ((long) color * 0xC2B2AE3D27D4EB4FL);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        int id = (int) (z & 0x7FFFFFFF);
        return id == 0 ? 1 : id;
    }

    private int channelRankOf(int r) {
        return channelRanks == null ? r : channelRanks[r];
    }

    private static byte[] ints(int... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            b.putInt(x);
        }
        return b.array();
    }

    // ---------------------------------------------------------------- ordering

    /** A queued collective. */
    private static final class Task {
        final OpContext op;
        final Runnable run;
        /** The thread that called it. */
        final Thread caller;

        Task(OpContext op, Runnable run, Thread caller) {
            this.op = op;
            this.run = run;
            this.caller = caller;
        }
    }

    /** {@link #collectiveCall} of a body that returns nothing, with the channel opened for it. */
    private CompletableFuture<Void> collective(Operation operation, String verb, int root, long bytes, Buf sink, boolean blocking, Body body,
                                               Buf release1, Buf release2) {
        CompletableFuture<Void> f = collectiveCall(operation, verb, root, bytes, sink, blocking, false, (slot, op) -> {
            body.run(slot.channel(), op);
            return null;
        });
        if (blocking) {
            // Succeeded: no channel holds the buffers any more, so pooled arrays go back for reuse.
            // After a failure they are left to the GC, since a channel may still write into them.
            Buf.release(release1, release2);
        }
        return f;
    }

    /**
     * Numbers a collective, runs it in call order and returns its outcome. For blocking calls the
     * returned future is already complete when this returns (the wait and its deadline happen
     * here); {@code join()} on it only returns the result. An {@code exclusive} call (split, dup)
     * is refused while another collective of this communicator is in flight on this rank.
     */
    private <T> CompletableFuture<T> collectiveCall(Operation operation, String verb, int root, long bytes, Buf sink, boolean blocking,
                                                    boolean exclusive, Call<T> body) {
        Slot slot = select(operation, bytes);
        CompletableFuture<T> result = new CompletableFuture<>();
        OpContext op;
        Task task;
        boolean inline = false;
        synchronized (collectiveLock) {
            if (exclusive && running != null) {
                OpContext busy = running;
                throw check.error(verb, busy.label() + " is still in flight on this rank (expected: no other collective of this "
                        + "communicator in flight; wait for its future first)");
            }
            refuseAnotherThread(verb);
            long seq = nextSeq++;
            op = new OpContext(operation, verb, seq, root, deadlineOf(slot), slot.context);
            OpContext call = op;
            Thread caller = Thread.currentThread();
            task = new Task(op, () -> {
                T v = null;
                Throwable failure = null;
                try {
                    if (closed) {
                        throw call.error("communicator closed before the operation ran");
                    }
                    if (log.isTraceEnabled()) {
                        log.trace("{} {} over {}", logPrefix, call.label(), slot.context.channelName());
                    }
                    v = body.run(slot, call);
                    if (sink != null) {
                        sink.commit();
                    }
                } catch (Throwable t) {
                    failure = t;
                }
                // No longer in flight once the caller can see it done: a split right after is accepted.
                runNext();
                if (failure == null) {
                    result.complete(v);
                } else {
                    result.completeExceptionally(failure);
                }
            }, caller);
            if (running == null && blocking) {
                running = op;
                runningCaller = caller;
                inline = true;
            } else {
                pending.addLast(task);
                if (running == null) {
                    start(pending.pollFirst());
                }
            }
        }
        if (inline) {
            task.run.run();
        }
        if (blocking) {
            Waits.await(result, op, -1, "operation", -1, IdleStrategy.block());
        }
        return result;
    }

    private void runNext() {
        synchronized (collectiveLock) {
            Task next = pending.pollFirst();
            if (next == null) {
                running = null;
                runningCaller = null;
            } else {
                start(next);
            }
        }
    }

    /** Under {@link #collectiveLock}: runs {@code next} on the worker. */
    private void start(Task next) {
        running = next.op;
        runningCaller = next.caller;
        worker().execute(next.run);
    }

    /**
     * Under {@link #collectiveLock}: refuses a collective called while one that another thread
     * called is in flight (running or queued) on this rank. The order in which two threads' calls
     * take their sequence numbers is a race that each rank may decide differently, so the ranks
     * would pair one thread's collective with the other's: wrong data where both are alike. A call
     * refused here takes no sequence number.
     */
    private void refuseAnotherThread(String verb) {
        Thread me = Thread.currentThread();
        OpContext busy = null;
        Thread other = null;
        if (running != null && runningCaller != me) {
            busy = running;
            other = runningCaller;
        } else {
            for (Task t : pending) {
                if (t.caller != me) {
                    busy = t.op;
                    other = t.caller;
                    break;
                }
            }
        }
        if (busy != null) {
            throw check.error(verb, "called from thread \"" + me.getName() + "\" while " + busy.label() + ", called from thread \""
                    + other.getName() + "\", is in flight on this rank (expected: the collectives of one communicator called by one "
                    + "thread at a time, so that every rank numbers them in the same order; wait for the other thread's "
                    + "collective, or give each thread a communicator of its own with dup())");
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

    /**
     * The caller's view of a future: completes on the communicator's executor (never on an I/O
     * thread) with FMI exceptions; on the completing thread only once the executor refuses work
     * (after close).
     */
    private <T> CompletableFuture<T> toCaller(CompletableFuture<T> internal) {
        CompletableFuture<T> out = new CompletableFuture<>();
        internal.whenComplete((v, t) -> {
            Runnable complete = () -> {
                if (t == null) {
                    out.complete(v);
                } else {
                    Throwable c = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
                    out.completeExceptionally(c);
                }
            };
            try {
                tree.executor.execute(complete);
            } catch (RejectedExecutionException e) {
                complete.run();
            }
        });
        return out;
    }

    /** The deadline of an operation starting now on {@code slot}: its timeout, cut at the end of the communicator's lifetime. */
    private Deadline deadlineOf(Slot slot) {
        Duration d = slot.context.timeout();
        if (tree.endOfLifeNanos != Long.MAX_VALUE) {
            long left = tree.endOfLifeNanos - System.nanoTime();
            if (left < d.toNanos()) {
                d = Duration.ofNanos(Math.max(0, left));
            }
        }
        return Deadline.after(d);
    }

    private void checkOpen(String verb) {
        if (closed) {
            throw check.error(verb, "communicator is closed");
        }
    }

    // ---------------------------------------------------------------- lifecycle

    /** A sub-communicator aborts the whole process's communicators: a failed peer is failed everywhere. */
    @Override
    public void abort(Throwable cause) {
        if (root != this) {
            // Channels number ranks as the builder's communicator does: a failure this
            // communicator's rank p passed on is channel rank channelRankOf(p)'s.
            Throwable c = cause;
            if (cause instanceof PeerFailedException && ((PeerFailedException) cause).peer() >= 0) {
                c = new PeerFailedException(channelRankOf(((PeerFailedException) cause).peer()), cause.getMessage(), cause);
            }
            root.abort(c);
            return;
        }
        if (closed) {
            return;
        }
        closed = true;
        log.debug("{} aborting: {}", logPrefix, String.valueOf(cause));
        for (DefaultCommunicator sub : liveSubs()) {
            sub.closed = true; // the aborted channels below fail whatever they wait for
            sub.stop();
        }
        for (Slot s : slots) {
            try {
                s.channel().abort(cause);
            } catch (RuntimeException e) {
                log.debug("{} abort of {} failed: {}", logPrefix, s.context.channelName(), e.toString());
            }
        }
        stop();
    }

    /**
     * Closes this communicator's channels (views, for a sub-communicator). The builder's
     * communicator first closes every sub-communicator still open, newest first.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (root == this) {
            List<DefaultCommunicator> subs = liveSubs();
            Collections.reverse(subs);
            subs.forEach(DefaultCommunicator::close);
        }
        closed = true;
        FmiException failure = null; // e.g. messages a channel could not deliver: raised once all is released
        for (Slot s : slots) {
            Channel c = s.opened();
            if (c != null) {
                try {
                    c.close();
                } catch (FmiException e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                } catch (RuntimeException e) {
                    log.warn("{} closing channel {} failed: {}", logPrefix, s.context.channelName(), e.toString());
                }
            }
        }
        if (root != this) {
            synchronized (tree.live) {
                tree.live.remove(commId, this);
            }
        }
        stop();
        log.debug("{} closed", logPrefix);
        if (failure != null) {
            throw failure;
        }
    }

    private List<DefaultCommunicator> liveSubs() {
        synchronized (tree.live) {
            return new ArrayList<>(tree.live.values());
        }
    }

    private void stop() {
        List<Task> dropped;
        ExecutorService w;
        synchronized (collectiveLock) {
            dropped = new ArrayList<>(pending);
            pending.clear();
            w = worker;
        }
        dropped.forEach(t -> t.run.run()); // each fails with "communicator closed" and completes its future
        if (w != null) {
            w.shutdown();
        }
        if (root == this && tree.ownExecutor != null) {
            tree.ownExecutor.shutdown(); // queued completions still run; idle threads end now
        }
    }

    @Override
    public String toString() {
        return "Communicator" + logPrefix;
    }

    /**
     * A backend usable by this communicator and its lazily created channel: made by the provider
     * for the builder's communicator, a {@link Channel#subgroup} view of that one for a
     * sub-communicator.
     */
    private final class Slot {
        final ChannelProvider provider;
        final BackendConfig backend;
        final ChannelContext context;
        /** The builder's communicator's slot of this backend; null for that one itself. */
        private final Slot base;
        private Channel channel;

        Slot(ChannelProvider provider, BackendConfig backend, ChannelContext context, Slot base) {
            this.provider = provider;
            this.backend = backend;
            this.context = context;
            this.base = base;
        }

        Slot base() {
            return base == null ? this : base;
        }

        synchronized Channel channel() {
            if (channel == null) {
                channel = base == null ? provider.create(context) : base.channel().subgroup(context);
                log.debug("{} opened channel {}", logPrefix, context.channelName());
            }
            return channel;
        }

        synchronized Channel opened() {
            return channel;
        }
    }
}
