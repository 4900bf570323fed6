package io.fmi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Optional;

/**
 * One entry of the {@code "backends"} section of {@code fmi.json}, e.g.
 * {@code "Redis": {"enabled": true, "host": "127.0.0.1", "port": 6379, "max_timeout": 60000}}.
 *
 * <p>Keys keep the C++ FMI's names; an entry without {@code "enabled"} counts as disabled. Keys
 * this library does not know are kept, so channels from outside can read their own settings.
 * Immutable: the accessors return copies of the underlying JSON.
 */
public final class BackendConfig {
    /** Operation deadline when neither the builder nor {@code max_timeout} sets one: 60 s (the C++ FMI's 1 s breaks on cold starts). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final String name;
    private final ObjectNode node;

    BackendConfig(String name, ObjectNode node) {
        this.name = name;
        this.node = node.deepCopy();
    }

    /**
     * The backend's name as written in the file, e.g. {@code "Direct"}, {@code "S3"}.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Whether the entry says {@code "enabled": true}; an entry without the key is disabled.
     *
     * @return true when the backend may be used
     */
    public boolean enabled() {
        JsonNode n = node.get("enabled");
        return n != null && n.asBoolean(false);
    }

    /**
     * Whether {@code key} is present with a non-null value.
     *
     * @param key the key, e.g. {@code "host"}
     * @return true when the entry sets it
     */
    public boolean has(String key) {
        return node.hasNonNull(key);
    }

    /**
     * The value of {@code key} as text, numbers and booleans included.
     *
     * @param key the key
     * @return its text, or empty when absent or null
     */
    public Optional<String> string(String key) {
        JsonNode n = node.get(key);
        return n == null || n.isNull() ? Optional.empty() : Optional.of(n.asText());
    }

    /**
     * The value of {@code key} as text, or a default.
     *
     * @param key the key
     * @param defaultValue returned when the key is absent or null
     * @return its text or {@code defaultValue}
     */
    public String string(String key, String defaultValue) {
        return string(key).orElse(defaultValue);
    }

    /**
     * The value of {@code key} as a 32-bit integer (a number or a string of digits), or a default.
     *
     * @param key the key
     * @param defaultValue returned when the key is absent or null
     * @return its value or {@code defaultValue}
     * @throws FmiConfigException naming {@code backends.<name>.<key>} when it is not an integer or does not fit
     *         32 bits
     */
    public int integer(String key, int defaultValue) {
        long v = longValue(key, defaultValue);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new FmiConfigException("backends." + name + "." + key + ": " + v + " (expected: a 32-bit integer)");
        }
        return (int) v;
    }

    /**
     * The value of {@code key} as a 64-bit integer (a number or a string of digits), or a default.
     *
     * @param key the key
     * @param defaultValue returned when the key is absent or null
     * @return its value or {@code defaultValue}
     * @throws FmiConfigException naming {@code backends.<name>.<key>} when it is not an integer
     */
    public long longValue(String key, long defaultValue) {
        JsonNode n = node.get(key);
        if (n == null || n.isNull()) {
            return defaultValue;
        }
        if (!n.isNumber() && !(n.isTextual() && n.asText().matches("-?\\d+"))) {
            throw new FmiConfigException("backends." + name + "." + key + ": '" + n.asText() + "' (expected: an integer)");
        }
        return n.asLong();
    }

    /**
     * The value of {@code key} as a number, or a default.
     *
     * @param key the key
     * @param defaultValue returned when the key is absent or null
     * @return its value or {@code defaultValue}
     * @throws FmiConfigException naming {@code backends.<name>.<key>} when it is not a number
     */
    public double number(String key, double defaultValue) {
        JsonNode n = node.get(key);
        if (n == null || n.isNull()) {
            return defaultValue;
        }
        if (!n.isNumber()) {
            throw new FmiConfigException("backends." + name + "." + key + ": '" + n.asText() + "' (expected: a number)");
        }
        return n.asDouble();
    }

    /**
     * The value of {@code key} as a boolean ({@code true}/{@code false}, or text of them), or a default.
     *
     * @param key the key
     * @param defaultValue returned when the key is absent, null or not a boolean
     * @return its value or {@code defaultValue}
     */
    public boolean bool(String key, boolean defaultValue) {
        JsonNode n = node.get(key);
        return n == null || n.isNull() ? defaultValue : n.asBoolean(defaultValue);
    }

    /**
     * The operation deadline this backend asks for: {@code max_timeout} in milliseconds (the C++
     * FMI's key), else {@link #DEFAULT_TIMEOUT}.
     *
     * @return the deadline of one operation
     * @throws FmiConfigException when {@code max_timeout} is not a positive integer
     */
    public Duration maxTimeout() {
        long ms = longValue("max_timeout", DEFAULT_TIMEOUT.toMillis());
        if (ms <= 0) {
            throw new FmiConfigException("backends." + name + ".max_timeout: " + ms + " (expected: > 0 ms)");
        }
        return Duration.ofMillis(ms);
    }

    /**
     * A copy of the raw JSON object.
     *
     * @return the entry's JSON
     */
    public ObjectNode json() {
        return node.deepCopy();
    }

    @Override
    public String toString() {
        return name + json().toString().replaceAll("\"(secret|password|auth|token|secret_key)[^\"]*\"\\s*:\\s*\"[^\"]*\"", "\"$1\":\"***\"");
    }
}
