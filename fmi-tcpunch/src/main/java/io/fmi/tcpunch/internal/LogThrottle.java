package io.fmi.tcpunch.internal;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Lets one log line through per interval and counts the ones it held back, so a flood of refused
 * clients costs the log one line per interval, not one per client. Thread-safe, lock-free.
 */
final class LogThrottle {
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong nextNanos;
    private final LongAdder held = new LongAdder();

    LogThrottle(Duration interval, LongSupplier nanoClock) {
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
        this.nextNanos = new AtomicLong(nanoClock.getAsLong());
    }

    /** -1: drop this line; otherwise log it, with this many lines dropped since the last one logged. */
    long admit() {
        long now = nanoClock.getAsLong();
        long due = nextNanos.get();
        if (now - due < 0 || !nextNanos.compareAndSet(due, now + intervalNanos)) {
            held.increment();
            return -1;
        }
        return held.sumThenReset();
    }
}
