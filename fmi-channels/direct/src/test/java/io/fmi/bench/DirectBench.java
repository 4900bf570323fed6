package io.fmi.bench;

import io.fmi.Buffer;
import io.fmi.Communicator;
import io.fmi.FmiConfig;
import io.fmi.ReduceOp;
import io.fmi.tcpunch.RendezvousServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Benchmarks of the Direct channel, OSU method: barrier, time the operation, maximum over ranks,
 * median over iterations. Run by {@code bench/run-direct.sh}; not part of the test run.
 *
 * <pre>
 * java -cp ... io.fmi.bench.DirectBench launch --cpus 0,1 --procs 2,4,8 [--spin-us 0|50|default] [--io-threads 1]
 *     [--quick] [--only pingpong|collectives|allocation|passes] [--jvm-arg -Xlog:gc ...]
 * </pre>
 *
 * The launcher starts a rendezvous server in its own JVM and the ranks as separate JVMs, each under
 * {@code taskset -c <cpus>} (or, for {@code --cpus 0/1}, rank r under the r-th list, round robin); rank 0 prints {@code RESULT} lines that the launcher prints as a table.
 * Ping-pong runs FMI and two raw java.nio socket pairs in the same processes, interleaved.
 */
public final class DirectBench {
    /** The rendezvous server's shared secret; the ranks get it in their Direct entry. */
    private static final String SECRET = "direct-bench";

