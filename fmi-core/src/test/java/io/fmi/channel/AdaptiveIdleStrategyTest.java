package io.fmi.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adaptive idle strategy: it never polls without a core of its own, stops polling when its
 * pollers do not get to run (real threads outnumbering this machine's cores), and polls again once
 * that passed.
 */
@Timeout(60)
class AdaptiveIdleStrategyTest {
    private static final long WINDOW = TimeUnit.MILLISECONDS.toNanos(AdaptiveIdleStrategy.WINDOW_MILLIS);

    private static AdaptiveIdleStrategy withCores(double cores) {
        CpuBudget b = CpuBudget.observe(Path.of("/nonexistent"), Map.of("AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                Integer.toString((int) Math.round(cores * CpuBudget.LAMBDA_MB_PER_VCPU))), 64);
        return new AdaptiveIdleStrategy(b, IdleStrategy.DEFAULT_MAX_POLL.toNanos(), () -> 0L);
    }

    @Test
    void shouldNeverPollWithLessThanACore() {
        AdaptiveIdleStrategy s = withCores(0.5);
        assertFalse(s.polling());
        IdleStrategy.Wait w = IdleStrategy.Wait.begin();
        assertFalse(w.idle(s), "the first empty poll already blocks");
        assertTrue(w.blocked());
    }

    @Test
    void shouldPollWithACoreUntilTheMaximumPollingTime() {
        AdaptiveIdleStrategy s = withCores(1);
        assertTrue(s.polling());
        IdleStrategy.Wait w = IdleStrategy.Wait.begin();
        long start = System.nanoTime();
        int polls = 0;
        while (w.idle(s)) {
            polls++;
        }
        long took = System.nanoTime() - start;
        assertTrue(took >= IdleStrategy.DEFAULT_MAX_POLL.toNanos(), "polled " + took + " ns");
        assertTrue(polls > 10, polls + " polls");
    }

    @Test
    void shouldStopPollingAfterAContendedWindowAndPollAgainLater() throws InterruptedException {
        AdaptiveIdleStrategy s = withCores(2);
        s.record(WINDOW / 2, WINDOW / 2);
        s.record(WINDOW / 2, WINDOW / 2);
        assertTrue(s.polling(), "a window in which pollers ran all the time");
        long t0 = System.nanoTime();
        s.record(WINDOW, WINDOW / 2);
        assertFalse(s.polling(), "pollers ran half of the time: cores are contended");
        assertEquals(1, s.contendedWindows());
        IdleStrategy.Wait w = IdleStrategy.Wait.begin();
        assertFalse(w.idle(s), "no polling while backing off");
        long first = untilPolling(s, t0);
        assertTrue(first >= AdaptiveIdleStrategy.MIN_BACKOFF_MILLIS, "backed off for " + first + " ms");
        t0 = System.nanoTime();
        s.record(WINDOW, WINDOW / 2);
        long second = untilPolling(s, t0);
        assertTrue(second >= 2 * AdaptiveIdleStrategy.MIN_BACKOFF_MILLIS,
                "a second contended window in a row backs off twice as long: " + second + " ms");
        s.record(WINDOW, WINDOW);
        t0 = System.nanoTime();
        s.record(WINDOW, WINDOW / 2);
        long reset = untilPolling(s, t0);
        assertTrue(reset >= AdaptiveIdleStrategy.MIN_BACKOFF_MILLIS && reset < 2 * AdaptiveIdleStrategy.MIN_BACKOFF_MILLIS + 1000,
                "a calm window resets the back-off: " + reset + " ms");
    }

    @Test
    void shouldKeepPollingWhileWaitsAreServedOnABusyHost() {
        AdaptiveIdleStrategy s = withCores(2);
        for (int i = 0; i < 4; i++) {
            s.record(WINDOW / 2, WINDOW / 4, true); // ran a quarter of the time, but the message came while polling
        }
        s.record(WINDOW / 2, WINDOW / 4, false);
        assertTrue(s.polling(), "pollers ran little, yet most waits were served while polling: other jobs, not the peer");
        assertEquals(0, s.contendedWindows());
        s.record(WINDOW, WINDOW / 4, false);
        s.record(WINDOW, WINDOW / 4, false);
        assertFalse(s.polling(), "pollers ran little and their waits gave up: the peer shares the core");
    }

    /** Milliseconds from {@code start} until {@code s} polls again. */
    private static long untilPolling(AdaptiveIdleStrategy s, long start) throws InterruptedException {
        while (!s.polling()) {
            Thread.sleep(1);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    /**
     * More polling threads than this machine has cores, each waiting for something that never
     * comes: they cannot all run, and the strategy must see it from their CPU clocks.
     */
    @Test
    void shouldSeeThreadsOutnumberingTheCores() throws InterruptedException {
        AdaptiveIdleStrategy s = new AdaptiveIdleStrategy(CpuBudget.observe(Path.of("/nonexistent"), Map.of(), 64),
                IdleStrategy.DEFAULT_MAX_POLL.toNanos(), () -> java.lang.management.ManagementFactory.getThreadMXBean()
                        .getCurrentThreadCpuTime());
        int threads = 3 * Runtime.getRuntime().availableProcessors();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    IdleStrategy.Wait w = IdleStrategy.Wait.begin();
                    while (w.idle(s)) {
                        // nothing arrives
                    }
                    if (!s.polling()) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // "blocked until woken"
                    }
                }
            }, "poller-" + i);
            t.start();
            ts.add(t);
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (s.contendedWindows() == 0 && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        stop.set(true);
        for (Thread t : ts) {
            t.join();
        }
        assertTrue(s.contendedWindows() > 0, threads + " pollers on " + Runtime.getRuntime().availableProcessors()
                + " cores were not seen to contend");
    }

    /**
     * A real cgroup (v1 {@code cpu} controller, as on these machines) with a quota of half a CPU: a
     * JVM started inside it sees half a core and its adaptive strategy never polls. Needs root and a
     * writable cgroup file system; skipped without them, failed with {@code CI=true}.
     */
    @Test
    void shouldNotPollInACgroupWithHalfACpu(@TempDir Path tmp) throws Exception {
        Path cpu = Path.of("/sys/fs/cgroup/cpu");
        Path group = cpu.resolve("fmi-idle-test-" + ProcessHandle.current().pid());
        try {
            Files.createDirectories(group);
            Files.writeString(group.resolve("cpu.cfs_period_us"), "100000");
            Files.writeString(group.resolve("cpu.cfs_quota_us"), "50000");
        } catch (IOException | UnsupportedOperationException e) {
            String why = "cannot create a cgroup with a CPU quota at " + group + ": " + e;
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true but " + why);
            }
            Assumptions.abort(why + " (run as root with cgroup v1's cpu controller mounted)");
        }
        try {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String cmd = "echo $$ > " + group.resolve("cgroup.procs") + " && exec " + java + " -cp '"
                    + System.getProperty("java.class.path") + "' " + CpuBudgetProbe.class.getName();
            Process p = new ProcessBuilder("sh", "-c", cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "probe finished");
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.endsWith("cpus=0.50 polling=false source=cgroup CPU quota of 0.50 cores"), out);
        } finally {
            Files.deleteIfExists(group); // rmdir of an empty cgroup: the probe has exited
        }
    }
}
