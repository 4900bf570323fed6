package io.fmi.channel;

import java.time.Duration;

/**
 * A point in time by which an operation must complete, on the {@link System#nanoTime()} clock.
 * Every blocking call in FMI carries one; waits use {@link #remainingNanos()}.
 * Immutable and thread-safe.
 */
public final class Deadline {
    private final long expiresAtNanos;
    private final Duration timeout;

    private Deadline(long expiresAtNanos, Duration timeout) {
        this.expiresAtNanos = expiresAtNanos;
        this.timeout = timeout;
    }

    /** A deadline {@code timeout} from now. */
    public static Deadline after(Duration timeout) {
        long nanos = saturatedNanos(timeout);
        long now = System.nanoTime();
        long at = now + nanos;
        if (at < now) {
            at = Long.MAX_VALUE;
        }
        return new Deadline(at, timeout);
    }

    private static long saturatedNanos(Duration d) {
        try {
            return Math.max(0, d.toNanos());
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 2;
        }
    }

    /** Nanoseconds left, never negative. */
    public long remainingNanos() {
        return Math.max(0, expiresAtNanos - System.nanoTime());
    }

    /** Nanoseconds since the deadline passed, 0 before it. */
    public long overdueNanos() {
        return Math.max(0, System.nanoTime() - expiresAtNanos);
    }

    /** Milliseconds left, rounded up, never negative. */
    public long remainingMillis() {
        long n = remainingNanos();
        return n / 1_000_000 + (n % 1_000_000 == 0 ? 0 : 1);
    }

    /**
     * Whether the deadline has passed.
     *
     * @return true once no time is left
     */
    public boolean expired() {
        return expiresAtNanos - System.nanoTime() <= 0;
    }

    /** The whole timeout this deadline was made from (for messages: "within 60000 ms"). */
    public Duration timeout() {
        return timeout;
    }

    @Override
    public String toString() {
        return "deadline(" + timeout.toMillis() + " ms, " + remainingMillis() + " ms left)";
    }
}
