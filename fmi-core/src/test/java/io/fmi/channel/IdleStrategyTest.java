package io.fmi.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.BackendConfig;
import io.fmi.FmiConfig;
import io.fmi.FmiConfigException;
import io.fmi.Hint;
import io.fmi.Operation;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The fixed idle strategies, their configuration, and the wait loop of {@link Waits}. */
@Timeout(30)
class IdleStrategyTest {
    private static BackendConfig entry(String idleJson) {
        String json = "{\"backends\": {\"P\": {\"enabled\": true" + (idleJson == null ? "" : ", \"idle_strategy\": " + idleJson) + "}}}";
        return FmiConfig.fromJson(json).backend("P").orElseThrow();
    }

    @Test
    void shouldReadEachStrategyByNameAndWithParameters() {
        IdleStrategy dflt = IdleStrategy.spin(Duration.ZERO);
        assertSame(dflt, IdleStrategy.fromConfig(entry(null), dflt), "no key: the channel's default");
        assertSame(IdleStrategy.block(), IdleStrategy.fromConfig(entry("\"block\""), dflt));
        assertSame(IdleStrategy.adaptive(), IdleStrategy.fromConfig(entry("\"Adaptive\""), dflt));
        assertEquals("spin(max_poll_us=1000)", IdleStrategy.fromConfig(entry("\"spin\""), dflt).toString());
        assertEquals("spin(max_poll_us=30)", IdleStrategy.fromConfig(entry("{\"name\": \"spin\", \"max_poll_us\": 30}"), dflt).toString());
        assertEquals("backoff(max_spins=100, max_yields=1000, max_poll_us=1000)",
                IdleStrategy.fromConfig(entry("\"backoff\""), dflt).toString());
        assertEquals("backoff(max_spins=5, max_yields=7, max_poll_us=9)", IdleStrategy.fromConfig(
                entry("{\"name\": \"backoff\", \"max_spins\": 5, \"max_yields\": 7, \"max_poll_us\": 9}"), dflt).toString());
        IdleStrategy a = IdleStrategy.fromConfig(entry("{\"name\": \"adaptive\", \"max_poll_us\": 200}"), dflt);
        assertTrue(a.toString().startsWith("adaptive(max_poll_us=200;"), a.toString());
    }

    @Test
    void shouldRefuseBadSettingsNamingTheKey() {
        IdleStrategy dflt = IdleStrategy.block();
        FmiConfigException e = assertThrows(FmiConfigException.class, () -> IdleStrategy.fromConfig(entry("\"sleepy\""), dflt));
        assertEquals("backends.P.idle_strategy: 'sleepy' (expected: one of adaptive, block, spin, backoff)", e.getMessage());
        e = assertThrows(FmiConfigException.class, () -> IdleStrategy.fromConfig(entry("42"), dflt));
        assertTrue(e.getMessage().startsWith("backends.P.idle_strategy: 42 (expected: one of"), e.getMessage());
        e = assertThrows(FmiConfigException.class,
                () -> IdleStrategy.fromConfig(entry("{\"name\": \"spin\", \"max_poll_us\": -1}"), dflt));
        assertEquals("backends.P.idle_strategy.max_poll_us: -1 (expected: an integer >= 0, microseconds)", e.getMessage());
        e = assertThrows(FmiConfigException.class,
                () -> IdleStrategy.fromConfig(entry("{\"name\": \"spin\", \"max_spins\": 3}"), dflt));
        assertTrue(e.getMessage().startsWith("backends.P.idle_strategy.max_spins: not a parameter of 'spin'"), e.getMessage());
        e = assertThrows(FmiConfigException.class,
                () -> IdleStrategy.fromConfig(entry("{\"name\": \"backoff\", \"max_yields\": 1.5}"), dflt));
        assertEquals("backends.P.idle_strategy.max_yields: 1.5 (expected: an integer >= 0)", e.getMessage());
    }

    @Test
    void shouldBlockAtOnceWhenAskedTo() {
        IdleStrategy.Wait w = IdleStrategy.Wait.begin();
        assertFalse(w.idle(IdleStrategy.block()));
        assertTrue(w.blocked());
        assertEquals(1, w.polls());
    }

    @Test
    void shouldSpinThenYieldThenBlock() {
        IdleStrategy s = IdleStrategy.backoff(3, 2, Duration.ofSeconds(10));
        IdleStrategy.Wait w = IdleStrategy.Wait.begin();
        int polls = 0;
        while (w.idle(s)) {
            polls++;
        }
        assertEquals(5, polls, "3 spins and 2 yields, then block");
        w = IdleStrategy.Wait.begin();
        assertTrue(w.idle(s));
        assertTrue(w.idle(s));
        w.work();
        assertEquals(0, w.polls(), "work found: the back-off starts over");
        IdleStrategy timed = IdleStrategy.spin(Duration.ofMillis(2));
        long start = System.nanoTime();
        w = IdleStrategy.Wait.begin();
        while (w.idle(timed)) {
            // polls until the time is up
        }
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(2));
        assertThrows(IllegalArgumentException.class, () -> IdleStrategy.backoff(-1, 0, Duration.ZERO));
    }

    @Test
    void shouldPollAFutureThatCompletesWhilePolling() throws Exception {
        CompletableFuture<Void> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            LockSupportSleep.micros(200);
            f.complete(null);
        });
        FmiConfig cfg = FmiConfig.defaults().withOnly("Local");
        ChannelContext c = new ChannelContext("job", "run", 0, 2, cfg, cfg.backend("Local").orElseThrow(), "local",
                Duration.ofSeconds(30), 1024, Hint.FAST, Runnable::run, null);
        OpContext op = new OpContext(Operation.SEND, "recv", OpContext.P2P_SEQ, Deadline.after(Duration.ofSeconds(30)), c);
        t.start();
        long start = System.nanoTime();
        Waits.await(f, op, 1, "receive", 8, IdleStrategy.spin(Duration.ofSeconds(5)));
        assertTrue(f.isDone());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "found by polling, not at the end of the polling time");
        t.join();
    }

    /** Sleeps without being a busy loop itself. */
    private static final class LockSupportSleep {
        static void micros(long us) {
            java.util.concurrent.locks.LockSupport.parkNanos(us * 1000);
        }
    }
}
