package io.fmi.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.ChannelException;
import io.fmi.FmiConfig;
import io.fmi.FmiConfigException;
import io.fmi.Hint;
import io.fmi.Operation;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The claims and the liveness verdicts of {@link StoreMembership}, over an in-memory map with the
 * semantics the stores give (create-if-absent, overwrite, read); the stores themselves are tested
 * in their modules against real servers.
 */
@Timeout(30)
class StoreMembershipTest {
    private final ExecutorService executor = Executors.newCachedThreadPool();

    /** A map store, remembering the abort markers it was asked to write. */
    private static class MapRecords implements StoreMembership.Records {
        final Map<String, byte[]> map = new ConcurrentHashMap<>();
        final List<String> aborts = new CopyOnWriteArrayList<>();

        @Override
        public boolean create(String key, byte[] value, OpContext op) {
            return map.putIfAbsent(key, value) == null;
        }

        @Override
        public void write(String key, byte[] value, OpContext op) {
            map.put(key, value);
        }

        @Override
        public byte[] read(String key, OpContext op) {
            return map.get(key);
        }

        @Override
        public void abortRun(int failed, String why) {
            aborts.add("rank " + failed + ": " + why);
        }

        String text(String key) {
            byte[] v = map.get(key);
            return v == null ? null : new String(v, StandardCharsets.US_ASCII);
        }
    }

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    private ChannelContext context(int rank) {
        FmiConfig cfg = FmiConfig.fromJson("{\"backends\": {\"Store\": {\"enabled\": true}}}");
        return new ChannelContext("job", "run-1", rank, 2, cfg, cfg.backend("Store").orElseThrow(), "store",
                Duration.ofSeconds(5), 1024, Hint.FAST, executor, null);
    }

    private StoreMembership member(MapRecords store, int rank, long livenessMs, long heartbeatMs) {
        return new StoreMembership(context(rank), store, r -> "job/run-1/member/" + r,
                Duration.ofMillis(livenessMs), Duration.ofMillis(heartbeatMs));
    }

    private OpContext op(int rank) {
        return new OpContext(Operation.SEND, "recv", OpContext.P2P_SEQ, Deadline.after(Duration.ofSeconds(5)), context(rank));
    }

    @Test
    void shouldRefuseASecondProcessForAHeldRankAndFailTheRunWhenBothJustStarted() {
        MapRecords store = new MapRecords();
        member(store, 0, 0, 1).join(op(0));
        ChannelException e = assertThrows(ChannelException.class, () -> member(store, 0, 0, 1).join(op(0)));
        assertTrue(e.getMessage().contains("another job with communicator name 'job' and run id 'run-1'")
                && e.getMessage().contains("rank 0 on store") && e.getMessage().contains("member record job/run-1/member/0"), e.getMessage());
        // The holder had not beaten yet: a launch started together with the loser's, so the run fails for both.
        assertEquals(1, store.aborts.size(), store.aborts.toString());
        assertTrue(store.aborts.get(0).contains("started together"), store.aborts.get(0));
    }

    @Test
    void shouldLeaveASettledJobBeWhenALateDuplicateIsRefused() throws Exception {
        MapRecords store = new MapRecords();
        StoreMembership holder = member(store, 0, 300, 20);
        holder.join(op(0));
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!store.text("job/run-1/member/0").contains("beat=" + StoreMembership.SETTLED_BEATS) && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        assertThrows(ChannelException.class, () -> member(store, 0, 300, 20).join(op(0)));
        assertEquals(List.of(), store.aborts, "a settled job is not failed by a late duplicate");
        holder.leave(false);
        assertThrows(ChannelException.class, () -> member(store, 0, 300, 20).join(op(0)), "a rerun with a used run id");
        assertEquals(List.of(), store.aborts);
    }

    @Test
    void shouldTakeItsOwnRecordForItsOwnWhenACreateWasRepeated() {
        MapRecords store = new MapRecords();
        StoreMembership m = member(store, 1, 0, 1);
        // As when the first create's reply was lost and the retry found the record it had made.
        MapRecords repeated = new MapRecords() {
            @Override
            public boolean create(String key, byte[] value, OpContext op) {
                store.create(key, value, op);
                return false;
            }

            @Override
            public byte[] read(String key, OpContext op) {
                return store.read(key, op);
            }
        };
        new StoreMembership(context(1), repeated, r -> "job/run-1/member/" + r, Duration.ZERO, Duration.ofMillis(1)).join(op(1));
        assertTrue(store.text("job/run-1/member/1").contains("state=open"));
        assertThrows(ChannelException.class, () -> m.join(op(1)), "another process still cannot take it");
    }

