package io.fmi.channel.direct;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fmi.Communicator;
import io.fmi.FmiConfig;
import io.fmi.FmiException;
import io.fmi.ReduceOp;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One rank of a Direct job in a JVM of its own, for tests that need a real process: one to stop
 * ({@code SIGSTOP}) or kill ({@code SIGKILL}), or one with a small heap. It prints what it does on
 * standard output, one line each ({@code CONNECTED}, {@code OK ...}, {@code FAILED ...}); the test
 * reads them (see {@link #start}).
 *
 * <pre>
 * java -Xmx48m -cp ... io.fmi.channel.direct.DirectPeerProcess PORT SECRET NAME RANK SIZE MODE [ARG] [KEY=VALUE ...]
 *   idle MS           barrier, then MS in user code (no FMI call), then send 42 to rank 0 and wait for its reply
 *   close             barrier, then close the communicator and wait (for a test that reads "closed" on the other side)
 *   allreduce BYTES   allreduce of BYTES of doubles, three times, results checked
 *   sendrecv BYTES    twice: rank 0 sends BYTES (the first time as its first message, while the connection
 *                     opens); rank 1 posts its receive late, first one of 1 KiB (must fail: the size), then
 *                     the right one; checked
 * KEY=VALUE sets a key of the Direct entry (numbers as numbers)
 * </pre>
 */
public final class DirectPeerProcess {
    private DirectPeerProcess() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String secret = args[1];
        String name = args[2];
        int rank = Integer.parseInt(args[3]);
        int size = Integer.parseInt(args[4]);
        String mode = args[5];
        String arg = args.length > 6 && !args[6].contains("=") ? args[6] : "0";
        ObjectNode d = FmiConfig.newObject().put("enabled", true).put("host", "127.0.0.1").put("port", port)
                .put("nat_probe", false).put("secret", secret).put("max_timeout", 30_000);
        for (int i = 6; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq > 0) {
                String v = args[i].substring(eq + 1);
                if (v.matches("-?\\d+")) {
                    d.put(args[i].substring(0, eq), Long.parseLong(v));
                } else {
                    d.put(args[i].substring(0, eq), v);
                }
            }
        }
        FmiConfig cfg = FmiConfig.defaults().withOnly("Direct").withBackend("Direct", d);
        try (Communicator comm = Communicator.builder().config(cfg).name(name).rank(rank).size(size)
                .timeout(Duration.ofSeconds(30)).build()) {
            switch (mode) {
                case "idle":
                    comm.barrier();
                    say("CONNECTED");
                    Thread.sleep(Long.parseLong(arg)); // user code: no FMI call
                    comm.send(new int[] {42}, 0);
                    int[] reply = new int[1];
                    comm.recv(reply, 0);
                    say("OK reply " + reply[0]);
                    break;
                case "close":
                    comm.barrier();
                    say("CONNECTED");
                    comm.close();
                    say("CLOSED");
                    Thread.sleep(30_000);
                    break;
                case "allreduce":
                    allreduce(comm, Integer.parseInt(arg));
                    break;
                case "sendrecv":
                    sendrecv(comm, Integer.parseInt(arg));
                    break;
                default:
                    throw new IllegalArgumentException("mode " + mode);
            }
        } catch (Throwable t) {
            say("FAILED " + t);
            System.out.flush();
            System.exit(1);
        }
        System.exit(0);
    }

    private static void allreduce(Communicator comm, int bytes) {
        double[] send = new double[bytes / 8];
        double[] recv = new double[send.length];
        for (int it = 0; it < 3; it++) {
            Arrays.fill(send, comm.rank() + it);
            comm.allreduce(send, recv, ReduceOp.SUM);
            double want = 0;
            for (int r = 0; r < comm.size(); r++) {
                want += r + it;
            }
            if (recv[0] != want || recv[recv.length - 1] != want || recv[recv.length / 2] != want) {
                throw new AssertionError("allreduce " + it + ": " + recv[0] + " (expected " + want + ")");
            }
        }
        say("OK allreduce of " + bytes + " bytes in a heap of " + maxHeapMiB() + " MiB");
    }

    private static void sendrecv(Communicator comm, int bytes) throws InterruptedException {
        byte[] buf = new byte[bytes];
        for (int round = 0; round < 2; round++) {
            if (comm.rank() == 0) {
                fill(buf, round);
                // round 0: the first message, sent while the connection opens; round 1: before rank 1 receives
                comm.send(buf, 1);
                int[] ack = new int[1];
                comm.recv(ack, 1);
                continue;
            }
            Thread.sleep(500); // round 1: the message is announced and waits for a receive meanwhile
            try {
                comm.recv(new byte[1024], 0);
                throw new AssertionError("a 1 KiB receive took a message of " + bytes + " bytes");
            } catch (FmiException e) {
                if (!e.getMessage().contains(bytes + " bytes") || !e.getMessage().contains("1024 bytes")) {
                    throw new AssertionError("unexpected error: " + e, e);
                }
            }
            comm.recv(buf, 0);
            check(buf, round);
            comm.send(new int[] {1}, 0);
        }
        say("OK " + (comm.rank() == 0 ? "sent" : "received, after a 1 KiB receive failed,") + " twice " + bytes
                + " bytes in a heap of " + maxHeapMiB() + " MiB");
    }

    private static void fill(byte[] b, int round) {
        for (int i = 0; i < b.length; i += 4096) {
            b[i] = (byte) (i / 4096 + round);
        }
        b[b.length - 1] = (byte) (7 + round);
    }

    private static void check(byte[] b, int round) {
        for (int i = 0; i < b.length - 1; i += 4096) {
            if (b[i] != (byte) (i / 4096 + round)) {
                throw new AssertionError("round " + round + ", byte " + i + ": " + b[i]);
            }
        }
        if (b[b.length - 1] != (byte) (7 + round)) {
            throw new AssertionError("round " + round + ", last byte " + b[b.length - 1]);
        }
    }

    private static long maxHeapMiB() {
        return Runtime.getRuntime().maxMemory() >> 20;
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    // ---------------------------------------------------------------- for the tests

    /** A running peer process and the lines it printed. */
    static final class Peer implements AutoCloseable {
        final Process process;
        private final List<String> lines = new ArrayList<>();
        private final Thread reader;

        Peer(Process process) {
            this.process = process;
            this.reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        synchronized (lines) {
                            lines.add(line);
                            lines.notifyAll();
                        }
                    }
                } catch (IOException e) {
                    // the process ended
                }
            }, "peer-output");
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits up to {@code seconds} for a line starting with {@code prefix}; returns it, or fails with everything printed. */
        String await(String prefix, long seconds) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            synchronized (lines) {
                while (true) {
                    for (String l : lines) {
                        if (l.startsWith(prefix)) {
                            return l;
                        }
                    }
                    long left = end - System.nanoTime();
                    if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
                        throw new AssertionError("no line '" + prefix + "' from the peer process within " + seconds
                                + " s; it printed: " + lines + (process.isAlive() ? "" : ", exit " + process.exitValue()));
                    }
                    lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)))));
                }
            }
        }

        /** Sends {@code signal} (e.g. "STOP", "CONT", "KILL") to the process. */
        void signal(String signal) throws IOException, InterruptedException {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IOException("kill -" + signal + " " + process.pid() + " failed");
            }
        }

        @Override
        public void close() {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Starts a peer: {@code jvmArgs} (e.g. "-Xmx48m") then the arguments of {@link #main}. Its
     * standard error goes to this JVM's.
     */
    static Peer start(List<String> jvmArgs, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(DirectPeerProcess.class.getName());
        cmd.addAll(Arrays.asList(args));
        return new Peer(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start());
    }
}
