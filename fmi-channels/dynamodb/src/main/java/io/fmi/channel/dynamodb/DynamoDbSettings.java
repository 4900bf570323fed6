package io.fmi.channel.dynamodb;

import io.fmi.BackendConfig;
import io.fmi.FmiConfigException;

/**
 * The {@code "DynamoDB"} entry of {@code fmi.json}, validated once. Immutable.
 *
 * <p>Keys: {@code table_name} (default {@code "fmi"}), {@code region} (else the SDK's region
 * chain), {@code endpoint}, {@code create}, {@code access_key}/{@code secret_key}/{@code session_token},
 * {@code key_prefix}, {@code ttl_seconds}, {@code chunk_bytes}, and the poll keys {@code timeout},
 * {@code poll_backoff}, {@code poll_max_ms} ({@link io.fmi.channel.aws.PollSchedule}). {@code liveness_ms} and
 * {@code heartbeat_ms} are read by {@link io.fmi.channel.MediatedChannel}.
 */
final class DynamoDbSettings {
    static final String DEFAULT_TABLE = "fmi";
    static final String DEFAULT_KEY_PREFIX = "fmi/";
    static final long DEFAULT_TTL_SECONDS = 86_400;
    /** Default {@code chunk_bytes}: leaves room under DynamoDB's 400 KB item limit for names and attributes. */
    static final int DEFAULT_CHUNK_BYTES = 350_000;
    /** The largest {@code chunk_bytes}: 400 KB minus room for the key, the chunk number and the TTL. */
    static final int MAX_CHUNK_BYTES = 390_000;

    final String table;
    final String region;
    final boolean create;
    final String keyPrefix;
    final long ttlSeconds;
    final int chunkBytes;

    private DynamoDbSettings(String table, String region, boolean create, String keyPrefix, long ttlSeconds, int chunkBytes) {
        this.table = table;
        this.region = region;
        this.create = create;
        this.keyPrefix = keyPrefix;
        this.ttlSeconds = ttlSeconds;
        this.chunkBytes = chunkBytes;
    }

    static DynamoDbSettings from(BackendConfig b) {
        String p = "backends." + b.name() + ".";
        String table = b.string("table_name", DEFAULT_TABLE);
        if (!table.matches("[a-zA-Z0-9_.-]{3,255}")) {
            throw new FmiConfigException(p + "table_name: '" + table + "' (expected: 3-255 characters of a-z, A-Z, 0-9, _ - .)");
        }
        long ttl = b.longValue("ttl_seconds", DEFAULT_TTL_SECONDS);
        if (ttl <= 0) {
            throw new FmiConfigException(p + "ttl_seconds: " + ttl + " (expected: > 0)");
        }
        long chunk = b.longValue("chunk_bytes", DEFAULT_CHUNK_BYTES);
        if (chunk < 1 || chunk > MAX_CHUNK_BYTES) {
            throw new FmiConfigException(p + "chunk_bytes: " + chunk + " (expected: 1.." + MAX_CHUNK_BYTES + ", below the 400 KB item limit)");
        }
        return new DynamoDbSettings(table, b.string("region", null), b.bool("create", false),
                b.string("key_prefix", DEFAULT_KEY_PREFIX), ttl, (int) chunk);
    }
}
