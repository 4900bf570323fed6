package io.fmi.channel.s3;

import io.fmi.BackendConfig;
import io.fmi.FmiConfigException;

/**
 * The {@code "S3"} entry of {@code fmi.json}, validated once. Immutable.
 *
 * <p>Keys: {@code bucket_name} (default {@code "fmi"}), {@code s3_region} (else the SDK's region
 * chain), {@code endpoint}, {@code path_style} (default: true with an {@code endpoint}),
 * {@code create}, {@code access_key}/{@code secret_key}/{@code session_token}, {@code key_prefix},
 * {@code ttl_seconds} (the expiry of the lifecycle rule set on a bucket the channel creates, in
 * whole days), and the poll keys {@code timeout}, {@code poll_backoff}, {@code poll_max_ms}
 * ({@link io.fmi.channel.aws.PollSchedule}). {@code liveness_ms} and {@code heartbeat_ms} are read
 * by {@link io.fmi.channel.MediatedChannel}.
 */
final class S3Settings {
    static final String DEFAULT_BUCKET = "fmi";
    static final String DEFAULT_KEY_PREFIX = "fmi/";
    static final long DEFAULT_TTL_SECONDS = 86_400;

    final String bucket;
    final String region;
    final boolean pathStyle;
    final boolean create;
    final String keyPrefix;
    final int expiryDays;

    private S3Settings(String bucket, String region, boolean pathStyle, boolean create, String keyPrefix, int expiryDays) {
        this.bucket = bucket;
        this.region = region;
        this.pathStyle = pathStyle;
        this.create = create;
        this.keyPrefix = keyPrefix;
        this.expiryDays = expiryDays;
    }

    static S3Settings from(BackendConfig b) {
        String p = "backends." + b.name() + ".";
        String bucket = b.string("bucket_name", DEFAULT_BUCKET);
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new FmiConfigException(p + "bucket_name: '" + bucket + "' (expected: 3-63 characters of a-z, 0-9, '.' and '-')");
        }
        long ttl = b.longValue("ttl_seconds", DEFAULT_TTL_SECONDS);
        if (ttl <= 0) {
            throw new FmiConfigException(p + "ttl_seconds: " + ttl + " (expected: > 0)");
        }
        int days = (int) Math.min(36_500, (ttl + 86_399) / 86_400);
        return new S3Settings(bucket, b.string("s3_region", null), b.bool("path_style", b.has("endpoint")),
                b.bool("create", false), b.string("key_prefix", DEFAULT_KEY_PREFIX), days);
    }
}
