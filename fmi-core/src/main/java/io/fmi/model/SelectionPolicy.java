package io.fmi.model;

import io.fmi.Hint;
import io.fmi.Operation;
import java.util.Comparator;
import java.util.List;

/**
 * Chooses a channel from the estimates of every usable channel. The default,
 * {@link #BY_HINT}, takes the lowest latency for {@link Hint#FAST} and the lowest total cost for
 * {@link Hint#CHEAP}.
 *
 * <p>A policy must be a pure function of its arguments: every peer calls it on its own and all
 * must pick the same channel without talking. No clocks, no randomness, no per-peer state.
 * {@code estimates} come in the selector's tie-break order (the providers' ranks, see
 * {@link io.fmi.channel.ChannelProvider#tieBreakRank()}), so "the first of the best" is the same
 * everywhere.
 *
 * <pre>
 * // The cheapest channel whose latency is at most 50 ms, else the fastest.
 * SelectionPolicy p = (op, bytes, size, hint, estimates) -&gt; estimates.stream()
 *         .filter(e -&gt; e.latencySeconds() &lt;= 0.050)
 *         .min(Comparator.comparingDouble(Estimate::totalUsd))
 *         .orElseGet(() -&gt; SelectionPolicy.FASTEST.choose(op, bytes, size, hint, estimates))
 *         .channel();
 * </pre>
 */
@FunctionalInterface
public interface SelectionPolicy {
    /** Lowest latency; ties go to the earlier channel. */
    SelectionPolicy FASTEST = (op, bytes, size, hint, estimates) -> first(estimates,
            Comparator.comparingDouble(Estimate::latencySeconds).thenComparingDouble(Estimate::totalUsd));

    /** Lowest total cost; ties go to the faster, then to the earlier channel. */
    SelectionPolicy CHEAPEST = (op, bytes, size, hint, estimates) -> first(estimates,
            Comparator.comparingDouble(Estimate::totalUsd).thenComparingDouble(Estimate::latencySeconds));

    /** {@link #FASTEST} for {@link Hint#FAST}, {@link #CHEAPEST} for {@link Hint#CHEAP}. */
    SelectionPolicy BY_HINT = (op, bytes, size, hint, estimates) ->
            (hint == Hint.CHEAP ? CHEAPEST : FASTEST).choose(op, bytes, size, hint, estimates);

    /**
     * The channel for {@code op}.
     *
     * @param estimates one per usable channel, in tie-break order, never empty
     * @return the {@link Estimate#channel()} of one of {@code estimates}
     */
    String choose(Operation op, long bytes, int size, Hint hint, List<Estimate> estimates);

    /** The channel of the first estimate that no later one beats under {@code order}. */
    static String first(List<Estimate> estimates, Comparator<Estimate> order) {
        Estimate best = estimates.get(0);
        for (Estimate e : estimates) {
            if (order.compare(e, best) < 0) {
                best = e;
            }
        }
        return best.channel();
    }
}
