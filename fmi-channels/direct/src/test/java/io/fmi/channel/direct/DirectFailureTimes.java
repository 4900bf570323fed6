package io.fmi.channel.direct;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fmi.Communicator;
import io.fmi.FmiConfig;
import io.fmi.FmiException;
import io.fmi.tcpunch.RendezvousServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Measures how long a Direct operation takes to fail, with the default settings, for each cause
 * of docs/channels-direct.md's "Time to each error": no rendezvous server, a wrong secret, a peer
 * killed with {@code kill -9}, a peer stopped with {@code SIGSTOP}. Rank 0 runs in this JVM and
 * waits in a receive with a 30 s deadline; the peer of the last two is a {@link DirectPeerProcess}.
 * Prints each run and the median of each cause; {@code bench/run-direct-failures.sh} runs it.
 *
 * <pre>
 * java -cp ... io.fmi.channel.direct.DirectFailureTimes [RUNS]     (default 5)
 * </pre>
 */
public final class DirectFailureTimes {
    private static final String SECRET = "failure-times";
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private DirectFailureTimes() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        RendezvousServer server = RendezvousServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0)
                .secret(SECRET.getBytes(StandardCharsets.UTF_8)).build().start();
        try {
            List<String> table = new ArrayList<>();
            table.add(measure("no rendezvous server", runs, DirectFailureTimes::noServer));
            table.add(measure("wrong secret", runs, () -> wrongSecret(server.port())));
            table.add(measure("kill -9 of the peer", runs, () -> killed(server.port())));
            table.add(measure("SIGSTOP of the peer", runs, () -> stopped(server.port())));
            System.out.println();
            System.out.println("| cause (defaults, deadline 30 s) | median | runs (ms) |");
            System.out.println("|---|---|---|");
            table.forEach(System.out::println);
        } finally {
            server.close();
        }
        System.exit(0);
    }

    /** One measurement: the milliseconds from the cause to the error. */
    private interface Run {
        long once() throws Exception;
    }

    private static String measure(String cause, int runs, Run run) throws Exception {
        List<Long> ms = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long took = run.once();
            System.out.printf("RESULT %s run %d: %d ms%n", cause, i + 1, took);
            ms.add(took);
        }
        List<Long> sorted = new ArrayList<>(ms);
        Collections.sort(sorted);
        long median = sorted.get(sorted.size() / 2);
        return "| " + cause + " | " + median + " ms | " + ms + " |";
    }

    private static FmiConfig config(int port, Consumer<ObjectNode> tweak) {
        ObjectNode d = FmiConfig.newObject().put("enabled", true)
                .put("host", InetAddress.getLoopbackAddress().getHostAddress()).put("port", port)
                .put("nat_probe", false).put("secret", SECRET);
        tweak.accept(d);
        return FmiConfig.defaults().withOnly("Direct").withBackend("Direct", d);
    }

    private static Communicator rank0(FmiConfig cfg, String name) {
        return Communicator.builder().config(cfg).name(name).runId("r1").rank(0).size(2).timeout(DEADLINE).build();
    }

    /** Milliseconds from {@code t0} until a receive from rank 1 fails; the error is printed. */
    private static long failingReceive(Communicator c, long t0) {
        try {
            c.recv(new int[1], 1);
        } catch (FmiException e) {
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            System.out.println("  " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return took;
        }
        throw new AssertionError("the receive succeeded");
    }

    private static long noServer() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        try (Communicator c = rank0(config(port, d -> { }), "noserver-" + UUID.randomUUID())) {
            return failingReceive(c, System.nanoTime());
        }
    }

    private static long wrongSecret(int port) {
        try (Communicator c = rank0(config(port, d -> d.put("secret", "not-the-servers-secret")), "secret-" + UUID.randomUUID())) {
            return failingReceive(c, System.nanoTime());
        }
    }

    /** Rank 1 in a JVM of its own, connected by a barrier, then idle in user code. */
    private static DirectPeerProcess.Peer peer(int port, String name) throws Exception {
        return DirectPeerProcess.start(List.of("-Xmx64m"), Integer.toString(port), SECRET, name, "1", "2", "idle", "60000");
    }

    private static long killed(int port) throws Exception {
        String name = "kill-" + UUID.randomUUID();
        try (DirectPeerProcess.Peer p = peer(port, name); Communicator c = rank0(config(port, d -> { }), name)) {
            c.barrier();
            p.await("CONNECTED", 30);
            long[] killedAt = new long[1];
            Thread killer = new Thread(() -> {
                sleep(300); // rank 0 waits in its receive by then
                killedAt[0] = System.nanoTime();
                p.process.destroyForcibly(); // SIGKILL
            });
            killer.start();
            long t0 = System.nanoTime();
            long took = failingReceive(c, t0);
            killer.join();
            return took - TimeUnit.NANOSECONDS.toMillis(killedAt[0] - t0);
        }
    }

    private static long stopped(int port) throws Exception {
        String name = "stop-" + UUID.randomUUID();
        try (DirectPeerProcess.Peer p = peer(port, name); Communicator c = rank0(config(port, d -> { }), name)) {
            c.barrier();
            p.await("CONNECTED", 30);
            long t0 = System.nanoTime();
            p.signal("STOP");
            try {
                return failingReceive(c, t0);
            } finally {
                p.signal("CONT");
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
