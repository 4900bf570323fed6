package io.fmi.bench;

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
 * java -cp ... io.fmi.bench.DirectBench launch --cpus 0,1 --procs 2,4,8 [--spin-us 50] [--io-threads 1]
 *     [--quick] [--only pingpong|collectives] [--jvm-arg -Xlog:gc ...]
 * </pre>
 *
 * The launcher starts a rendezvous server in its own JVM and the ranks as separate JVMs, each under
 * {@code taskset -c <cpus>}; rank 0 prints {@code RESULT} lines that the launcher prints as a table.
 * Ping-pong runs FMI and a blocking java.nio socket pair in the same processes, one after the other.
 */
public final class DirectBench {
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
        String spinUs = "50";
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
        try (RendezvousServer server = RendezvousServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0).build().start()) {
            Settings st = new Settings(cpus, spinUs, ioThreads, quick, jvmArgs);
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
            List<String> cmd = new ArrayList<>(List.of("taskset", "-c", st.cpus, java, "-Xms512m", "-Xmx" + (n > 4 ? "768m" : "1g"),
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
        int spinUs = Integer.parseInt(a[7]);
        boolean quick = Boolean.parseBoolean(a[8]);
        int ioThreads = Integer.parseInt(a[9]);
        var direct = FmiConfig.newObject()
                .put("enabled", true).put("host", "127.0.0.1").put("port", serverPort).put("max_timeout", 120_000)
                .put("nat_probe", false).put("io_threads", ioThreads).put("spin_us", spinUs).put("eager_connect", true);
        // Further keys of the Direct entry: -Dbench.direct.<key>=<value> (JVM_ARGS of run-direct.sh).
        for (String k : System.getProperties().stringPropertyNames()) {
            if (k.startsWith("bench.direct.")) {
                String v = System.getProperty(k);
                String key = k.substring("bench.direct.".length());
                if (v.equals("true") || v.equals("false")) {
                    direct.put(key, Boolean.parseBoolean(v));
                } else if (v.matches("-?\\d+")) {
                    direct.put(key, Long.parseLong(v));
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

    private static void pingPong(Communicator comm, int rawPort, boolean quick) throws IOException {
        int rank = comm.rank();
        // FMI first, then raw NIO in the same processes; each starts with untimed round trips to warm up the JIT.
        byte[] warm = new byte[8];
        for (int i = 0; i < WARMUP_ROUND_TRIPS; i++) {
            if (rank == 0) {
                comm.send(warm, 1);
                comm.recv(warm, 1);
            } else {
                comm.recv(warm, 0);
                comm.send(warm, 0);
            }
        }
        for (int size : PP_SIZES) {
            int iters = iterations(size, quick);
            byte[] buf = new byte[size];
            long[] rtt = new long[iters];
            for (int i = -iters / 10 - 10; i < iters; i++) {
                long t0 = System.nanoTime();
                if (rank == 0) {
                    comm.send(buf, 1);
                    comm.recv(buf, 1);
                } else {
                    comm.recv(buf, 0);
                    comm.send(buf, 0);
                }
                if (i >= 0) {
                    rtt[i] = System.nanoTime() - t0;
                }
            }
            if (rank == 0) {
                report("pingpong", "fmi", 2, size, rtt);
            }
        }
        byte[] big = new byte[BW_SIZE];
        int bwIters = quick ? 3 : 10;
        long[] bw = new long[bwIters];
        for (int i = -2; i < bwIters; i++) {
            long t0 = System.nanoTime();
            if (rank == 0) {
                comm.send(big, 1);
                comm.recv(big, 1);
            } else {
                comm.recv(big, 0);
                comm.send(big, 0);
            }
            if (i >= 0) {
                bw[i] = System.nanoTime() - t0;
            }
        }
        if (rank == 0) {
            report("bandwidth", "fmi", 2, BW_SIZE, bw);
        }
        comm.barrier();
        rawNio(comm, rawPort, quick, bwIters);
    }

    private static void rawNio(Communicator comm, int rawPort, boolean quick, int bwIters) throws IOException {
        int rank = comm.rank();
        SocketChannel ch;
        if (rank == 0) {
            try (ServerSocketChannel ss = ServerSocketChannel.open()) {
                ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), rawPort));
                comm.barrier();
                ch = ss.accept();
            }
        } else {
            comm.barrier();
            ch = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), rawPort));
        }
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        try (SocketChannel c = ch) {
            ByteBuffer warm = ByteBuffer.allocate(8);
            for (int i = 0; i < WARMUP_ROUND_TRIPS; i++) {
                if (rank == 0) {
                    write(c, warm);
                    read(c, warm);
                } else {
                    read(c, warm);
                    write(c, warm);
                }
            }
            for (int size : PP_SIZES) {
                int iters = iterations(size, quick);
                ByteBuffer buf = ByteBuffer.allocate(size);
                long[] rtt = new long[iters];
                for (int i = -iters / 10 - 10; i < iters; i++) {
                    long t0 = System.nanoTime();
                    if (rank == 0) {
                        write(c, buf);
                        read(c, buf);
                    } else {
                        read(c, buf);
                        write(c, buf);
                    }
                    if (i >= 0) {
                        rtt[i] = System.nanoTime() - t0;
                    }
                }
                if (rank == 0) {
                    report("pingpong", "nio", 2, size, rtt);
                }
            }
            ByteBuffer big = ByteBuffer.allocate(BW_SIZE);
            long[] bw = new long[bwIters];
            for (int i = -2; i < bwIters; i++) {
                long t0 = System.nanoTime();
                if (rank == 0) {
                    write(c, big);
                    read(c, big);
                } else {
                    read(c, big);
                    write(c, big);
                }
                if (i >= 0) {
                    bw[i] = System.nanoTime() - t0;
                }
            }
            if (rank == 0) {
                report("bandwidth", "nio", 2, BW_SIZE, bw);
            }
        }
    }

    private static void write(SocketChannel c, ByteBuffer b) throws IOException {
        b.clear();
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    private static void read(SocketChannel c, ByteBuffer b) throws IOException {
        b.clear();
        while (b.hasRemaining()) {
            if (c.read(b) < 0) {
                throw new IOException("peer closed");
            }
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

    private static void osu(Communicator comm, String name, int bytes, int iters, Op op) {
        long[] t = new long[iters];
        for (int i = -Math.max(2, iters / 10); i < iters; i++) {
            comm.barrier();
            long t0 = System.nanoTime();
            op.run();
            if (i >= 0) {
                t[i] = System.nanoTime() - t0;
            }
        }
        long[] max = new long[iters];
        comm.allreduce(t, max, ReduceOp.MAX);
        if (comm.rank() == 0) {
            report(name, "fmi", comm.size(), bytes, max);
        }
    }

    private static void report(String op, String impl, int procs, int bytes, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        double median = s[s.length / 2] / 1e3;
        double p99 = s[Math.min(s.length - 1, (int) Math.ceil(s.length * 0.99) - 1)] / 1e3;
        double max = s[s.length - 1] / 1e3;
        System.out.println(String.format(Locale.ROOT, "RESULT op=%s impl=%s procs=%d bytes=%d iters=%d median_us=%.2f p99_us=%.2f max_us=%.2f",
                op, impl, procs, bytes, s.length, median, p99, max));
        System.out.flush();
    }
}