    @Test
    void shouldReportAbsentAliveClosingClosedAndAbortedPeers() {
        MapRecords store = new MapRecords();
        StoreMembership watcher = member(store, 0, 0, 1);
        assertEquals(StoreMembership.State.ABSENT, watcher.check(1, op(0)).state);
        assertTrue(watcher.lastSeen(1).contains("rank 1 has not opened the store channel"), watcher.lastSeen(1));
        StoreMembership peer = member(store, 1, 0, 1);
        peer.join(op(1));
        assertEquals(StoreMembership.State.ALIVE, watcher.check(1, op(0)).state);
        peer.closing();
        assertEquals(StoreMembership.State.CLOSING, watcher.check(1, op(0)).state);
        peer.leave(false);
        assertEquals(StoreMembership.State.CLOSED, watcher.check(1, op(0)).state);
        StoreMembership aborted = member(store, 0, 0, 1);
        aborted.join(op(0));
        aborted.leave(true);
        assertEquals(StoreMembership.State.ABORTED, member(store, 1, 0, 1).check(0, op(1)).state);
    }

    @Test
    void shouldFindAPeerSilentOnlyAfterItsHeartbeatStoppedForTheWindow() throws Exception {
        MapRecords store = new MapRecords();
        StoreMembership peer = member(store, 1, 400, 50);
        peer.join(op(1));
        StoreMembership watcher = member(store, 0, 400, 50);
        long end = System.nanoTime() + Duration.ofMillis(1200).toNanos();
        while (System.nanoTime() < end) {
            assertEquals(StoreMembership.State.ALIVE, watcher.check(1, op(0)).state, "while it beats: " + watcher.lastSeen(1));
            Thread.sleep(100);
        }
        // Stopped without a word, as a killed or frozen process: its record stays open and stops moving.
        String last = store.text("job/run-1/member/1");
        peer.leave(false);
        Thread.sleep(100); // a beat already handed to the executor lands before the record is put back
        store.map.put("job/run-1/member/1", last.getBytes(StandardCharsets.US_ASCII));
        StoreMembership.Status s = watchUntilSilent(watcher);
        assertTrue(s.detail.contains("sent no heartbeat for") && s.detail.contains("backends.Store.liveness_ms = 400"), s.detail);
    }

    /** Checks rank 1 every 50 ms until it is no longer alive; asserts it is found silent after a window of 400 ms. */
    private StoreMembership.Status watchUntilSilent(StoreMembership watcher) throws InterruptedException {
        long t0 = System.nanoTime();
        StoreMembership.Status s;
        do {
            Thread.sleep(50);
            s = watcher.check(1, op(0));
        } while (s.state == StoreMembership.State.ALIVE && System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(StoreMembership.State.SILENT, s.state, s.detail);
        assertTrue(ms >= 300 && ms < 1000, "found silent after " + ms + " ms of watching (window 400 ms)");
        return s;
    }

    @Test
    void shouldNotTakeAStoreThatDidNotAnswerForSilentPeers() throws Exception {
        MapRecords store = new MapRecords();
        // A peer whose record stopped moving: it beat once, then nothing reached the store.
        StoreMembership peer = member(store, 1, 0, 1);
        peer.join(op(1));
        java.util.concurrent.atomic.AtomicLong outage = new java.util.concurrent.atomic.AtomicLong();
        MapRecords slow = new MapRecords() {
            @Override
            public byte[] read(String key, OpContext op) {
                long ms = outage.getAndSet(0);
                if (ms > 0) {
                    try {
                        Thread.sleep(ms); // the store does not answer; the read is retried until it does
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return store.read(key, op);
            }
        };
        StoreMembership watcher = new StoreMembership(context(0), slow, r -> "job/run-1/member/" + r,
                Duration.ofMillis(400), Duration.ofMillis(50));
        assertEquals(StoreMembership.State.ALIVE, watcher.check(1, op(0)).state);
        // The store stops answering for longer than the window, within one read: the peer's beats could not land either.
        outage.set(StoreMembership.MIN_BLIND_MS + 300);
        StoreMembership.Status after = watcher.check(1, op(0));
        assertEquals(StoreMembership.State.ALIVE, after.state, "right after the outage: " + after.detail);
        // No check at all for as long (the waiter itself did not run): the same.
        Thread.sleep(StoreMembership.MIN_BLIND_MS + 300);
        after = watcher.check(1, op(0));
        assertEquals(StoreMembership.State.ALIVE, after.state, "after a stretch without checks: " + after.detail);
        // Watched again without a gap, the peer that still does not beat is found silent after the window.
        watchUntilSilent(watcher);
    }

    @Test
    void shouldRejectAHeartbeatThatLeavesNoRoomForALateBeat() {
        FmiConfig cfg = FmiConfig.fromJson("{\"backends\": {\"Store\": {\"enabled\": true, \"liveness_ms\": 1000, \"heartbeat_ms\": 600}}}");
        FmiConfigException e = assertThrows(FmiConfigException.class, () -> StoreMembership.heartbeat(
                cfg.backend("Store").orElseThrow(), StoreMembership.liveness(cfg.backend("Store").orElseThrow())));
        assertTrue(e.getMessage().contains("backends.Store.heartbeat_ms: 600") && e.getMessage().contains("liveness_ms = 1000"), e.getMessage());
        FmiConfig off = FmiConfig.fromJson("{\"backends\": {\"Store\": {\"enabled\": true, \"liveness_ms\": 0}}}");
        assertEquals(Duration.ZERO, StoreMembership.liveness(off.backend("Store").orElseThrow()));
    }
}
