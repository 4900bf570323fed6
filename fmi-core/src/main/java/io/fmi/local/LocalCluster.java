package io.fmi.local;

import io.fmi.Communicator;
import io.fmi.FmiConfig;
import io.fmi.FmiException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs {@code n} peers of one communicator in this JVM, one thread each: for tests, demos and
 * trying FMI without any server.
 *
 * <pre>
 * List&lt;Integer&gt; sums = LocalCluster.run(4, comm -&gt; {
 *     int[] out = new int[1];
 *     comm.allreduce(new int[] {comm.rank()}, out, ReduceOp.SUM);
 *     return out[0];                               // 6 on every rank
 * });
 * </pre>
 *
 * <p>Peers talk over the in-memory channel ({@code Local}) of a fabric private to the run. With a
 * configuration, the configured backends are used as well; the in-memory channel is added unless
 * the configuration has a {@code Local} entry of its own, so
 * {@code FmiConfig.defaults().withOnly("Direct")} (with the rendezvous server's address and secret
 * in its Direct entry) runs the same peers over direct TCP and
 * {@code withOnly("LocalStore")} over the in-memory store.
 *
 * <p>When a peer's body throws, its communicator aborts (the others fail at once instead of
 * waiting out their deadlines), every peer is joined, and the first failure in time is rethrown:
 * as it is when unchecked, wrapped in {@link FmiException} otherwise. Thread-safe; each call is
 * independent.
 */
public final class LocalCluster {
    private static final AtomicInteger RUNS = new AtomicInteger();

    private LocalCluster() {
    }

    /** Runs {@code body} on {@code n} peers over the in-memory channel; returns their results in rank order. */
    public static <R> List<R> run(int n, Function<Communicator, R> body) {
        return run(FmiConfig.fromJson("{\"backends\": {\"Local\": {\"enabled\": true}}}"), n, body);
    }

    /** Runs {@code body} on {@code n} peers with {@code config}; returns their results in rank order. */
    public static <R> List<R> run(FmiConfig config, int n, Function<Communicator, R> body) {
        return run(config, n, b -> { }, body);
    }

    /**
     * Runs {@code body} on {@code n} peers; {@code customizer} may set more builder options
     * (timeout, hint, channel overrides, extra providers) for every peer.
     */
    public static <R> List<R> run(FmiConfig config, int n, Consumer<Communicator.Builder> customizer, Function<Communicator, R> body) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(body, "body");
        if (n < 1) {
            throw new IllegalArgumentException("n: " + n + " (expected: >= 1)");
        }
        FmiConfig effective = config.backend(LocalChannelProvider.BACKEND).isPresent()
                ? config
                : config.withBackend(LocalChannelProvider.BACKEND, FmiConfig.newObject().put("enabled", true));
        LocalFabric fabric = new LocalFabric();
        int run = RUNS.incrementAndGet();
        String name = "local-" + run;
        String runId = UUID.randomUUID().toString().substring(0, 8);
        List<R> results = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            results.add(null);
        }
        AtomicReference<Throwable> first = new AtomicReference<>();
        Thread[] threads = new Thread[n];
        for (int i = 0; i < n; i++) {
            int rank = i;
            threads[i] = new Thread(() -> {
                Communicator comm = null;
                try {
                    Communicator.Builder b = Communicator.builder()
                            .config(effective)
                            .name(name)
                            .runId(runId)
                            .rank(rank)
                            .size(n)
                            .channelProvider(new LocalChannelProvider(fabric))
                            .channelProvider(new LocalStoreChannelProvider(fabric));
                    customizer.accept(b);
                    comm = b.build();
                    R r = body.apply(comm);
                    synchronized (results) {
                        results.set(rank, r);
                    }
                    comm.close();
                } catch (Throwable t) {
                    first.compareAndSet(null, t);
                    if (comm != null) {
                        comm.abort(t);
                    }
                }
            }, "fmi-local-" + run + "-rank-" + rank);
            threads[i].setDaemon(true);
            threads[i].start();
        }
        boolean interrupted = false;
        for (Thread t : threads) {
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                    for (Thread u : threads) {
                        u.interrupt();
                    }
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable t = first.get();
        if (t instanceof RuntimeException) {
            throw (RuntimeException) t;
        }
        if (t instanceof Error) {
            throw (Error) t;
        }
        if (t != null) {
            throw new FmiException("a peer of the local cluster failed: " + t, t);
        }
        synchronized (results) {
            return results;
        }
    }

    /** Convenience: a timeout for every operation of every peer. */
    public static Consumer<Communicator.Builder> timeout(Duration d) {
        return b -> b.timeout(d);
    }
}
