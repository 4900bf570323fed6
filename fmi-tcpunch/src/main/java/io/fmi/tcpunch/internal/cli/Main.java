package io.fmi.tcpunch.internal.cli;

import io.fmi.tcpunch.HolePunchClient;
import io.fmi.tcpunch.PunchException;
import io.fmi.tcpunch.PunchedConnection;
import io.fmi.tcpunch.RendezvousServer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar fmi-tcpunch.jar server|probe|loadgen ...}. Exit codes: 0 success, 1 failure,
 * 2 usage error. Every command takes the shared secret from {@code --secret-file}, {@code --secret}
 * or the {@code FMI_SECRET} environment variable, and never prints it; {@code server} refuses to
 * start without one unless given {@code --insecure}.
 */
public final class Main {
    static final String USAGE = String.join("\n",
            "usage: java -jar fmi-tcpunch.jar COMMAND [OPTIONS]",
            "  server  --port 10000 (--secret-file F | --secret S | FMI_SECRET=S | --insecure)",
            "          [--probe-port P|--no-probe-port] [--bind ADDR]",
            "          [--ttl SECONDS] [--max-pending N] [--max-connections N] [--max-relays N]",
            "          [--max-connections-per-address N] [--max-pending-per-address N]",
            "          [--workers N] [--stats-interval SECONDS] [--no-legacy]",
            "  probe   --server HOST:PORT --name NAME [--secret-file F | --secret S] [--timeout SECONDS]",
            "          [--id ID --peer-id ID] [--direct-timeout SECONDS] [--relay-only]",
            "  loadgen --server HOST:PORT [--pending N | --flood N] [--seconds S] [--concurrency N]",
            "          [--secret-file F | --secret S]",
            "The secret is read from --secret-file (trailing newlines stripped), --secret, or else the",
            "FMI_SECRET environment variable; prefer the file or the variable, --secret shows in the process list.",
            "--max-connections defaults to what the open file limit (ulimit -n) leaves, at most 65536; a larger",
            "value than that fails at start. Per source address (IPv4, or IPv6 /64): 8192 connections and 4096",
            "pending registrations, or a quarter and an eighth of --max-connections if less.");

    private Main() {
    }

