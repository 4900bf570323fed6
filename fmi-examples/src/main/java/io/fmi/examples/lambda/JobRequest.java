package io.fmi.examples.lambda;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fmi.FmiConfig;
import io.fmi.FmiConfigException;
import io.fmi.Hint;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The event one function of a job receives:
 *
 * <pre>
 * {
 *   "rank": 3, "size": 16,                  required
 *   "name": "kmeans", "run_id": "7f3a9c",   communicator name and run (same on every function)
 *   "job": "kmeans",                        "kmeans" (default) or "allreduce"
 *   "epochs": 50, "points": 10000, "k": 3, "dims": 28, "seed": 42,
 *   "hint": "FAST",                         or "CHEAP"
 *   "safety_margin_ms": 2000,               kept free of the function's remaining time
 *   "config": { "backends": { ... } }       fmi.json content; else $FMI_CONFIG_JSON, $FMI_CONFIG (a path), defaults
 * }
 * </pre>
 *
 * Immutable.
 */
public final class JobRequest {
    private static final ObjectMapper JSON = new ObjectMapper();

    public final int rank;
    public final int size;
    public final String name;
    public final String runId;
    public final String job;
    public final int epochs;
    public final int points;
    public final int k;
    public final int dims;
    public final long seed;
    public final Hint hint;
    public final long safetyMarginMs;
    /** The {@code config} object of the event as JSON, or null. */
    public final String configJson;

    private JobRequest(Map<String, Object> e) {
        this.rank = intOf(e, "rank", null);
        this.size = intOf(e, "size", null);
        this.name = stringOf(e, "name", "fmi-job");
        this.runId = stringOf(e, "run_id", "0");
        this.job = stringOf(e, "job", "kmeans").toLowerCase(Locale.ROOT);
        this.epochs = intOf(e, "epochs", 10);
        this.points = intOf(e, "points", 10_000);
        this.k = intOf(e, "k", 3);
        this.dims = intOf(e, "dims", 28);
        this.seed = intOf(e, "seed", 42);
        this.hint = Hint.valueOf(stringOf(e, "hint", "FAST").toUpperCase(Locale.ROOT));
        this.safetyMarginMs = intOf(e, "safety_margin_ms", 2000);
        Object cfg = e.get("config");
        try {
            this.configJson = cfg == null ? null : (cfg instanceof String ? (String) cfg : JSON.writeValueAsString(cfg));
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new FmiConfigException("event.config: not serialisable: " + ex.getOriginalMessage(), ex);
        }
        if (!job.equals("kmeans") && !job.equals("allreduce")) {
            throw new FmiConfigException("event.job: '" + job + "' (expected: kmeans or allreduce)");
        }
        if (size < 1 || rank < 0 || rank >= size) {
            throw new FmiConfigException("event.rank/size: " + rank + "/" + size + " (expected: 0 <= rank < size)");
        }
        if (epochs < 1 || points < k || k < 1 || dims < 1) {
            throw new FmiConfigException("event: epochs " + epochs + ", points " + points + ", k " + k + ", dims " + dims
                    + " (expected: epochs >= 1, k >= 1, dims >= 1, points >= k)");
        }
    }

    /** Parses and validates an event; errors name the field and what was expected. */
    public static JobRequest from(Map<String, Object> event) {
        if (event == null) {
            throw new FmiConfigException("event: null (expected: an object with rank and size)");
        }
        return new JobRequest(event);
    }

    /**
     * The configuration: the event's, else the JSON in {@code $FMI_CONFIG_JSON}, else the file
     * named by {@code $FMI_CONFIG}, else the defaults.
     */
    public FmiConfig config() {
        if (configJson != null) {
            return FmiConfig.fromJson(configJson);
        }
        String inline = System.getenv("FMI_CONFIG_JSON");
        if (inline != null && !inline.isBlank()) {
            return FmiConfig.fromJson(inline);
        }
        String path = System.getenv("FMI_CONFIG");
        return path != null ? FmiConfig.load(java.nio.file.Path.of(path)) : FmiConfig.defaults();
    }

    /** The event for function {@code rank} of a job described by {@code template} (used by launchers). */
    public static Map<String, Object> forRank(Map<String, Object> template, int rank) {
        Map<String, Object> e = new LinkedHashMap<>(template);
        e.put("rank", rank);
        return e;
    }

    private static int intOf(Map<String, Object> e, String key, Integer dflt) {
        Object v = e.get(key);
        if (v == null) {
            if (dflt == null) {
                throw new FmiConfigException("event." + key + ": missing (expected: an integer)");
            }
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

    private static String stringOf(Map<String, Object> e, String key, String dflt) {
        Object v = e.get(key);
        return v == null ? dflt : v.toString();
    }
}
