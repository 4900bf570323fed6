package io.fmi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.local.LocalCluster;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Who owns the threads: what FMI creates it shuts down at close, what the caller passes in stays
 * the caller's and is used.
 */
@Timeout(60)
class ResourcesTest {

    @ParameterizedTest
    @ValueSource(strings = {"Local", "LocalStore"})
    void shouldLeaveNoThreadOfItsOwnBehindAfterClose(String backend) throws InterruptedException {
        awaitNoFmiThreads(); // earlier tests' threads end first
        LocalCluster.run(FmiConfig.defaults().withOnly(backend), 3, comm -> {
            int[] out = new int[1];
            // non-blocking operations start the communicator's executor and a receive waits on the sweeper
            CompletableFuture<Void> f = comm.iallreduce(new int[] {1}, out, ReduceOp.SUM);
            f.join();
            int[] in = new int[1];
            CompletableFuture<Void> r = comm.irecv(in, (comm.rank() + 2) % 3);
            comm.send(new int[] {comm.rank()}, (comm.rank() + 1) % 3);
            r.join();
            assertEquals(3, out[0]);
            return null;
        });
        Set<String> left = awaitNoFmiThreads();
        assertEquals(Set.of(), left, "threads of FMI still alive after every communicator closed");
    }

    @Test
    void shouldCompleteFuturesOnTheCallersExecutorAndLeaveItRunning() {
        AtomicInteger made = new AtomicInteger();
        ExecutorService mine = Executors.newCachedThreadPool(r -> new Thread(r, "mine-" + made.incrementAndGet()));
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, r -> new Thread(r, "my-timer"));
        timers.setRemoveOnCancelPolicy(true);
        Set<String> completedOn = ConcurrentHashMap.newKeySet();
        try {
            List<Integer> sums = LocalCluster.run(FmiConfig.defaults().withOnly("LocalStore"), 2,
                    b -> b.executor(mine).scheduler(timers), comm -> {
                        int[] out = new int[1];
                        comm.iallreduce(new int[] {comm.rank() + 1}, out, ReduceOp.SUM)
                                .thenRun(() -> completedOn.add(Thread.currentThread().getName())).join();
                        return out[0];
                    });
            assertEquals(List.of(3, 3), sums);
            assertFalse(completedOn.isEmpty());
            completedOn.forEach(t -> assertTrue(t.startsWith("mine-"), "future completed on " + t));
            assertFalse(mine.isShutdown(), "the caller's executor was shut down");
            assertFalse(timers.isShutdown(), "the caller's scheduler was shut down");
            assertEquals(0, timers.getQueue().size(), "timers of closed communicators still scheduled: " + timers.getQueue());
        } finally {
            mine.shutdownNow();
            timers.shutdownNow();
        }
    }

    @Test
    void shouldSweepDeadlinesOnTheCallersScheduler() {
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, r -> new Thread(r, "my-timer"));
        timers.setRemoveOnCancelPolicy(true);
        try {
            List<String> errors = LocalCluster.run(FmiConfig.defaults().withOnly("Local"), 2,
                    b -> b.scheduler(timers).timeout(java.time.Duration.ofMillis(200)), comm -> {
                        if (comm.rank() == 0) {
                            long t0 = System.nanoTime();
                            FmiTimeoutException e = org.junit.jupiter.api.Assertions.assertThrows(FmiTimeoutException.class,
                                    () -> comm.recv(new int[1], 1));
                            long ms = (System.nanoTime() - t0) / 1_000_000;
                            assertTrue(ms >= 150 && ms < 5_000, "timed out after " + ms + " ms");
                            return e.getMessage();
                        }
                        return "";
                    });
            assertTrue(errors.get(0).contains("200 ms"), errors.get(0));
        } finally {
            timers.shutdownNow();
        }
    }

    /** Waits up to 5 s for FMI's own threads to end; returns the names of those still alive. */
    private static Set<String> awaitNoFmiThreads() throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        Set<String> alive;
        do {
            alive = new TreeSet<>();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.isAlive() && t.getName().startsWith("fmi-")) {
                    alive.add(t.getName());
                }
            }
            if (alive.isEmpty()) {
                return alive;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < end);
        return alive;
    }
}