    /** Runs a command and exits with its code. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, System.getenv()));
    }

    static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            (args.length == 0 ? err : out).println(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        try {
            switch (args[0]) {
                case "server":
                    return server(new Args(args, 1, Set.of("port", "probe-port", "bind", "secret-file", "secret", "ttl",
                            "max-pending", "max-connections", "max-relays", "workers", "stats-interval",
                            "max-connections-per-address", "max-pending-per-address"),
                            Set.of("no-legacy", "no-probe-port", "insecure")), out, err, env);
                case "probe":
                    Args p = new Args(args, 1, Set.of("server", "name", "secret-file", "secret", "timeout", "id", "peer-id",
                            "direct-timeout"), Set.of("relay-only"));
                    return probe(p, secretBytes(p, env, err), out, err);
                case "loadgen":
                    Args l = new Args(args, 1, Set.of("server", "pending", "flood", "seconds", "concurrency", "secret-file",
                            "secret"), Set.of());
                    return LoadGenerator.run(l, secretBytes(l, env, err), out);
                default:
                    throw new Args.UsageException("unknown command: " + args[0]);
            }
        } catch (Args.UsageException | IllegalArgumentException e) {
            // IllegalArgumentException: a builder refused a value, e.g. --max-connections 0
            err.println("error: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
    }

    private static Args.Secret secret(Args a, Map<String, String> env, PrintStream err) {
        Args.Secret s = a.secret(env);
        if (s != null && a.flag("secret")) {
            err.println("warning: --secret shows the secret in the process list; prefer --secret-file or " + Args.SECRET_ENV);
        }
        return s;
    }

    private static byte[] secretBytes(Args a, Map<String, String> env, PrintStream err) {
        Args.Secret s = secret(a, env, err);
        return s == null ? null : s.bytes();
    }

    private static int server(Args a, PrintStream out, PrintStream err, Map<String, String> env) {
        int port = a.integer("port", RendezvousServer.DEFAULT_PORT);
        Args.Secret secret = secret(a, env, err);
        boolean insecure = a.flag("insecure");
        if (secret == null && !insecure) {
            throw new Args.UsageException("server: no shared secret: pass --secret-file FILE (or --secret, or set "
                    + Args.SECRET_ENV + "), or --insecure to let anyone who reaches the port register and pair");
        }
        if (secret != null && insecure) {
            throw new Args.UsageException("server: --insecure with a secret from " + secret.source()
                    + " (expected: one of them)");
        }
        RendezvousServer.Builder b = RendezvousServer.builder().port(port).secret(secret == null ? null : secret.bytes())
                .insecure(insecure)
                .registrationTtl(Duration.ofMillis((long) (a.number("ttl", 60) * 1000)))
                .maxPending(a.integer("max-pending", RendezvousServer.DEFAULT_MAX_PENDING))
                .maxRelays(a.integer("max-relays", RendezvousServer.DEFAULT_MAX_RELAYS))
                .workerThreads(a.integer("workers", 0));
        // unset limits stay unset: the builder derives them from the open file limit
        if (a.string("max-connections", null) != null) {
            b.maxConnections(a.integer("max-connections", 0));
        }
        if (a.string("max-connections-per-address", null) != null) {
            b.maxConnectionsPerAddress(a.integer("max-connections-per-address", 0));
        }
        if (a.string("max-pending-per-address", null) != null) {
            b.maxPendingPerAddress(a.integer("max-pending-per-address", 0));
        }
        if (a.flag("no-probe-port")) {
            b.noProbePort();
        } else if (a.string("probe-port", null) != null) {
            b.probePort(a.integer("probe-port", 0));
        }
        if (a.string("bind", null) != null) {
            try {
                b.bindAddress(InetAddress.getByName(a.string("bind", null)));
            } catch (java.net.UnknownHostException e) {
                throw new Args.UsageException("--bind: cannot resolve '" + a.string("bind", null) + "'");
            }
        }
        if (a.flag("no-legacy")) {
            b.legacyTcpunch(false);
        }
        RendezvousServer server;
        try {
            server = b.build().start();
        } catch (IllegalStateException e) {
            out.flush();
            err.println("error: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("stopping: " + server.stats().toLine());
            server.close();
            out.println("stopped");
            out.flush();
            stopped.countDown();
        }, "fmi-tcpunch-shutdown"));
        out.println("fmi-tcpunch server ready on port " + server.port() + " (probe port " + server.probePort()
                + (secret != null ? ", secret from " + secret.source() : ", INSECURE: no secret, anyone may register")
                + "; max connections " + server.maxConnections() + openFileLimit() + ", per address "
                + server.maxConnectionsPerAddress() + " connections and " + server.maxPendingPerAddress() + " pending)");
        out.flush();
        long intervalMs = (long) (a.number("stats-interval", 60) * 1000);
        try {
            while (!stopped.await(intervalMs, TimeUnit.MILLISECONDS)) {
                out.println("stats: " + server.stats().toLine() + " cpu_ms=" + processCpuMillis());
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static String openFileLimit() {
        java.util.OptionalLong limit = io.fmi.tcpunch.internal.OpenFileLimit.current();
        return limit.isPresent() ? " of RLIMIT_NOFILE " + limit.getAsLong() : "";
    }

    /** CPU time of this process so far (all threads), for the benchmark's pairings per CPU-second. */
    private static long processCpuMillis() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean
                ? ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() / 1_000_000 : -1;
    }

    private static int probe(Args a, byte[] secret, PrintStream out, PrintStream err) {
        InetSocketAddress server = a.endpoint("server");
        String name = a.required("name");
        String id = a.string("id", Long.toHexString(ThreadLocalRandom.current().nextLong()));
        String peerId = a.string("peer-id", HolePunchClient.ANY_PEER);
        Duration timeout = Duration.ofMillis((long) (a.number("timeout", 30) * 1000));
        HolePunchClient.Builder b = HolePunchClient.builder().server(server).secret(secret)
                .direct(!a.flag("relay-only"));
        if (a.string("direct-timeout", null) != null) {
            b.directTimeout(Duration.ofMillis((long) (a.number("direct-timeout", 3) * 1000)));
        }
        long start = System.nanoTime();
        try (HolePunchClient client = b.build()) {
            CompletableFuture<String> reply = new CompletableFuture<>();
            PunchedConnection c = client.connect(name, id, peerId, timeout, ch -> ch.pipeline().addLast(
                    new SimpleChannelInboundHandler<ByteBuf>() {
                        private final StringBuilder line = new StringBuilder();

                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                            line.append(msg.toString(StandardCharsets.UTF_8));
                            int nl = line.indexOf("\n");
                            if (nl >= 0) {
                                reply.complete(line.substring(0, nl));
                            }
                        }

                        @Override
                        public void channelInactive(ChannelHandlerContext ctx) {
                            reply.completeExceptionally(new IllegalStateException("peer closed the connection"));
                        }
                    })).join();
            long connectedNanos = System.nanoTime() - start;
            c.channel().writeAndFlush(Unpooled.copiedBuffer("fmi-probe " + id + "\n", StandardCharsets.UTF_8));
            String line = reply.get(Math.max(1, timeout.toMillis() - TimeUnit.NANOSECONDS.toMillis(connectedNanos)),
                    TimeUnit.MILLISECONDS);
            if (!line.startsWith("fmi-probe ")) {
                err.println("probe failed: peer sent '" + line + "' (expected: 'fmi-probe <id>')");
                return 1;
            }
            long totalMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            // the peer reads our line too; give it a moment before the close reaches it
            c.channel().eventLoop().schedule(() -> c.channel().close(), 200, TimeUnit.MILLISECONDS).await(1000);
            out.println(c.path().word() + " " + totalMs + " ms (connected in " + c.elapsed().toMillis()
                    + " ms, peer " + line.substring("fmi-probe ".length()) + " at " + c.channel().remoteAddress() + ")");
            return 0;
        } catch (CompletionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            String reason = cause instanceof PunchException ? ((PunchException) cause).reason() + ": " : "";
            err.println("probe failed: " + reason + cause.getMessage());
            return 1;
        } catch (java.util.concurrent.TimeoutException e) {
            err.println("probe failed: connected, but no message from the peer within " + timeout);
            return 1;
        } catch (Exception e) {
            err.println("probe failed: " + e);
            return 1;
        }
    }
}
