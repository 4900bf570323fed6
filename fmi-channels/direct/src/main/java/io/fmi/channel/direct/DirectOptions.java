package io.fmi.channel.direct;

import io.fmi.BackendConfig;
import io.fmi.FmiConfigException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The settings of the Direct channel, read from the {@code "Direct"} entry of {@code fmi.json}.
 * {@code host}, {@code port} and a shared secret are required, every other key is optional:
 *
 * <pre>
 * "Direct": {
 *   "enabled": true,
 *   "host": "10.0.0.5", "port": 10000,   // the rendezvous server (fmi-tcpunch)
 *   "max_timeout": 60000,                // ms, deadline of one operation (its connections' set-up included)
 *   "secret": "...",                     // or "secret_file": "/run/secrets/fmi" (first line), or FMI_SECRET
 *   "insecure": false,                   // true: no secret, on purpose (logs a WARN)
 *   "eager_connect": false,              // true: the first operation connects to every peer at once
 *   "idle_strategy": "adaptive",         // what a waiting thread does before it blocks (io.fmi.channel.IdleStrategy)
 *   "io_threads": 2,                     // event loops that open connections, shared by the channels of one JVM
 *   "relay": true,                       // fall back to the server's relay when punching fails
 *   "nat_probe": true,                   // detect symmetric NAT before punching
 *   "punch_timeout": 3000,               // ms to try direct paths before the relay
 *   "max_message_bytes": 2147483639,     // larger incoming frames close the connection
 *   "rendezvous_bytes": 65536,           // messages this large move only into a posted receive
 *   "liveness_ms": 5000,                 // a peer silent this long is declared failed (0: never)
 *   "server_retry_ms": 5000              // how long an unreachable or full rendezvous server is retried
 * }
 * </pre>
 *
 * <h2>Secure by default</h2>
 * The rendezvous server pairs whoever registers a pairing name; without a shared secret, anyone
 * who can reach it can take a rank's place and receive its data. So a secret is required, from
 * (first found) {@code secret}, {@code secret_file} or the {@value #SECRET_ENV} environment
 * variable, the names the server ({@code fmi-tcpunch server}) uses too. Running without one takes
 * {@code "insecure": true}, which logs one WARN per JVM. Without either, creating the channel,
 * which happens at the communicator's first operation on it (never at {@code build()}, which does
 * no I/O), fails with a {@link FmiConfigException} naming the keys.
 *
 * Immutable and thread-safe.
 */
public final class DirectOptions {
    private static final Logger log = LoggerFactory.getLogger(DirectOptions.class);
    /** The environment variable the secret is read from when the entry names none (as the server's). */
    public static final String SECRET_ENV = "FMI_SECRET";
    /** Whether the WARN about running without a secret was logged in this JVM. */
    private static final AtomicBoolean WARNED_INSECURE = new AtomicBoolean();

    /**
     * {@link #spinNanos()} when {@code spin_us} is absent: 0. The older key only matters when given;
     * without it the channel's {@code idle_strategy} decides (adaptive by default).
     */
    public static final long DEFAULT_SPIN_US = 0;
    /** Event loop threads that open connections when {@code io_threads} is absent: min(2, CPUs). */
    public static final int DEFAULT_IO_THREADS = Math.min(2, Runtime.getRuntime().availableProcessors());
    /** The largest frame when {@code max_message_bytes} is absent: the largest Java array. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = Integer.MAX_VALUE - 8;
    /** Time to punch when {@code punch_timeout} is absent: 3 s. */
    public static final Duration DEFAULT_PUNCH_TIMEOUT = Duration.ofSeconds(3);
    /**
     * Messages from this size on take the rendezvous protocol when {@code rendezvous_bytes} is
     * absent: 64 KiB, the eager limit of Open MPI's TCP transport.
     */
    public static final int DEFAULT_RENDEZVOUS_BYTES = 64 * 1024;
    /** A peer that sends nothing for this long is declared failed, when {@code liveness_ms} is absent. */
    public static final Duration DEFAULT_LIVENESS = Duration.ofSeconds(5);
    /** How long an unreachable or full rendezvous server is retried, when {@code server_retry_ms} is absent. */
    public static final Duration DEFAULT_SERVER_RETRY = Duration.ofSeconds(5);

