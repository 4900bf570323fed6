package io.fmi.examples.lambda;

import io.fmi.FmiConfigException;
import java.util.Locale;
import java.util.Map;

/**
 * The example's own keys of an event; {@link io.fmi.lambda.FmiLambda} reads the rest
 * ({@code rank}, {@code size}, {@code run_id}, {@code name}, {@code config}, ...):
 *
 * <pre>
 * {
 *   "job": "kmeans",                        "kmeans" (default) or "allreduce"
 *   "epochs": 10, "points": 10000, "k": 3, "dims": 28, "seed": 42     K-means: per function
 * }
 * </pre>
 *
 * Immutable.
 */
public final class JobRequest {
    public final String job;
    public final int epochs;
    public final int points;
    public final int k;
    public final int dims;
    public final long seed;

    private JobRequest(Map<String, Object> e) {
        this.job = String.valueOf(e.getOrDefault("job", "kmeans")).toLowerCase(Locale.ROOT);
        this.epochs = intOf(e, "epochs", 10);
        this.points = intOf(e, "points", 10_000);
        this.k = intOf(e, "k", 3);
        this.dims = intOf(e, "dims", 28);
        this.seed = intOf(e, "seed", 42);
        if (!job.equals("kmeans") && !job.equals("allreduce")) {
            throw new FmiConfigException("event.job: '" + job + "' (expected: kmeans or allreduce)");
        }
        if (epochs < 1 || points < k || k < 1 || dims < 1) {
            throw new FmiConfigException("event: epochs " + epochs + ", points " + points + ", k " + k + ", dims " + dims
                    + " (expected: epochs >= 1, k >= 1, dims >= 1, points >= k)");
        }
    }

    /** Parses and validates the example's keys of an event; errors name the key and what was expected. */
    public static JobRequest from(Map<String, Object> event) {
        if (event == null) {
            throw new FmiConfigException("event: null (expected: an object with rank, size and run_id)");
        }
        return new JobRequest(event);
    }

    private static int intOf(Map<String, Object> e, String key, int dflt) {
        Object v = e.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Number) {
            return ((Number) v).intValue();
        }
        try {
            return Integer.parseInt(v.toString().trim());
        } catch (NumberFormatException ex) {
            throw new FmiConfigException("event." + key + ": '" + v + "' (expected: an integer)");
        }
    }
}