    private DirectBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("worker")) {
            worker(args);
        } else {
            launch(args);
        }
    }

    // ------------------------------------------------------------------ launcher

    private static void launch(String[] args) throws Exception {
        String cpus = "0,1";
        String procs = "2,4,8";
        String spinUs = "default"; // the library's default for the machine
        String ioThreads = "1";
        String only = "";
        List<String> jvmArgs = new ArrayList<>();
        boolean quick = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "launch": break;
                case "--cpus": cpus = args[++i]; break;
                case "--procs": procs = args[++i]; break;
                case "--spin-us": spinUs = args[++i]; break;
                case "--io-threads": ioThreads = args[++i]; break;
                case "--only": only = args[++i]; break;
                case "--jvm-arg": jvmArgs.add(args[++i]); break;
                case "--quick": quick = true; break;
                default: throw new IllegalArgumentException("unknown argument: " + args[i]);
            }
        }
        try (RendezvousServer server = RendezvousServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0)
                .secret(SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8)).build().start()) {
            Settings st = new Settings(cpus, spinUs, ioThreads, quick, jvmArgs);
            if (only.equals("allocation")) {
                allocation(server);
                return;
            }
            if (only.equals("passes")) {
                passes(server);
                return;
            }
            if (!only.equals("collectives")) {
                runWorkers(server, st, "pingpong", 2);
            }
            if (!only.equals("pingpong")) {
                for (String p : procs.split(",")) {
                    runWorkers(server, st, "collectives", Integer.parseInt(p.trim()));
                }
            }
        }
    }

    /**
     * {@code --only allocation}: heap bytes allocated on the calling thread per blocking 8 B
     * send+recv round trip and per 1-int allreduce, two ranks over Direct in this JVM
     * (ThreadMXBean.getThreadAllocatedBytes; three rounds, the first includes JIT warm-up).
     */
    private static void allocation(RendezvousServer server) {
        var direct = FmiConfig.newObject().put("enabled", true).put("host", "127.0.0.1").put("port", server.port())
                .put("nat_probe", false).put("secret", SECRET);
        FmiConfig cfg = FmiConfig.defaults().withOnly("Direct").withBackend("Direct", direct);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        io.fmi.local.LocalCluster.run(cfg, 2, comm -> {
            byte[] b = new byte[8];
            int[] one = {1};
            int[] sum = new int[1];
            int n = 20_000;
            for (int round = 0; round < 3; round++) {
                long a0 = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
                for (int i = 0; i < n; i++) {
                    fmiRoundTrip(comm, b, b.length);
                }
                long a1 = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
                for (int i = 0; i < n / 4; i++) {
                    comm.allreduce(one, sum, ReduceOp.SUM);
                }
                long a2 = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
                if (comm.rank() == 0) {
                    System.out.println(String.format(Locale.ROOT,
                            "RESULT op=allocation round=%d send_recv_bytes=%.0f allreduce_1int_bytes=%.0f",
                            round, (a1 - a0) / (double) n, (a2 - a1) / (n / 4.0)));
                }
            }
            return null;
        });
    }

    /**
     * {@code --only passes} (run with {@code -Dfmi.passes.count=true}): for an allreduce of 1 MiB
     * and 16 MiB of doubles, two ranks over Direct in this JVM, the passes per byte FMI's own code
     * makes over the payload ({@link io.fmi.channel.PassCounter}: encode, decode, reduce, copy;
     * per rank, divided by the payload) and the heap it allocates per call and rank, on every
     * thread of the JVM (the I/O thread included), which with the ring's pooled staging is the heap
     * needed beyond the caller's two arrays (target: 1 MiB).
     */
    private static void passes(RendezvousServer server) {
        if (!io.fmi.channel.PassCounter.ON) {
            throw new IllegalStateException("--only passes needs -Dfmi.passes.count=true");
        }
        var direct = FmiConfig.newObject().put("enabled", true).put("host", "127.0.0.1").put("port", server.port())
                .put("nat_probe", false).put("secret", SECRET).put("max_timeout", 120_000);
        FmiConfig cfg = FmiConfig.defaults().withOnly("Direct").withBackend("Direct", direct);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        io.fmi.local.LocalCluster.run(cfg, 2, comm -> {
            for (int bytes : new int[] {1 << 20, 16 << 20}) {
                double[] send = new double[bytes / 8];
                Arrays.fill(send, comm.rank() + 1);
                double[] recv = new double[send.length];
                int calls = bytes > 1 << 20 ? 5 : 20;
                for (int i = 0; i < calls; i++) {
                    comm.allreduce(send, recv, ReduceOp.SUM); // warm-up: JIT, connections, pools
                }
                comm.barrier();
                long a0 = 0;
                if (comm.rank() == 0) {
                    io.fmi.channel.PassCounter.reset();
                    a0 = Arrays.stream(mx.getThreadAllocatedBytes(mx.getAllThreadIds())).filter(x -> x > 0).sum();
                }
                comm.barrier();
                for (int i = 0; i < calls; i++) {
                    comm.allreduce(send, recv, ReduceOp.SUM);
                }
                comm.barrier();
                if (comm.rank() == 0) {
                    long counted = io.fmi.channel.PassCounter.bytes();
                    long alloc = Arrays.stream(mx.getThreadAllocatedBytes(mx.getAllThreadIds())).filter(x -> x > 0).sum() - a0;
                    double perCallRank = alloc / (2.0 * calls);
                    // Besides what a call allocates: the pipelined ring's staging, 4 receive segments
                    // and 1 send segment, taken once from the thread's scratch pool and kept there.
                    long staging = 5L * io.fmi.collective.PeerCollectives.DEFAULT_SEGMENT_BYTES;
                    System.out.println(String.format(Locale.ROOT,
                            "RESULT op=passes impl=fmi procs=2 bytes=%d calls=%d passes_per_byte=%.2f heap_allocated_per_call_bytes=%.0f"
                                    + " staging_bytes=%d heap_needed_bytes=%.0f heap_target_bytes=%d",
                            bytes, calls, counted / (2.0 * calls * bytes), perCallRank, staging, 2.0 * bytes + staging + perCallRank,
                            2L * bytes + (1 << 20)));
                    if (recv[0] != 3.0) {
                        throw new IllegalStateException("allreduce result " + recv[0] + " (expected: 3.0)");
                    }
                }
                comm.barrier();
            }
            return null;
        });
    }

    private static final class Settings {
        final String cpus;
        final String spinUs;
        final String ioThreads;
        final boolean quick;
        final List<String> jvmArgs;

        Settings(String cpus, String spinUs, String ioThreads, boolean quick, List<String> jvmArgs) {
            this.cpus = cpus;
            this.spinUs = spinUs;
            this.ioThreads = ioThreads;
            this.quick = quick;
            this.jvmArgs = jvmArgs;
        }
    }

    private static void runWorkers(RendezvousServer server, Settings st, String mode, int n)
            throws IOException, InterruptedException {
        int rawPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            rawPort = s.getLocalPort();
        }
        String runId = UUID.randomUUID().toString().substring(0, 8);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> ps = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            // "0/1": one CPU list per rank, round robin (rank 0 on CPU 0, rank 1 on CPU 1, ...); "0,1": all ranks share.
            String[] perRank = st.cpus.split("/");
            List<String> cmd = new ArrayList<>(List.of("taskset", "-c", perRank[r % perRank.length], java, "-Xms512m", "-Xmx" + (n > 4 ? "768m" : "1g"),
                    "-XX:+UseParallelGC", "-Dio.netty.leakDetection.level=disabled",
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
            cmd.addAll(st.jvmArgs);
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), DirectBench.class.getName(),
                    "worker", mode, Integer.toString(r), Integer.toString(n), Integer.toString(server.port()),
                    Integer.toString(rawPort), runId, st.spinUs, Boolean.toString(st.quick), st.ioThreads));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
            ps.add(pb.start());
        }
        try (BufferedReader out = new BufferedReader(new InputStreamReader(ps.get(0).getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                System.out.println(line);
                System.out.flush();
            }
        }
        for (Process p : ps) {
            if (p.waitFor() != 0) {
                throw new IllegalStateException(mode + " on " + n + " processes: a rank exited with " + p.exitValue());
            }
        }
    }

    // ------------------------------------------------------------------ worker

    private static void worker(String[] a) throws Exception {
        String mode = a[1];
        int rank = Integer.parseInt(a[2]);
        int n = Integer.parseInt(a[3]);
        int serverPort = Integer.parseInt(a[4]);
        int rawPort = Integer.parseInt(a[5]);
        String runId = a[6];
        String spinUs = a[7];
        boolean quick = Boolean.parseBoolean(a[8]);
        int ioThreads = Integer.parseInt(a[9]);
        var direct = FmiConfig.newObject()
                .put("enabled", true).put("host", "127.0.0.1").put("port", serverPort).put("max_timeout", 120_000)
                .put("nat_probe", false).put("io_threads", ioThreads).put("eager_connect", true).put("secret", SECRET);
        if (!spinUs.equals("default")) {
            direct.put("spin_us", Long.parseLong(spinUs));
        }
        // Further keys of the Direct entry: -Dbench.direct.<key>=<value> (JVM_ARGS of run-direct.sh).
        for (String k : System.getProperties().stringPropertyNames()) {
            if (k.startsWith("bench.direct.")) {
                String v = System.getProperty(k);
                String key = k.substring("bench.direct.".length());
                if (v.equals("true") || v.equals("false")) {
                    direct.put(key, Boolean.parseBoolean(v));
                } else if (v.matches("-?\\d+")) {
                    direct.put(key, Long.parseLong(v));
                } else if (v.startsWith("{")) {
                    direct.set(key, new com.fasterxml.jackson.databind.ObjectMapper().readTree(v)); // e.g. an idle_strategy object
                } else {
                    direct.put(key, v);
                }
            }
        }
        FmiConfig cfg = FmiConfig.defaults().withOnly("Direct").withBackend("Direct", direct);
        try (Communicator comm = Communicator.builder().config(cfg).name("bench-" + mode).runId(runId)
                .rank(rank).size(n).timeout(Duration.ofSeconds(120)).build()) {
            comm.barrier();
            if (mode.equals("pingpong")) {
                pingPong(comm, rawPort, quick);
            } else {
                collectives(comm, quick);
            }
            comm.barrier();
        }
    }

    private static final int[] PP_SIZES = {8, 1024, 64 * 1024, 1024 * 1024};
    private static final int BW_SIZE = 64 * 1024 * 1024;
    private static final int WARMUP_ROUND_TRIPS = 5_000;
    private static final String[] PP_IMPLS = {"fmi", "nio", "nio_select"};

    /**
     * Ping-pong between ranks 0 and 1 over FMI, a blocking java.nio socket pair and a non-blocking
     * pair driven by a {@link Selector} (the floor of any design that can honour a deadline), all
     * three in the same two processes, interleaved: the run is cut into rounds, each a block of
     * round trips per implementation in a rotating order, so that the machine's changes of speed
     * hit all three alike. Prints each implementation's median and p99 over all round trips and
     * the median over rounds of the per-round ratio of medians.
     */
    private static void pingPong(Communicator comm, int rawPort, boolean quick) throws IOException {
        int rank = comm.rank();
        try (Raw raw = Raw.open(comm, rawPort)) {
            PingPong[] impls = {
                (buf, bytes) -> fmiRoundTrip(comm, buf.array(), bytes),
                (buf, bytes) -> raw.roundTrip(raw.blocking, null, buf, bytes, rank == 0),
                (buf, bytes) -> raw.roundTrip(raw.polled, raw.selector, buf, bytes, rank == 0),
            };
            String[] implNames = PP_IMPLS;
            // -Dbench.pingpong.impls=fmi,nio_select keeps only those (for profiling one of them).
            String keep = System.getProperty("bench.pingpong.impls");
            if (keep != null) {
                List<String> names = List.of(keep.split(","));
                List<PingPong> kept = new ArrayList<>();
                List<String> keptNames = new ArrayList<>();
                for (int i = 0; i < impls.length; i++) {
                    if (names.contains(PP_IMPLS[i])) {
                        kept.add(impls[i]);
                        keptNames.add(PP_IMPLS[i]);
                    }
                }
                impls = kept.toArray(new PingPong[0]);
                implNames = keptNames.toArray(new String[0]);
            }
            ByteBuffer buf = ByteBuffer.allocate(BW_SIZE);
            // Untimed round trips first, so that the JIT has compiled every path.
            for (PingPong p : impls) {
                for (int i = 0; i < WARMUP_ROUND_TRIPS; i++) {
                    p.run(buf, 8);
                }
                for (int i = 0; i < 20; i++) {
                    p.run(buf, 1 << 20);
                }
            }
            // -Dbench.pingpong.sizes=8,1024 (JVM_ARGS of run-direct.sh) runs only those sizes, and no bandwidth.
            String only = System.getProperty("bench.pingpong.sizes");
            int[] sizes = only == null ? PP_SIZES : Arrays.stream(only.split(",")).mapToInt(x -> Integer.parseInt(x.trim())).toArray();
            for (int size : sizes) {
                int rounds = quick ? 10 : 20;
                interleaved(rank, "pingpong", size, rounds, Math.max(1, iterations(size, quick) / rounds), impls, implNames, buf);
            }
            if (only != null || keep != null) {
                return;
            }
            // The selector pair's write loop is not made for 64 MiB; bandwidth compares FMI with the blocking pair.
            interleaved(rank, "bandwidth", BW_SIZE, quick ? 3 : 10, 1, Arrays.copyOf(impls, 2), Arrays.copyOf(implNames, 2), buf);
        }
    }

    private static void interleaved(int rank, String op, int size, int rounds, int perBlock, PingPong[] impls, String[] names,
            ByteBuffer buf)
            throws IOException {
        System.gc(); // the benchmark's own garbage (warm-up, earlier sizes) is not collected inside the timed rounds
        int k = impls.length;
        long[][] all = new long[k][rounds * perBlock];
        double[][] blockMedian = new double[k][rounds];
        long[] block = new long[perBlock];
        for (int r = -1; r < rounds; r++) { // round -1: untimed
            for (int j = 0; j < k; j++) {
                int impl = Math.floorMod(j + r, k);
                for (int i = 0; i < perBlock; i++) {
                    long t0 = System.nanoTime();
                    impls[impl].run(buf, size);
                    block[i] = System.nanoTime() - t0;
                }
                if (r >= 0) {
                    System.arraycopy(block, 0, all[impl], r * perBlock, perBlock);
                    long[] s = block.clone();
                    Arrays.sort(s);
                    blockMedian[impl][r] = s[perBlock / 2];
                }
            }
        }
        if (rank != 0) {
            return;
        }
        for (int impl = 0; impl < k; impl++) {
            StringBuilder ratios = new StringBuilder();
            if (names[impl].equals("fmi")) {
                for (int other = 1; other < k; other++) {
                    double[] q = new double[rounds];
                    for (int r = 0; r < rounds; r++) {
                        q[r] = blockMedian[0][r] / blockMedian[other][r];
                    }
                    Arrays.sort(q);
                    ratios.append(String.format(Locale.ROOT, " vs_%s=%.3f vs_%s_min=%.3f vs_%s_max=%.3f",
                            names[other], q[rounds / 2], names[other], q[0], names[other], q[rounds - 1]));
                }
            }
            report(op, names[impl], 2, size, all[impl], ratios.toString());
        }
    }

    /** Rank 0 sends the first {@code bytes} bytes of {@code b} to rank 1 and receives them back. */
    private static void fmiRoundTrip(Communicator comm, byte[] b, int bytes) {
        Buffer m = Buffer.of(b, 0, bytes);
        if (comm.rank() == 0) {
            comm.send(m, 1);
            comm.recv(m, 1);
        } else {
            comm.recv(m, 0);
            comm.send(m, 0);
        }
    }

    /** One round trip of {@code bytes} bytes of {@code buf} between ranks 0 and 1. */
    private interface PingPong {
        void run(ByteBuffer buf, int bytes) throws IOException;
    }

    /** Two raw socket pairs between ranks 0 and 1: one blocking, one non-blocking with a selector. */
    private static final class Raw implements AutoCloseable {
        final SocketChannel blocking;
        final SocketChannel polled;
        final Selector selector;

        private Raw(SocketChannel blocking, SocketChannel polled) throws IOException {
            this.blocking = blocking;
            this.polled = polled;
            for (SocketChannel c : new SocketChannel[] {blocking, polled}) {
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            polled.configureBlocking(false);
            selector = Selector.open();
            polled.register(selector, SelectionKey.OP_READ);
        }

        static Raw open(Communicator comm, int rawPort) throws IOException {
            InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), rawPort);
            if (comm.rank() == 0) {
                try (ServerSocketChannel ss = ServerSocketChannel.open()) {
                    ss.bind(at);
                    comm.barrier();
                    SocketChannel a = ss.accept();
                    return new Raw(a, ss.accept());
                }
            }
            comm.barrier();
            SocketChannel a = SocketChannel.open(at);
            return new Raw(a, SocketChannel.open(at));
        }

        /** Rank 0 ({@code first}) writes then reads, rank 1 reads then writes. */
        void roundTrip(SocketChannel c, Selector sel, ByteBuffer buf, int bytes, boolean first) throws IOException {
            if (first) {
                write(c, sel, buf, bytes);
                read(c, sel, buf, bytes);
            } else {
                read(c, sel, buf, bytes);
                write(c, sel, buf, bytes);
            }
        }

        private static void write(SocketChannel c, Selector sel, ByteBuffer b, int bytes) throws IOException {
            b.clear().limit(bytes);
            c.write(b);
            if (b.hasRemaining() && sel != null) {
                SelectionKey k = c.keyFor(sel);
                k.interestOps(SelectionKey.OP_WRITE);
                while (b.hasRemaining()) {
                    sel.select(20);
                    sel.selectedKeys().clear();
                    c.write(b);
                }
                k.interestOps(SelectionKey.OP_READ);
            }
            while (b.hasRemaining()) {
                c.write(b);
            }
        }

        private static void read(SocketChannel c, Selector sel, ByteBuffer b, int bytes) throws IOException {
            b.clear().limit(bytes);
            while (b.hasRemaining()) {
                if (sel != null) {
                    sel.select(20);
                    sel.selectedKeys().clear();
                }
                if (c.read(b) < 0) {
                    throw new IOException("peer closed");
                }
            }
        }

        @Override
        public void close() throws IOException {
            selector.close();
            blocking.close();
            polled.close();
        }
    }

    private static int iterations(int size, boolean quick) {
        int it = size <= 1024 ? 20_000 : size <= 64 * 1024 ? 5_000 : 1_000;
        return quick ? it / 10 : it;
    }

    private interface Op {
        void run();
    }

    private static void collectives(Communicator comm, boolean quick) {
        int n = comm.size();
        int[] one = {comm.rank() + 1};
        int[] oneOut = new int[1];
        int[] g = new int[5000];
        int[] gAll = new int[5000 * n];
        double[] mib = new double[128 * 1024];
        double[] mibOut = new double[mib.length];
        double[] mib16 = new double[2 * 1024 * 1024];
        double[] mib16Out = new double[mib16.length];
        int small = quick ? 200 : 1000;
        // Untimed rounds first, so the JIT has compiled the collective paths (Open MPI's are native code).
        for (int i = 0; i < (quick ? 3000 : 6000); i++) {
            comm.allreduce(one, oneOut, ReduceOp.SUM);
            comm.bcast(oneOut, 0);
            comm.reduce(one, oneOut, 0, ReduceOp.SUM);
            comm.scan(one, oneOut, ReduceOp.SUM);
            comm.gather(g, gAll, 0);
            comm.scatter(gAll, g, 0);
            comm.barrier();
        }
        // ... and of the large-message paths (ring allreduce, streamed frames), which the timed loop runs only 10-50 times.
        for (int i = 0; i < (quick ? 50 : 100); i++) {
            comm.allreduce(mib, mibOut, ReduceOp.SUM);
        }
        osu(comm, "allreduce", 4, small, () -> comm.allreduce(one, oneOut, ReduceOp.SUM));
        osu(comm, "bcast", 4, small, () -> comm.bcast(oneOut, 0));
        osu(comm, "reduce", 4, small, () -> comm.reduce(one, oneOut, 0, ReduceOp.SUM));
        osu(comm, "scan", 4, small, () -> comm.scan(one, oneOut, ReduceOp.SUM));
        osu(comm, "barrier", 0, small, comm::barrier);
        osu(comm, "gather", 20_000, small / 2, () -> comm.gather(g, gAll, 0));
        osu(comm, "scatter", 20_000, small / 2, () -> comm.scatter(gAll, g, 0));
        osu(comm, "allreduce", 1 << 20, quick ? 10 : 50, () -> comm.allreduce(mib, mibOut, ReduceOp.SUM));
        osu(comm, "allreduce", 16 << 20, quick ? 4 : 12, () -> comm.allreduce(mib16, mib16Out, ReduceOp.SUM));
    }

    /**
     * -Dbench.collectives=allreduce:1048576,barrier:0 times only those (name:bytes); -Dbench.iterations.scale=10 times each 10x as often;
     * -Dbench.trace=true prints every iteration's time.
     */
    private static final List<String> ONLY_COLLECTIVES = System.getProperty("bench.collectives") == null ? null
            : List.of(System.getProperty("bench.collectives").split(","));
    private static final double ITERATION_SCALE = Double.parseDouble(System.getProperty("bench.iterations.scale", "1"));
    /** -Dbench.warmup.ms=2000: the least time each collective runs untimed before its timed loop. */
    private static final long WARMUP_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(Long.getLong("bench.warmup.ms", 2000));
    /**
     * -Dbench.warmup.jit.ms=1000: after the least warm-up, each collective goes on untimed until no rank's JIT
     * compiled anything for this long (0: never waits for it), up to bench.warmup.max.ms.
     */
    private static final long JIT_QUIET_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(Long.getLong("bench.warmup.jit.ms", 1000));
    /** -Dbench.warmup.max.ms=30000: the most time a collective's warm-up waits for the JIT. */
    private static final long WARMUP_MAX_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(Long.getLong("bench.warmup.max.ms", 30000));
    private static final java.lang.management.CompilationMXBean JIT = java.lang.management.ManagementFactory.getCompilationMXBean();

    /** Milliseconds this JVM's JIT has spent compiling, or -1 when it cannot tell. */
    private static long jitMillis() {
        return JIT != null && JIT.isCompilationTimeMonitoringSupported() ? JIT.getTotalCompilationTime() : -1;
    }

    private static void osu(Communicator comm, String name, int bytes, int iterations, Op op) {
        if (ONLY_COLLECTIVES != null && !ONLY_COLLECTIVES.contains(name + ":" + bytes)) {
            return;
        }
        int iters = Math.max(1, (int) Math.round(iterations * ITERATION_SCALE));
        System.gc(); // the benchmark's own garbage (warm-up, earlier operations) is not collected inside the timed loop
        long[] t = new long[iters];
        // Warm-up: at least max(2, iters / 10) calls, as mpi_bench.c makes, and at least WARMUP_NANOS
        // of them (while any rank says so, all go on): the JIT recompiles the paths a new operation or
        // size takes, and a 16 MiB allreduce ran 3-5x slower for its first 1.5 s (docs/benchmarks.md).
        // Then, up to WARMUP_MAX_NANOS, until no rank's JIT compiled for JIT_QUIET_NANOS: at 4 ranks on
        // 2 cores the JIT, sharing the cores with 4 JVMs, took 8 s and more to settle the paths of a
        // 16 MiB allreduce (C2 compiles of Mailbox.deliver of 200-480 ms each, recompiled after
        // deoptimizations), and the calls ran 2.5-4x slower meanwhile (docs/benchmarks.md).
        long warmStart = System.nanoTime();
        int[] more = {1};
        long lastJit = jitMillis();
        long lastJitChange = warmStart;
        for (int w = 0; more[0] == 1; w++) {
            op.run();
            long now = System.nanoTime();
            long jit = jitMillis();
            if (jit != lastJit) {
                lastJit = jit;
                lastJitChange = now;
            }
            boolean compiling = JIT_QUIET_NANOS > 0 && jit >= 0 && now - lastJitChange < JIT_QUIET_NANOS;
            int[] mine = {w + 1 < Math.max(2, iters / 10) || now - warmStart < WARMUP_NANOS
                    || compiling && now - warmStart < WARMUP_MAX_NANOS ? 1 : 0};
            comm.allreduce(mine, more, ReduceOp.MAX); // every rank goes on while any one still warms up
        }
        long warmMillis = (System.nanoTime() - warmStart) / 1_000_000;
        for (int i = 0; i < iters; i++) {
            comm.barrier();
            long t0 = System.nanoTime();
            op.run();
            t[i] = System.nanoTime() - t0;
        }
        if (Boolean.getBoolean("bench.ranks")) {
            long[] s = t.clone(); // each rank's own times (the table takes the maximum), on stderr, which every rank shares
            Arrays.sort(s);
            System.err.println(String.format(Locale.ROOT, "RANK op=%s rank=%d median_us=%.2f", name, comm.rank(), s[s.length / 2] / 1e3));
        }
        long[] max = new long[iters];
        comm.allreduce(t, max, ReduceOp.MAX);
        if (comm.rank() == 0) {
            report(name, "fmi", comm.size(), bytes, max, " warmup_ms=" + warmMillis);
            if (Boolean.getBoolean("bench.trace")) {
                // -Dbench.trace=true: every timed iteration in order (maximum over ranks), to tell warm-up from stalls
                StringBuilder b = new StringBuilder("TRACE op=" + name + " procs=" + comm.size() + " bytes=" + bytes + " us=");
                for (int i = 0; i < max.length; i++) {
                    b.append(i == 0 ? "" : ",").append(max[i] / 1000);
                }
                System.out.println(b);
            }
        }
    }

    private static void report(String op, String impl, int procs, int bytes, long[] nanos) {
        report(op, impl, procs, bytes, nanos, "");
    }

    private static void report(String op, String impl, int procs, int bytes, long[] nanos, String extra) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        double median = s[s.length / 2] / 1e3;
        double p99 = s[Math.min(s.length - 1, (int) Math.ceil(s.length * 0.99) - 1)] / 1e3;
        double max = s[s.length - 1] / 1e3;
        System.out.println(String.format(Locale.ROOT, "RESULT op=%s impl=%s procs=%d bytes=%d iters=%d median_us=%.2f p99_us=%.2f max_us=%.2f%s",
                op, impl, procs, bytes, s.length, median, p99, max, extra));
        System.out.flush();
    }
}