    private final InetSocketAddress server;
    private final byte[] secret;
    private final boolean insecure;
    private final boolean eagerConnect;
    private final long spinNanos;
    private final int ioThreads;
    private final boolean relay;
    private final boolean natProbe;
    private final Duration punchTimeout;
    private final int maxMessageBytes;
    private final int rendezvousBytes;
    private final Duration liveness;
    private final Duration serverRetry;

    private DirectOptions(BackendConfig b, Map<String, String> env) {
        String where = "backends." + b.name();
        String host = b.string("host").orElseThrow(() ->
                new FmiConfigException(where + ".host: missing (expected: the rendezvous server's host name or address)"));
        int port = b.integer("port", -1);
        if (port <= 0 || port > 65535) {
            throw new FmiConfigException(where + ".port: " + port + " (expected: 1..65535, the rendezvous server's port)");
        }
        server = InetSocketAddress.createUnresolved(host, port);
        secret = readSecret(b, where, env);
        insecure = secret == null && b.bool("insecure", false);
        if (secret == null && !insecure) {
            throw new FmiConfigException(where + ": no shared secret for the rendezvous server " + host + ":" + port
                    + " (expected: \"secret\" or \"secret_file\" in " + where + ", or the " + SECRET_ENV
                    + " environment variable, holding the server's secret; or \"insecure\": true to run without"
                    + " one, which lets anyone who reaches the server take a rank's place)");
        }
        if (insecure && WARNED_INSECURE.compareAndSet(false, true)) {
            log.warn("{}.insecure: the Direct channel runs without a shared secret: anyone who can reach the rendezvous"
                    + " server {}:{} can register as a rank of a job and receive its data; set {}.secret_file or {}"
                    + " unless every client of that server is trusted", where, host, port, where, SECRET_ENV);
        }
        eagerConnect = b.bool("eager_connect", false);
        long spinUs = b.longValue("spin_us", DEFAULT_SPIN_US);
        if (spinUs < 0) {
            throw new FmiConfigException(where + ".spin_us: " + spinUs + " (expected: >= 0)");
        }
        spinNanos = spinUs * 1000;
        ioThreads = b.integer("io_threads", DEFAULT_IO_THREADS);
        if (ioThreads < 1) {
            throw new FmiConfigException(where + ".io_threads: " + ioThreads + " (expected: >= 1)");
        }
        relay = b.bool("relay", true);
        natProbe = b.bool("nat_probe", true);
        long punchMs = b.longValue("punch_timeout", DEFAULT_PUNCH_TIMEOUT.toMillis());
        if (punchMs <= 0) {
            throw new FmiConfigException(where + ".punch_timeout: " + punchMs + " (expected: > 0 ms)");
        }
        punchTimeout = Duration.ofMillis(punchMs);
        maxMessageBytes = b.integer("max_message_bytes", DEFAULT_MAX_MESSAGE_BYTES);
        if (maxMessageBytes < 0) {
            throw new FmiConfigException(where + ".max_message_bytes: " + maxMessageBytes + " (expected: >= 0)");
        }
        rendezvousBytes = b.integer("rendezvous_bytes", DEFAULT_RENDEZVOUS_BYTES);
        if (rendezvousBytes < 1) {
            throw new FmiConfigException(where + ".rendezvous_bytes: " + rendezvousBytes
                    + " (expected: >= 1; " + Integer.MAX_VALUE + " sends every message eagerly)");
        }
        long livenessMs = b.longValue("liveness_ms", DEFAULT_LIVENESS.toMillis());
        if (livenessMs != 0 && livenessMs < 100) {
            throw new FmiConfigException(where + ".liveness_ms: " + livenessMs + " (expected: >= 100 ms, or 0 for never)");
        }
        liveness = Duration.ofMillis(livenessMs);
        long retryMs = b.longValue("server_retry_ms", DEFAULT_SERVER_RETRY.toMillis());
        if (retryMs <= 0) {
            throw new FmiConfigException(where + ".server_retry_ms: " + retryMs + " (expected: > 0 ms)");
        }
        serverRetry = Duration.ofMillis(retryMs);
    }

    /** Reads and validates the {@code "Direct"} entry; throws {@link FmiConfigException} naming the bad key. */
    public static DirectOptions from(BackendConfig backend) {
        return from(backend, System.getenv());
    }

