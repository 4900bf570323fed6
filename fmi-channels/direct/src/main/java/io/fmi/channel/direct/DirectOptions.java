package io.fmi.channel.direct;

import io.fmi.BackendConfig;
import io.fmi.FmiConfigException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The settings of the Direct channel, read from the {@code "Direct"} entry of {@code fmi.json}.
 * Every key but {@code host} and {@code port} is optional:
 *
 * <pre>
 * "Direct": {
 *   "enabled": true,
 *   "host": "10.0.0.5", "port": 10000,   // the rendezvous server (fmi-tcpunch)
 *   "max_timeout": 60000,                // ms, deadline of one operation and of opening a connection
 *   "secret": "...",                     // or "secret_file": "/run/secrets/fmi" (first line)
 *   "eager_connect": false,              // true: the first operation connects to every peer at once
 *   "idle_strategy": "adaptive",         // what a waiting thread does before it blocks (io.fmi.channel.IdleStrategy)
 *   "io_threads": 2,                     // event loops that open connections, shared by the channels of one JVM
 *   "relay": true,                       // fall back to the server's relay when punching fails
 *   "nat_probe": true,                   // detect symmetric NAT before punching
 *   "punch_timeout": 3000,               // ms to try direct paths before the relay
 *   "max_message_bytes": 2147483639      // larger incoming frames close the connection
 * }
 * </pre>
 *
 * Immutable and thread-safe.
 */
public final class DirectOptions {
    /**
     * {@link #spinNanos()} when {@code spin_us} is absent: 0. The older key only matters when given;
     * without it the channel's {@code idle_strategy} decides (adaptive by default).
     */
    public static final long DEFAULT_SPIN_US = 0;
    /** Event loop threads that open connections when {@code io_threads} is absent: min(2, CPUs). */
    public static final int DEFAULT_IO_THREADS = Math.min(2, Runtime.getRuntime().availableProcessors());
    public static final int DEFAULT_MAX_MESSAGE_BYTES = Integer.MAX_VALUE - 8;
    public static final Duration DEFAULT_PUNCH_TIMEOUT = Duration.ofSeconds(3);

    private final InetSocketAddress server;
    private final byte[] secret;
    private final boolean eagerConnect;
    private final long spinNanos;
    private final int ioThreads;
    private final boolean relay;
    private final boolean natProbe;
    private final Duration punchTimeout;
    private final Duration connectTimeout;
    private final int maxMessageBytes;

    private DirectOptions(BackendConfig b) {
        String where = "backends." + b.name();
        String host = b.string("host").orElseThrow(() ->
                new FmiConfigException(where + ".host: missing (expected: the rendezvous server's host name or address)"));
        int port = b.integer("port", -1);
        if (port <= 0 || port > 65535) {
            throw new FmiConfigException(where + ".port: " + port + " (expected: 1..65535, the rendezvous server's port)");
        }
        server = InetSocketAddress.createUnresolved(host, port);
        secret = readSecret(b, where);
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
        connectTimeout = b.maxTimeout();
        maxMessageBytes = b.integer("max_message_bytes", DEFAULT_MAX_MESSAGE_BYTES);
        if (maxMessageBytes < 0) {
            throw new FmiConfigException(where + ".max_message_bytes: " + maxMessageBytes + " (expected: >= 0)");
        }
    }

    /** Reads and validates the {@code "Direct"} entry; throws {@link FmiConfigException} naming the bad key. */
    public static DirectOptions from(BackendConfig backend) {
        return new DirectOptions(backend);
    }

    private static byte[] readSecret(BackendConfig b, String where) {
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
        return null;
    }

    /** The rendezvous server, unresolved (resolved when the first connection is opened). */
    public InetSocketAddress server() {
        return server;
    }

    /** The shared secret, or null; a copy. */
    public byte[] secret() {
        return secret == null ? null : secret.clone();
    }

    public boolean eagerConnect() {
        return eagerConnect;
    }

    public long spinNanos() {
        return spinNanos;
    }

    public int ioThreads() {
        return ioThreads;
    }

    public boolean relay() {
        return relay;
    }

    public boolean natProbe() {
        return natProbe;
    }

    public Duration punchTimeout() {
        return punchTimeout;
    }

    /** Deadline for opening one connection (punching and handshake): the backend's {@code max_timeout}. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    @Override
    public String toString() {
        return "DirectOptions[server=" + server + ", secret=" + (secret != null ? "***" : "none") + ", eagerConnect=" + eagerConnect
                + ", spinNanos=" + spinNanos + ", ioThreads=" + ioThreads + ", relay=" + relay
                + ", natProbe=" + natProbe + ", punchTimeout=" + punchTimeout + ", connectTimeout=" + connectTimeout
                + ", maxMessageBytes=" + maxMessageBytes + "]";
    }
}
