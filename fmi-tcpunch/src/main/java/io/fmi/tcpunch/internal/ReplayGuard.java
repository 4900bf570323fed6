package io.fmi.tcpunch.internal;

import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Refuses a signed request whose timestamp is outside {@code [now - window, now + window]} or whose
 * nonce was already seen inside the window. A captured request therefore cannot be replayed: too
 * old, it fails the clock check; fresh, its nonce is remembered. Remembered nonces are forgotten
 * once their timestamp has left the window, so memory is bounded by the rate of valid signed
 * requests times twice the window, and hard-capped at {@code maxNonces}. Thread-safe.
 */
public final class ReplayGuard {

    /** What {@link #check} decided. */
    public enum Verdict { OK, STALE, REPLAYED, FULL }

    private record Entry(Key key, long expiresMillis) {
    }

    private record Key(long hi, long lo) {
    }

    private final long windowMillis;
    private final int maxNonces;
    private final LongSupplier clock;
    private final Set<Key> seen = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Entry> byExpiry = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();

    public ReplayGuard(long windowMillis, int maxNonces, LongSupplier clock) {
        this.windowMillis = windowMillis;
        this.maxNonces = maxNonces;
        this.clock = clock;
    }

    public Verdict check(long timestampMillis, byte[] nonce) {
        long now = clock.getAsLong();
        if (Math.abs(now - timestampMillis) > windowMillis) {
            return Verdict.STALE;
        }
        evictExpired(now);
        ByteBuffer b = ByteBuffer.wrap(nonce);
        Key key = new Key(b.getLong(), b.getLong());
        if (size.incrementAndGet() > maxNonces) {
            size.decrementAndGet();
            return Verdict.FULL;
        }
        if (!seen.add(key)) {
            size.decrementAndGet();
            return Verdict.REPLAYED;
        }
        // a timestamp in the future stays remembered until it has also aged out of the window
        byExpiry.add(new Entry(key, Math.max(now, timestampMillis) + windowMillis));
        return Verdict.OK;
    }

    /** Nonces currently remembered. */
    public int size() {
        return size.get();
    }

    private void evictExpired(long now) {
        // entries are added in near-expiry order; a late one only delays its followers' eviction
        for (Entry e = byExpiry.peek(); e != null && e.expiresMillis < now; e = byExpiry.peek()) {
            if (byExpiry.remove(e)) {
                seen.remove(e.key);
                size.decrementAndGet();
            }
        }
    }
}