    /** {@link #from(BackendConfig)} with {@code env} standing for the process environment (for tests). */
    static DirectOptions from(BackendConfig backend, Map<String, String> env) {
        return new DirectOptions(backend, env);
    }

    private static byte[] readSecret(BackendConfig b, String where, Map<String, String> env) {
        if (b.has("secret")) {
            String s = b.string("secret", "");
            if (s.isEmpty()) {
                throw new FmiConfigException(where + ".secret: empty (expected: a non-empty string, or no key)");
            }
            return s.getBytes(StandardCharsets.UTF_8);
        }
        if (b.has("secret_file")) {
            Path p = Path.of(b.string("secret_file", ""));
            try {
                String s = Files.readString(p, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
                if (s.isEmpty()) {
                    throw new FmiConfigException(where + ".secret_file: " + p + " is empty (expected: the secret on its first line)");
                }
                return s.getBytes(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new FmiConfigException(where + ".secret_file: cannot read " + p + ": " + e.getMessage());
            }
        }
        String fromEnv = env.get(SECRET_ENV);
        if (fromEnv != null) {
            if (fromEnv.isEmpty()) {
                throw new FmiConfigException(SECRET_ENV + " is set but empty (expected: the rendezvous server's shared"
                        + " secret, or unset and " + where + ".secret_file)");
            }
            return fromEnv.getBytes(StandardCharsets.UTF_8);
        }
        return null;
    }

    /** The rendezvous server, unresolved (resolved when the first connection is opened). */
    public InetSocketAddress server() {
        return server;
    }

    /** The shared secret, or null when {@link #insecure()}; a copy. */
    public byte[] secret() {
        return secret == null ? null : secret.clone();
    }

    /** Whether the channel runs without a shared secret, on purpose ({@code "insecure": true}). */
    public boolean insecure() {
        return insecure;
    }

    /**
     * Whether the first operation connects to every peer at once ({@code eager_connect}).
     *
     * @return true to connect eagerly
     */
    public boolean eagerConnect() {
        return eagerConnect;
    }

    /**
     * How long a waiting thread polls its sockets before it blocks ({@code spin_us}); used only
     * when the entry gives {@code spin_us} and no {@code idle_strategy}.
     *
     * @return nanoseconds of polling
     */
    public long spinNanos() {
        return spinNanos;
    }

    /**
     * Event loop threads that open connections ({@code io_threads}).
     *
     * @return the number of threads
     */
    public int ioThreads() {
        return ioThreads;
    }

    /**
     * Whether a pair falls back to the server's relay when punching fails ({@code relay}).
     *
     * @return true to use the relay
     */
    public boolean relay() {
        return relay;
    }

    /**
     * Whether symmetric NAT is detected before punching ({@code nat_probe}).
     *
     * @return true to probe
     */
    public boolean natProbe() {
        return natProbe;
    }

    /**
     * How long direct paths are tried before the relay ({@code punch_timeout}).
     *
     * @return the time to punch
     */
    public Duration punchTimeout() {
        return punchTimeout;
    }

    /**
     * The largest frame accepted from a peer; a larger one closes the connection ({@code max_message_bytes}).
     *
     * @return bytes
     */
    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    /** Messages of at least this many bytes take the rendezvous protocol ({@code rendezvous_bytes}). */
    public int rendezvousBytes() {
        return rendezvousBytes;
    }

    /** How long a peer may send nothing before it is declared failed; zero: never ({@code liveness_ms}). */
    public Duration liveness() {
        return liveness;
    }

    /** How long an unreachable or full rendezvous server is retried within an operation ({@code server_retry_ms}). */
    public Duration serverRetry() {
        return serverRetry;
    }

    @Override
    public String toString() {
        return "DirectOptions[server=" + server + ", secret=" + (secret != null ? "***" : "none, insecure") + ", eagerConnect=" + eagerConnect
                + ", spinNanos=" + spinNanos + ", ioThreads=" + ioThreads + ", relay=" + relay
                + ", natProbe=" + natProbe + ", punchTimeout=" + punchTimeout + ", maxMessageBytes=" + maxMessageBytes
                + ", rendezvousBytes=" + rendezvousBytes + ", liveness=" + liveness + ", serverRetry=" + serverRetry + "]";
    }
}
