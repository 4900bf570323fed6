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
 *   "job": "kmeans",             "kmeans" (default), "sort", "sgd" or "allreduce"
 *   "seed": 42,                  every job's generated data
 *   "epochs": 10, "points": 10000, "k": 3, "dims": 28         kmeans: points per function
 *   "longs": 10000000, "samples": 256                         sort: longs per job, samples per function
 *   "steps": 100, "points": 10000, "dims": 16384, "nnz": 32,  sgd: points and batch per function
 *   "batch": 500, "learning_rate": 50, "exact": false,        exact: sum in rank order (bit-identical)
 *   "report_weights": false                                   sgd: rank 0 returns the weights
 *   "exchange": "fmi", "store": "redis://..."                 sort, sgd: "storage" exchanges through the
 *                                                             Redis at "store" without FMI (the twins)
 * }
 * </pre>
 *
 * Immutable.
 */
public final class JobRequest {
    public final String job;
    public final long seed;
    public final int epochs;
    public final int points;
    public final int k;
    public final int dims;
    /** sort: longs in the whole job. */
    public final long longs;
    /** sort: samples per function. */
    public final int samples;
    /** sgd: training steps. */
    public final int steps;
    /** sgd: features per example. */
    public final int nnz;
    /** sgd: examples per function per step. */
    public final int batch;
    /** sgd: the step size. */
    public final double learningRate;
    /** sgd: sum the gradients in rank order, bit-identical to one process. */
    public final boolean exact;
    /** sgd: rank 0 returns the weights. */
    public final boolean reportWeights;
    /** {@code "fmi"} (the communicator) or {@code "storage"} (the storage-exchange twin, through {@link #store}). */
    public final String exchange;
    /** The Redis URI of the storage exchange; null unless {@link #exchange} is {@code "storage"}. */
    public final String store;

    private JobRequest(Map<String, Object> e) {
        this.job = String.valueOf(e.getOrDefault("job", "kmeans")).toLowerCase(Locale.ROOT);
        boolean sgd = job.equals("sgd");
        this.seed = longOf(e, "seed", 42);
        this.epochs = (int) longOf(e, "epochs", 10);
        this.points = (int) longOf(e, "points", 10_000);
        this.k = (int) longOf(e, "k", 3);
        this.dims = (int) longOf(e, "dims", sgd ? 16_384 : 28);
        this.longs = longOf(e, "longs", 10_000_000L);
        this.samples = (int) longOf(e, "samples", 256);
        this.steps = (int) longOf(e, "steps", 100);
        this.nnz = (int) longOf(e, "nnz", 32);
        this.batch = (int) longOf(e, "batch", 500);
        this.learningRate = doubleOf(e, "learning_rate", 50);
        this.exact = booleanOf(e, "exact");
        this.reportWeights = booleanOf(e, "report_weights");
        this.exchange = String.valueOf(e.getOrDefault("exchange", "fmi")).toLowerCase(Locale.ROOT);
        this.store = e.get("store") == null ? null : String.valueOf(e.get("store"));
        if (!exchange.equals("fmi") && !(exchange.equals("storage") && (job.equals("sort") || sgd))) {
            throw new FmiConfigException("event.exchange: '" + exchange + "' for job " + job
                    + " (expected: fmi, or storage for the jobs sort and sgd)");
        }
        if (exchange.equals("storage") && (store == null || !store.startsWith("redis"))) {
            throw new FmiConfigException("event.store: " + (store == null ? "missing" : "'" + store + "'")
                    + " (expected: the Redis URI of the storage exchange, e.g. redis://127.0.0.1:6379)");
        }
        switch (job) {
            case "kmeans":
                if (epochs < 1 || points < k || k < 1 || dims < 1) {
                    throw new FmiConfigException("event: epochs " + epochs + ", points " + points + ", k " + k + ", dims " + dims
                            + " (expected: epochs >= 1, k >= 1, dims >= 1, points >= k)");
                }
                break;
            case "sort":
                if (longs < 0 || samples < 1) {
                    throw new FmiConfigException("event: longs " + longs + ", samples " + samples + " (expected: longs >= 0, samples >= 1)");
                }
                break;
            case "sgd":
                if (steps < 1 || points < 1 || dims < 1 || nnz < 1 || batch < 1 || !(learningRate > 0)) {
                    throw new FmiConfigException("event: steps " + steps + ", points " + points + ", dims " + dims + ", nnz " + nnz
                            + ", batch " + batch + ", learning_rate " + learningRate
                            + " (expected: steps, points, dims, nnz and batch >= 1, learning_rate > 0)");
                }
                break;
            case "allreduce":
                break;
            default:
                throw new FmiConfigException("event.job: '" + job + "' (expected: kmeans, sort, sgd or allreduce)");
        }
    }

    /** Parses and validates the example's keys of an event; errors name the key and what was expected. */
    public static JobRequest from(Map<String, Object> event) {
        if (event == null) {
            throw new FmiConfigException("event: null (expected: an object with rank, size and run_id)");
        }
        return new JobRequest(event);
    }

    private static long longOf(Map<String, Object> e, String key, long dflt) {
        Object v = e.get(key);
        if (v == null) {
            return dflt;
        }
        long n;
        if (v instanceof Number && ((Number) v).doubleValue() == ((Number) v).longValue()) {
            n = ((Number) v).longValue();
        } else {
            try {
                n = Long.parseLong(v.toString().trim());
            } catch (NumberFormatException ex) {
                throw new FmiConfigException("event." + key + ": '" + v + "' (expected: an integer)");
            }
        }
        if (!key.equals("seed") && !key.equals("longs") && (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE)) {
            throw new FmiConfigException("event." + key + ": " + n + " (expected: an integer of at most " + Integer.MAX_VALUE + ")");
        }
        return n;
    }

    private static double doubleOf(Map<String, Object> e, String key, double dflt) {
        Object v = e.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Number) {
            return ((Number) v).doubleValue();
        }
        try {
            return Double.parseDouble(v.toString().trim());
        } catch (NumberFormatException ex) {
            throw new FmiConfigException("event." + key + ": '" + v + "' (expected: a number)");
        }
    }

    private static boolean booleanOf(Map<String, Object> e, String key) {
        Object v = e.get(key);
        if (v == null || v instanceof Boolean) {
            return Boolean.TRUE.equals(v);
        }
        String s = v.toString().trim().toLowerCase(Locale.ROOT);
        if (!s.equals("true") && !s.equals("false")) {
            throw new FmiConfigException("event." + key + ": '" + v + "' (expected: true or false)");
        }
        return s.equals("true");
    }
}
