package io.fmi.channel;

import com.fasterxml.jackson.databind.JsonNode;
import io.fmi.BackendConfig;
import io.fmi.FmiConfigException;
import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;

/** Reads {@value IdleStrategy#CONFIG_KEY} from a backend entry ({@link IdleStrategy#fromConfig}). */
final class IdleStrategyConfig {
    /** The names a backend entry may give. */
    static final String NAMES = "adaptive, block, spin, backoff";

    private IdleStrategyConfig() {
    }

    static IdleStrategy parse(BackendConfig backend, IdleStrategy otherwise) {
        JsonNode n = backend.json().get(IdleStrategy.CONFIG_KEY);
        if (n == null || n.isNull()) {
            return otherwise;
        }
        String where = "backends." + backend.name() + "." + IdleStrategy.CONFIG_KEY;
        String name;
        if (n.isTextual()) {
            name = n.asText().toLowerCase(Locale.ROOT);
        } else if (n.isObject() && n.hasNonNull("name") && n.get("name").isTextual()) {
            name = n.get("name").asText().toLowerCase(Locale.ROOT);
        } else {
            throw new FmiConfigException(where + ": " + n + " (expected: one of " + NAMES
                    + ", or an object with \"name\" and its parameters)");
        }
        Duration maxPoll = Duration.ofNanos(1000 * micros(n, where, "max_poll_us", IdleStrategy.DEFAULT_MAX_POLL.toNanos() / 1000));
        IdleStrategy s;
        switch (name) {
            case "block":
                s = IdleStrategy.block();
                break;
            case "spin":
                s = IdleStrategy.spin(maxPoll);
                break;
            case "backoff":
                s = IdleStrategy.backoff(count(n, where, "max_spins", BackoffIdleStrategy.DEFAULT_MAX_SPINS),
                        count(n, where, "max_yields", BackoffIdleStrategy.DEFAULT_MAX_YIELDS), maxPoll);
                break;
            case "adaptive":
                s = maxPoll.equals(IdleStrategy.DEFAULT_MAX_POLL) ? IdleStrategy.adaptive() : AdaptiveIdleStrategy.withMaxPoll(maxPoll);
                break;
            default:
                throw new FmiConfigException(where + ": '" + name + "' (expected: one of " + NAMES + ")");
        }
        rejectUnknown(n, where, name);
        return s;
    }

    private static long micros(JsonNode n, String where, String key, long otherwise) {
        if (!n.isObject() || !n.hasNonNull(key)) {
            return otherwise;
        }
        JsonNode v = n.get(key);
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0 || v.asLong() > Long.MAX_VALUE / 1000) {
            throw new FmiConfigException(where + "." + key + ": " + v + " (expected: an integer >= 0, microseconds)");
        }
        return v.asLong();
    }

    private static int count(JsonNode n, String where, String key, int otherwise) {
        if (!n.isObject() || !n.hasNonNull(key)) {
            return otherwise;
        }
        JsonNode v = n.get(key);
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
            throw new FmiConfigException(where + "." + key + ": " + v + " (expected: an integer >= 0)");
        }
        return v.asInt();
    }

    /** A misspelt or misplaced parameter is an error, not silently ignored. */
    private static void rejectUnknown(JsonNode n, String where, String name) {
        if (!n.isObject()) {
            return;
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            boolean known = k.equals("name")
                    || k.equals("max_poll_us") && !name.equals("block")
                    || (k.equals("max_spins") || k.equals("max_yields")) && name.equals("backoff");
            if (!known) {
                throw new FmiConfigException(where + "." + k + ": not a parameter of '" + name
                        + "' (expected: max_poll_us for spin and adaptive; max_spins, max_yields and max_poll_us for backoff)");
            }
        }
    }
}
