package io.fmi.channel;

/**
 * Agrona's back-off for a wait loop: poll in place ({@link Thread#onSpinWait()}) for
 * {@code maxSpins} empty polls, then give the core away between polls ({@link Thread#yield()}) for
 * {@code maxYields} more, and once those run out or {@code maxPollNanos} passed, tell the caller to
 * block until woken. Where Agrona's last phase parks for growing periods, here the caller blocks
 * in its selector or on its future, which the message itself wakes at once.
 *
 * <pre>
 * IdleStrategy s = IdleStrategy.backoff(100, 1000, Duration.ofMillis(1));
 * </pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class BackoffIdleStrategy implements IdleStrategy {
    /** Empty polls in place before yielding, when a backend entry gives no {@code max_spins}: {@value}. */
    public static final int DEFAULT_MAX_SPINS = 100;
    /** Empty polls with a yield in between before blocking, when a backend entry gives no {@code max_yields}: {@value}. */
    public static final int DEFAULT_MAX_YIELDS = 1000;

    private final int maxSpins;
    private final long maxYields;
    private final long maxPollNanos;

    /**
     * A back-off.
     *
     * @param maxSpins     empty polls with {@link Thread#onSpinWait()} between them, at least 0
     * @param maxYields    empty polls after those with {@link Thread#yield()} between them, at least 0
     * @param maxPollNanos how long to poll in all before blocking, at least 0
     */
    public BackoffIdleStrategy(int maxSpins, int maxYields, long maxPollNanos) {
        if (maxSpins < 0 || maxYields < 0 || maxPollNanos < 0) {
            throw new IllegalArgumentException("maxSpins: " + maxSpins + ", maxYields: " + maxYields + ", maxPollNanos: "
                    + maxPollNanos + " (expected: all >= 0)");
        }
        this.maxSpins = maxSpins;
        this.maxYields = maxYields;
        this.maxPollNanos = maxPollNanos;
    }

    @Override
    public boolean idle(Wait wait) {
        int polls = wait.polls();
        if (polls > maxSpins + maxYields || System.nanoTime() - wait.startNanos() >= maxPollNanos) {
            return false;
        }
        if (polls <= maxSpins) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
        return true;
    }

    @Override
    public String toString() {
        return maxYields == 0 && maxSpins == Integer.MAX_VALUE
                ? "spin(max_poll_us=" + maxPollNanos / 1000 + ")"
                : "backoff(max_spins=" + maxSpins + ", max_yields=" + maxYields + ", max_poll_us=" + maxPollNanos / 1000 + ")";
    }
}
