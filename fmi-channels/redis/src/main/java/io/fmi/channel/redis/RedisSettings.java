package io.fmi.channel.redis;

import io.fmi.BackendConfig;
import io.fmi.FmiConfigException;
import io.lettuce.core.RedisURI;
import java.io.File;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code "Redis"} entry of {@code fmi.json}, validated once. Immutable.
 *
 * <p>Keys (all optional): {@code host} and {@code port} (C++ FMI), or {@code uri}
 * ({@code redis://[user:password@]host:port[/db]}, {@code rediss://...} for TLS); {@code username},
 * {@code password} or {@code password_env} (name of an environment variable holding it);
 * {@code database}; {@code tls}; {@code tls_ca_file} (PEM bundle trusted for TLS);
 * {@code key_prefix}; {@code ttl_seconds}; {@code chunk_bytes}; {@code connect_timeout_ms}.
 * {@code timeout} (the C++ FMI's poll interval) is accepted and unused: reads block in Redis.
 * {@code liveness_ms} and {@code heartbeat_ms} are read by {@link io.fmi.channel.MediatedChannel}.
 */
final class RedisSettings {
    /** Default {@code key_prefix}: {@value}. */
    static final String DEFAULT_KEY_PREFIX = "fmi/";
    /** Default {@code ttl_seconds}: one day, so what a crashed job leaves behind is gone the next day. */
    static final long DEFAULT_TTL_SECONDS = 86_400;
    /** Default {@code chunk_bytes}: 16 MiB per stream entry. */
    static final int DEFAULT_CHUNK_BYTES = 16 << 20;
    /** Redis' limit of one bulk string ({@code proto-max-bulk-len}), the largest chunk allowed. */
    static final int MAX_CHUNK_BYTES = 512 << 20;
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    final RedisURI uri;
    final String where;
    final String keyPrefix;
    final long ttlMillis;
    final int chunkBytes;
    final Duration connectTimeout;
    final Optional<File> caFile;

    private RedisSettings(RedisURI uri, String keyPrefix, long ttlMillis, int chunkBytes, Duration connectTimeout, Optional<File> caFile) {
        this.uri = uri;
        this.where = (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort() + "/" + uri.getDatabase();
        this.keyPrefix = keyPrefix;
        this.ttlMillis = ttlMillis;
        this.chunkBytes = chunkBytes;
        this.connectTimeout = connectTimeout;
        this.caFile = caFile;
    }

    static RedisSettings from(BackendConfig b) {
        String p = "backends." + b.name() + ".";
        RedisURI uri;
        Optional<String> text = b.string("uri");
        if (text.isPresent()) {
            try {
                uri = RedisURI.create(text.get());
            } catch (IllegalArgumentException e) {
                // The message may quote the URI, which may hold a password: do not pass it on.
                throw new FmiConfigException(p + "uri: not a redis:// or rediss:// URI (expected: redis[s]://[user:password@]host:port[/db])");
            }
        } else {
            int port = b.integer("port", RedisURI.DEFAULT_REDIS_PORT);
            if (port <= 0 || port > 65535) {
                throw new FmiConfigException(p + "port: " + port + " (expected: 1..65535)");
            }
            uri = RedisURI.builder().withHost(b.string("host", "127.0.0.1")).withPort(port).build();
        }
        if (b.has("database")) {
            uri.setDatabase(b.integer("database", 0));
        }
        if (b.bool("tls", false)) {
            uri.setSsl(true);
        }
        Optional<String> password = b.string("password");
        Optional<String> env = b.string("password_env");
        if (env.isPresent()) {
            String v = System.getenv(env.get());
            if (v == null) {
                throw new FmiConfigException(p + "password_env: environment variable " + env.get() + " is not set");
            }
            password = Optional.of(v);
        }
        if (password.isPresent()) {
            uri.setPassword(password.get().toCharArray());
        }
        b.string("username").ifPresent(uri::setUsername);
        Optional<File> ca = b.string("tls_ca_file").map(File::new);
        if (ca.isPresent() && !ca.get().canRead()) {
            throw new FmiConfigException(p + "tls_ca_file: cannot read " + ca.get());
        }
        long ttl = b.longValue("ttl_seconds", DEFAULT_TTL_SECONDS);
        if (ttl <= 0) {
            throw new FmiConfigException(p + "ttl_seconds: " + ttl + " (expected: > 0)");
        }
        long chunk = b.longValue("chunk_bytes", DEFAULT_CHUNK_BYTES);
        if (chunk < 1 || chunk > MAX_CHUNK_BYTES) {
            throw new FmiConfigException(p + "chunk_bytes: " + chunk + " (expected: 1.." + MAX_CHUNK_BYTES + ", Redis' largest string)");
        }
        long connectMs = b.longValue("connect_timeout_ms", DEFAULT_CONNECT_TIMEOUT.toMillis());
        if (connectMs <= 0) {
            throw new FmiConfigException(p + "connect_timeout_ms: " + connectMs + " (expected: > 0)");
        }
        return new RedisSettings(uri, b.string("key_prefix", DEFAULT_KEY_PREFIX), ttl * 1000, (int) chunk,
                Duration.ofMillis(connectMs), ca);
    }
}
