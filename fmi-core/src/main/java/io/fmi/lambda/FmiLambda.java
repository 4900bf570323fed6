package io.fmi.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import io.fmi.BackendConfig;
import io.fmi.Communicator;
import io.fmi.FmiConfig;
import io.fmi.FmiConfigException;
import io.fmi.Hint;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The communicator of one function of a job on AWS Lambda, from the invocation's event and
 * {@link Context}. A launcher invokes N functions at once with the same event, each with its own
 * {@code rank}; each function calls {@link #communicator}:
 *
 * <pre>
 * public final class Handler extends FmiJsonHandler {
 *     protected Object handle(Map&lt;String, Object&gt; event, Context context) {
 *         try (Communicator comm = FmiLambda.communicator(event, context)) {
 *             long[] sum = new long[1];
 *             comm.allreduce(new long[] {comm.rank() + 1}, sum, ReduceOp.SUM);
 *             return sum[0];
 *         }
 *     }
 * }
 * </pre>
 *
 * <h2>Event keys</h2>
 * <table>
 *   <caption>What FmiLambda reads from the event; other keys are the handler's own</caption>
 *   <tr><th>key</th><th></th><th>meaning</th></tr>
 *   <tr><td>{@value #RANK}</td><td>required</td><td>this function's rank, {@code 0 <= rank < size}</td></tr>
 *   <tr><td>{@value #SIZE}</td><td>required</td><td>the number of functions of the job</td></tr>
 *   <tr><td>{@value #RUN_ID}</td><td>required</td><td>identifies this run of the job, the same on every
 *       function and new for every run (the launcher makes one, e.g. a UUID): a rerun never meets
 *       the keys or pairings of an earlier run; 1-64 characters of {@code A-Z a-z 0-9 . _ -}</td></tr>
 *   <tr><td>{@value #NAME}</td><td>optional</td><td>the communicator's name; the function's name by default</td></tr>
 *   <tr><td>{@value #CONFIG}</td><td>optional</td><td>the {@code fmi.json} content, as an object or as JSON text</td></tr>
 *   <tr><td>{@value #HINT}</td><td>optional</td><td>{@code FAST} (default) or {@code CHEAP}</td></tr>
 *   <tr><td>{@value #TIMEOUT_MS}</td><td>optional</td><td>deadline of each blocking operation; by default each channel's {@code max_timeout}</td></tr>
 *   <tr><td>{@value #SAFETY_MARGIN_MS}</td><td>optional</td><td>time kept free at the end of the function, 2000 by default</td></tr>
 * </table>
 * Numbers may be JSON numbers or strings of digits. A missing or bad key fails with an
 * {@link FmiConfigException} that names it ({@code event.run_id: missing (expected: ...)}).
 *
 * <h2>What comes from where</h2>
 * <ul>
 *   <li>Configuration: the event's {@value #CONFIG}, else the environment variable
 *       {@value #ENV_CONFIG_JSON} (the {@code fmi.json} text), else {@value #ENV_CONFIG} (a path to
 *       {@code fmi.json}, relative to the function's working directory). Without any of them the
 *       call fails: the library's defaults point at a rendezvous server on 127.0.0.1, which no
 *       Lambda function has.</li>
 *   <li>Lifetime: {@link Context#getRemainingTimeInMillis()} less the safety margin. No operation's
 *       deadline extends past it, so a job that cannot finish fails with an
 *       {@link io.fmi.FmiTimeoutException} naming the operation and peer while the function still
 *       has time to report it, instead of being killed.</li>
 *   <li>Memory: {@link Context#getMemoryLimitInMB()}, for the cost model.</li>
 * </ul>
 *
 * <h2>Warm containers</h2>
 * Lambda reuses a container for later invocations. FmiLambda keeps, per container, the parsed
 * configuration (parsed again only when its text changes) and one instance of each
 * {@link WarmChannelProvider} on the class path, so the S3 and DynamoDB clients of the first
 * invocation, with their open connections, serve the next ones. The communicator itself belongs to
 * one invocation: close it before the handler returns.
 *
 * <p>Thread-safe.
 */
public final class FmiLambda {
    /** Event key: this function's rank. */
    public static final String RANK = "rank";
    /** Event key: the number of functions of the job. */
    public static final String SIZE = "size";
    /** Event key: the id of this run of the job. */
    public static final String RUN_ID = "run_id";
    /** Event key: the communicator's name. */
    public static final String NAME = "name";
    /** Event key: the {@code fmi.json} content. */
    public static final String CONFIG = "config";
    /** Event key: {@code FAST} or {@code CHEAP}. */
    public static final String HINT = "hint";
    /** Event key: the deadline of each blocking operation, in milliseconds. */
    public static final String TIMEOUT_MS = "timeout_ms";
    /** Event key: the time kept free at the end of the function, in milliseconds. */
    public static final String SAFETY_MARGIN_MS = "safety_margin_ms";
    /** Environment variable holding the {@code fmi.json} text. */
    public static final String ENV_CONFIG_JSON = "FMI_CONFIG_JSON";
    /** Environment variable holding a path to {@code fmi.json}. */
    public static final String ENV_CONFIG = "FMI_CONFIG";
    /** The safety margin when the event has none: time to return a report after a timeout. */
    public static final Duration DEFAULT_SAFETY_MARGIN = Duration.ofSeconds(2);

    private static final Logger log = LoggerFactory.getLogger(FmiLambda.class);
    private static final Pattern RUN_ID_CHARS = Pattern.compile("[A-Za-z0-9._\\-]{1,64}");
    private static final Pattern NAME_CHARS = Pattern.compile("[A-Za-z0-9._\\-]{1,128}");
    private static final String RUN_ID_EXPECTED = "an id of this run of the job, the same on every function and new for every run,"
            + " e.g. a UUID made by the launcher; 1-64 characters of A-Z a-z 0-9 . _ -";

    /** The last configuration parsed and the text it came from. */
    private static volatile ParsedConfig parsed;
    /** The warm providers of this container, loaded on first use; guarded by the class. */
    private static List<WarmChannelProvider> warm;

    private FmiLambda() {
    }

    /**
     * Builds the communicator of this function: {@code builder(event, context).build()}. Does no
     * network I/O; channels connect on first use.
     *
     * @throws FmiConfigException naming the event key, environment variable or context value that is missing or bad
     */
    public static Communicator communicator(Map<String, Object> event, Context context) {
        return builder(event, context).build();
    }

    /**
     * A builder filled from the event and the context (see the class comment), for handlers that
     * add to it ({@code .channel(op, backend)}, {@code .channelProvider(p)}) before building.
     *
     * @throws FmiConfigException naming the event key, environment variable or context value that is missing or bad
     */
    public static Communicator.Builder builder(Map<String, Object> event, Context context) {
        return builder(event, context, System::getenv);
    }

    /** {@link #builder(Map, Context)} with the environment given (for tests). */
    static Communicator.Builder builder(Map<String, Object> event, Context context, Function<String, String> env) {
        Objects.requireNonNull(context, "context");
        Event e = Event.parse(event);
        String name = e.name;
        if (name == null) {
            name = context.getFunctionName();
            if (name == null || !NAME_CHARS.matcher(name).matches()) {
                throw new FmiConfigException("event." + NAME + ": missing, and the function name '" + name
                        + "' cannot stand in for it (expected: 1-128 characters of A-Z a-z 0-9 . _ -)");
            }
        }
        int memoryMiB = context.getMemoryLimitInMB();
        if (memoryMiB <= 0) {
            throw new FmiConfigException("context.getMemoryLimitInMB(): " + memoryMiB + " (expected: > 0)");
        }
        long remainingMs = context.getRemainingTimeInMillis();
        long lifetimeMs = remainingMs - e.safetyMarginMs;
        if (lifetimeMs <= 0) {
            throw new FmiConfigException("event." + SAFETY_MARGIN_MS + ": " + e.safetyMarginMs + " ms, but the function has only "
                    + remainingMs + " ms left (expected: a margin below the remaining time; raise the function's timeout)");
        }
        ParsedConfig config = config(e.configJson, env);
        Communicator.Builder b = Communicator.builder()
                .config(config.config)
                .name(name)
                .runId(e.runId)
                .rank(e.rank)
                .size(e.size)
                .hint(e.hint)
                .functionMemoryMiB(memoryMiB)
                .lifetime(Duration.ofMillis(lifetimeMs));
        if (e.timeoutMs > 0) {
            b.timeout(Duration.ofMillis(e.timeoutMs));
        }
        for (WarmChannelProvider p : warmProviders()) {
            if (config.config.backend(p.backend()).map(BackendConfig::enabled).orElse(false)) {
                b.channelProvider(p);
            }
        }
        log.debug("[comm={} rank={}/{}] run {}: lifetime {} ms ({} ms left less a margin of {} ms), {} MiB, configuration from {}",
                name, e.rank, e.size, e.runId, lifetimeMs, remainingMs, e.safetyMarginMs, memoryMiB, config.origin);
        return b;
    }

    /**
     * The event of function {@code rank} of a job: a copy of {@code job} with {@value #RANK},
     * {@value #SIZE} and {@value #RUN_ID} set, checked as {@link #communicator} would check it, so a
     * launcher fails before it invokes anything.
     *
     * @throws FmiConfigException naming the key that is missing or bad
     */
    public static Map<String, Object> event(Map<String, Object> job, int rank, int size, String runId) {
        Map<String, Object> e = new LinkedHashMap<>(Objects.requireNonNull(job, "job"));
        e.put(RANK, rank);
        e.put(SIZE, size);
        e.put(RUN_ID, runId);
        Event parsed = Event.parse(e);
        if (parsed.configJson != null) {
            parse(parsed.configJson, "event." + CONFIG);
        }
        return e;
    }

    /**
     * Closes the clients kept for this container ({@link WarmChannelProvider#close()}) and forgets
     * the parsed configuration. A Lambda container ends without it; for tests and for programs
     * that use FmiLambda outside Lambda. Later calls start afresh.
     */
    public static void shutdown() {
        List<WarmChannelProvider> providers;
        synchronized (FmiLambda.class) {
            providers = warm;
            warm = null;
            parsed = null;
        }
        if (providers != null) {
            providers.forEach(WarmChannelProvider::close);
        }
    }

    private static synchronized List<WarmChannelProvider> warmProviders() {
        if (warm == null) {
            List<WarmChannelProvider> found = new ArrayList<>();
            ServiceLoader.load(WarmChannelProvider.class, FmiLambda.class.getClassLoader()).forEach(found::add);
            log.debug("warm channel providers for this container: {}", found.stream().map(WarmChannelProvider::backend).toList());
            warm = List.copyOf(found);
        }
        return warm;
    }

    /** The configuration of the event, else of the environment, parsed once per distinct text. */
    private static ParsedConfig config(String eventJson, Function<String, String> env) {
        String origin;
        String text;
        if (eventJson != null) {
            origin = "event." + CONFIG;
            text = eventJson;
        } else if (notBlank(env.apply(ENV_CONFIG_JSON))) {
            origin = ENV_CONFIG_JSON;
            text = env.apply(ENV_CONFIG_JSON);
        } else if (notBlank(env.apply(ENV_CONFIG))) {
            origin = ENV_CONFIG + "=" + env.apply(ENV_CONFIG);
            text = null;
        } else {
            throw new FmiConfigException("no FMI configuration: the event has no '" + CONFIG + "', and neither " + ENV_CONFIG_JSON
                    + " (the fmi.json text) nor " + ENV_CONFIG + " (a path to fmi.json) is set in the function's environment");
        }
        ParsedConfig p = parsed;
        if (p != null && p.origin.equals(origin) && Objects.equals(p.text, text)) {
            return p;
        }
        FmiConfig config = text != null ? parse(text, origin) : load(env.apply(ENV_CONFIG).trim());
        p = new ParsedConfig(origin, text, config);
        parsed = p;
        return p;
    }

    private static FmiConfig parse(String text, String origin) {
        try {
            return FmiConfig.fromJson(text);
        } catch (FmiConfigException e) {
            throw new FmiConfigException(origin + ": " + e.getMessage(), e);
        }
    }

    private static FmiConfig load(String path) {
        try {
            return FmiConfig.load(Path.of(path));
        } catch (FmiConfigException e) {
            throw new FmiConfigException(ENV_CONFIG + ": " + e.getMessage(), e);
        } catch (java.nio.file.InvalidPathException e) {
            throw new FmiConfigException(ENV_CONFIG + ": '" + path + "' is not a path (expected: the path of an fmi.json file)", e);
        }
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }

    /** A parsed configuration, where it came from and its text (null for a file). Immutable. */
    private static final class ParsedConfig {
        final String origin;
        final String text;
        final FmiConfig config;

        ParsedConfig(String origin, String text, FmiConfig config) {
            this.origin = origin;
            this.text = text;
            this.config = config;
        }
    }

    /** The keys of an event that FmiLambda reads, checked. Immutable. */
    private static final class Event {
        final int rank;
        final int size;
        final String runId;
        final String name;
        final String configJson;
        final Hint hint;
        final long timeoutMs;
        final long safetyMarginMs;

        private Event(Map<String, Object> e) {
            size = (int) integer(e, SIZE, null, 1, Integer.MAX_VALUE, "the number of functions of the job, >= 1");
            rank = (int) integer(e, RANK, null, 0, size - 1, "this function's rank, 0 <= rank < size = " + size);
            Object id = e.get(RUN_ID);
            if (id == null) {
                throw new FmiConfigException("event." + RUN_ID + ": missing (expected: " + RUN_ID_EXPECTED + ")");
            }
            runId = id.toString();
            if (!RUN_ID_CHARS.matcher(runId).matches()) {
                throw new FmiConfigException("event." + RUN_ID + ": '" + runId + "' (expected: " + RUN_ID_EXPECTED + ")");
            }
            Object n = e.get(NAME);
            name = n == null ? null : n.toString();
            if (name != null && !NAME_CHARS.matcher(name).matches()) {
                throw new FmiConfigException("event." + NAME + ": '" + name
                        + "' (expected: the communicator's name, 1-128 characters of A-Z a-z 0-9 . _ -)");
            }
            configJson = configText(e.get(CONFIG));
            Object h = e.get(HINT);
            try {
                hint = h == null ? Hint.FAST : Hint.valueOf(h.toString().trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException ex) {
                throw new FmiConfigException("event." + HINT + ": '" + h + "' (expected: FAST or CHEAP)", ex);
            }
            timeoutMs = integer(e, TIMEOUT_MS, 0L, 1, Long.MAX_VALUE, "milliseconds, > 0");
            safetyMarginMs = integer(e, SAFETY_MARGIN_MS, DEFAULT_SAFETY_MARGIN.toMillis(), 0, Long.MAX_VALUE, "milliseconds, >= 0");
        }

        static Event parse(Map<String, Object> event) {
            if (event == null) {
                throw new FmiConfigException("event: null (expected: an object with " + RANK + ", " + SIZE + " and " + RUN_ID + ")");
            }
            return new Event(event);
        }

        private static String configText(Object c) {
            if (c == null) {
                return null;
            }
            if (c instanceof String) {
                return (String) c;
            }
            if (!(c instanceof Map)) {
                throw new FmiConfigException("event." + CONFIG + ": " + c.getClass().getSimpleName()
                        + " (expected: the fmi.json content as an object or as JSON text)");
            }
            try {
                // jackson-core alone: databind's serializers do not fit the metaspace of a 128 MB function
                return JsonValues.toText(c);
            } catch (IOException ex) {
                throw new FmiConfigException("event." + CONFIG + ": not representable as JSON: " + ex.getMessage(), ex);
            }
        }

        /** An integral number from a JSON number or a string of digits; {@code dflt == null} means required. */
        private static long integer(Map<String, Object> e, String key, Long dflt, long min, long max, String expected) {
            Object v = e.get(key);
            if (v == null) {
                if (dflt == null) {
                    throw new FmiConfigException("event." + key + ": missing (expected: " + expected + ")");
                }
                return dflt;
            }
            long value;
            if (v instanceof Byte || v instanceof Short || v instanceof Integer || v instanceof Long) {
                value = ((Number) v).longValue();
            } else if (v instanceof Number) {
                double d = ((Number) v).doubleValue();
                if (d != Math.rint(d) || Math.abs(d) > Long.MAX_VALUE) {
                    throw new FmiConfigException("event." + key + ": " + v + " (expected: an integer, " + expected + ")");
                }
                value = (long) d;
            } else {
                try {
                    value = Long.parseLong(v.toString().trim());
                } catch (NumberFormatException ex) {
                    throw new FmiConfigException("event." + key + ": '" + v + "' (expected: an integer, " + expected + ")", ex);
                }
            }
            if (value < min || value > max) {
                throw new FmiConfigException("event." + key + ": " + value + " (expected: " + expected + ")");
            }
            return value;
        }
    }
}
