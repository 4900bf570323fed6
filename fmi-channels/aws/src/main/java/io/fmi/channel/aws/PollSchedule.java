package io.fmi.channel.aws;

import io.fmi.BackendConfig;
import io.fmi.FmiConfigException;
import io.fmi.channel.OpContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * How often a peer asks a store that cannot block (S3, DynamoDB) whether an object exists: first
 * at once, then after {@code interval}, each wait {@code factor} times the last, never more than
 * {@code max}. The schedule of one object survives the channel's repeated short waits on it (the
 * base class waits in slices to check for aborted peers), so the back-off keeps growing while the
 * object is absent and starts over for the next one.
 *
 * <p>Configuration: {@code timeout} (ms; the C++ FMI's poll interval) sets {@code interval}, else
 * the channel's default; {@code poll_backoff} the factor (default {@value #DEFAULT_FACTOR});
 * {@code poll_max_ms} the cap (default {@value #DEFAULT_MAX_MS} ms). Thread-safe.
 */
public final class PollSchedule {
    /** Factor by which the wait grows while an object is absent: {@value}. */
    public static final double DEFAULT_FACTOR = 1.5;
    /** The longest wait between two polls of one object, in milliseconds: {@value}. */
    public static final long DEFAULT_MAX_MS = 1000;
    /** Objects tracked at once; beyond it (only after many abandoned waits) the schedules start over. */
    private static final int MAX_TRACKED = 10_000;

    private final long intervalNanos;
    private final double factor;
    private final long maxNanos;
    private final Map<String, Long> next = new ConcurrentHashMap<>();

    /**
     * A schedule that starts at {@code interval} and grows by {@code factor} up to {@code max}.
     *
     * @param interval the first wait
     * @param factor growth per poll, at least 1
     * @param max the longest wait; raised to {@code interval} when below it
     */
    public PollSchedule(Duration interval, double factor, Duration max) {
        this.intervalNanos = interval.toNanos();
        this.factor = factor;
        this.maxNanos = Math.max(max.toNanos(), intervalNanos);
    }

    /**
     * The schedule of a channel: the backend's {@code timeout} when set, else the cost model's
     * poll interval ({@link io.fmi.model.PollIntervalModel}: the interval that minimises request
     * fees plus the function's waiting GiB-seconds, for this function's memory), else
     * {@code fallback} when the configuration has no model for this backend.
     *
     * @param context the channel's communicator and configuration
     * @param fallback the interval when nothing else sets one
     * @return the channel's schedule
     * @throws FmiConfigException naming the key when the backend's poll settings are invalid
     */
    public static PollSchedule forChannel(io.fmi.channel.ChannelContext context, Duration fallback) {
        Duration modelled;
        try {
            modelled = io.fmi.model.PollIntervalModel.forBackend(context.config(), context.backend().name(), context.functionMemoryMiB());
        } catch (io.fmi.FmiConfigException e) {
            modelled = fallback;
        }
        return from(context.backend(), modelled);
    }

    /**
     * The schedule backend {@code b} configures.
     *
     * @param b the backend's entry
     * @param defaultInterval the interval when it sets no {@code timeout}
     * @return the schedule
     * @throws FmiConfigException naming the key when {@code timeout}, {@code poll_backoff} or
     *         {@code poll_max_ms} is out of range
     */
    public static PollSchedule from(BackendConfig b, Duration defaultInterval) {
        String p = "backends." + b.name() + ".";
        long ms = b.longValue("timeout", -1);
        Duration interval = ms < 0 ? defaultInterval : Duration.ofMillis(ms);
        if (ms == 0 || interval.isZero() || interval.isNegative()) {
            throw new FmiConfigException(p + "timeout: " + interval.toMillis() + " (expected: a poll interval > 0 ms)");
        }
        double factor = b.number("poll_backoff", DEFAULT_FACTOR);
        if (factor < 1 || factor > 10) {
            throw new FmiConfigException(p + "poll_backoff: " + factor + " (expected: 1..10)");
        }
        long max = b.longValue("poll_max_ms", Math.max(DEFAULT_MAX_MS, interval.toMillis()));
        if (max < interval.toMillis()) {
            throw new FmiConfigException(p + "poll_max_ms: " + max + " (expected: >= the poll interval, " + interval.toMillis() + " ms)");
        }
        return new PollSchedule(interval, factor, Duration.ofMillis(max));
    }

    /**
     * The first wait.
     *
     * @return the poll interval
     */
    public Duration interval() {
        return Duration.ofNanos(intervalNanos);
    }

    /**
     * The longest wait.
     *
     * @return the cap of the back-off
     */
    public Duration max() {
        return Duration.ofNanos(maxNanos);
    }

    /** How long to wait before asking for {@code key} again; grows with each call. */
    public long nextWaitNanos(String key) {
        if (next.size() > MAX_TRACKED) {
            next.clear();
        }
        long wait = next.getOrDefault(key, intervalNanos);
        next.put(key, Math.min(maxNanos, (long) (wait * factor)));
        return wait;
    }

    /**
     * Asks {@code probe} for {@code key} until it answers non-null or {@code waitNanos} passed,
     * sleeping between asks as scheduled; with {@code waitNanos <= 0} asks once.
     */
    public <T> T await(String key, long waitNanos, OpContext op, Supplier<T> probe) {
        long end = System.nanoTime() + waitNanos;
        while (true) {
            T v = probe.get();
            if (v != null) {
                found(key);
                return v;
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            long wait = Math.min(left, nextWaitNanos(key));
            AwsCalls.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)), op);
        }
    }

    /** {@code key} was found: forget its schedule. */
    public void found(String key) {
        next.remove(key);
    }

    @Override
    public String toString() {
        return "poll every " + interval().toMillis() + " ms, x" + factor + " up to " + max().toMillis() + " ms";
    }
}
