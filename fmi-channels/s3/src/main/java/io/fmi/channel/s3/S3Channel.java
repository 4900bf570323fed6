package io.fmi.channel.s3;

import io.fmi.ChannelException;
import io.fmi.Operation;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.Deadline;
import io.fmi.channel.MediatedChannel;
import io.fmi.channel.OpContext;
import io.fmi.channel.aws.AwsCalls;
import io.fmi.channel.aws.PollSchedule;
import io.fmi.model.PollIntervalModel;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketLocationConstraint;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The mediated channel over S3, on the AWS SDK for Java v2. S3 cannot block a reader, so readers
 * poll with {@code GetObject} on a back-off ({@link PollSchedule}): the backend's {@code timeout}
 * (ms; the C++ FMI's poll interval) when set, else the cost model's poll interval ({@link PollIntervalModel}), growing 1.5x per
 * miss up to {@code poll_max_ms} (1 s by default).
 *
 * <h2>Objects</h2>
 * One object per FMI object, at {@code s3://<bucket_name>/<key_prefix><comm>/<run>/...}:
 * <pre>
 *   s3://fmi/fmi/kmeans/run-7/c42/bcast        collective #42's broadcast
 *   s3://fmi/fmi/kmeans/run-7/p2p/3-5/17       17th message from rank 3 to rank 5
 * </pre>
 * S3 objects reach 5 GB, beyond a Java array, so nothing is chunked. S3 has no atomic counter:
 * barriers use one arrival object per rank, read by rank 0, never a bucket listing, so jobs sharing
 * a bucket cannot satisfy each other's barriers. Member records ({@code <scope>/member/<rank>},
 * claimed with {@code If-None-Match: *}, see {@link #createRecord}) are small objects too, left
 * for the lifecycle rule. Objects are deleted once read (or at close, after
 * a closing barrier); what a crashed job leaves behind is removed by a lifecycle rule on
 * {@code key_prefix} (see docs/channels-mediated.md; set on a bucket this channel creates).
 *
 * <h2>Errors and ownership</h2>
 * See {@link AwsCalls}: {@code SlowDown}, 5xx and connection failures are retried inside the
 * deadline; a missing bucket or denied access fails at once, naming the bucket. Without
 * {@code s3:ListBucket}, S3 answers a missing object with 403 rather than 404, which this channel
 * must treat as denied: grant it. The SDK client is built on first use and closed by
 * {@link #close()}, unless it was passed in (then it is the caller's).
 *
 * <pre>
 * "S3": {"enabled": true, "bucket_name": "my-fmi-bucket", "s3_region": "eu-central-1", "timeout": 100}
 * "S3": {"enabled": true, "bucket_name": "fmi", "endpoint": "http://localhost:9000", "create": true}
 * </pre>
 *
 * <p>Thread-safe.
 */
public class S3Channel extends MediatedChannel {
    private static final Logger log = LoggerFactory.getLogger(S3Channel.class);
    private static final Duration DELETE_TIMEOUT = Duration.ofSeconds(10);
    private static final int DELETE_BATCH = 1000;
    private static final long CONFLICT_RETRY_MS = 20;

    private final S3Settings settings;
    private final S3Client given;
    private S3Client client;
    private PollSchedule poll;
    private volatile boolean bucketReady;

    /** A channel that builds its own client from the backend configuration, on first use. */
    public S3Channel(ChannelContext context) {
        this(context, null);
    }

    /** A channel over {@code client} (the caller's to close), or its own when null. */
    public S3Channel(ChannelContext context, S3Client client) {
        super(context);
        this.settings = S3Settings.from(context.backend());
        this.given = client;
        AwsCalls.endpoint(context.backend());
    }

    private synchronized PollSchedule poll() {
        if (poll == null) {
            // The backend's timeout, else the cost model's interval, else 100 ms.
            poll = PollSchedule.forChannel(context, Duration.ofMillis(100));
            log.debug("{} {}", context.logPrefix(), poll);
        }
        return poll;
    }

    private synchronized S3Client client() {
        if (client == null) {
            client = given != null ? given : newClient(context, settings);
        }
        return client;
    }

    /** Builds the S3 client of a backend entry; no network I/O. */
    static S3Client newClient(ChannelContext context, S3Settings settings) {
        return AwsCalls.build(S3Client.builder().forcePathStyle(settings.pathStyle), context, settings.region,
                "s3_region", "S3 client for bucket " + settings.bucket);
    }

    private String objectKey(String key) {
        return settings.keyPrefix + key;
    }

    private String resource(String objectKey) {
        return "s3://" + settings.bucket + "/" + objectKey;
    }

    // ---------------------------------------------------------------- store primitives

    @Override
    protected void put(String key, ByteBuffer value, int readers, OpContext op) {
        ensureBucket(op);
        String k = objectKey(key);
        int length = value.remaining();
        RequestBody body = body(value);
        AwsCalls.call(op, "PutObject", resource(k), t -> client().putObject(b -> b.bucket(settings.bucket).key(k)
                .contentLength((long) length).overrideConfiguration(o -> o.apiCallTimeout(t)), body), e -> refused(op, "PutObject", k, e));
        log.trace("{} put {} ({} B)", context.logPrefix(), k, length);
    }

    /** A body over the buffer's bytes without copying them; repeatable, for retries. */
    private static RequestBody body(ByteBuffer value) {
        if (value.hasArray()) {
            byte[] a = value.array();
            int off = value.arrayOffset() + value.position();
            int len = value.remaining();
            return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(a, off, len), len, "application/octet-stream");
        }
        return RequestBody.fromRemainingByteBuffer(value.duplicate());
    }

    @Override
    protected byte[] get(String key, long waitNanos, OpContext op) {
        ensureBucket(op);
        String k = objectKey(key);
        return poll().await(k, waitNanos, op, () -> AwsCalls.call(op, "GetObject", resource(k), t -> {
            try {
                return client().getObjectAsBytes(b -> b.bucket(settings.bucket).key(k)
                        .overrideConfiguration(o -> o.apiCallTimeout(t))).asByteArrayUnsafe();
            } catch (NoSuchKeyException e) {
                return null;
            }
        }, e -> refused(op, "GetObject", k, e)));
    }

    @Override
    protected boolean supportsRecords() {
        return true;
    }

    /**
     * {@code PutObject} with {@code If-None-Match: *}: S3 refuses it with 412 when the object
     * exists (AWS since August 2024; s3proxy too). A 409 ({@code ConditionalRequestConflict}, a
     * create racing another on the same key) is tried again until the deadline, then the loser
     * gets its 412. A store that ignores the header lets a second claimant through: there the
     * claim is a best effort (see docs/channels-mediated.md).
     */
    @Override
    protected boolean createRecord(String key, byte[] value, OpContext op) {
        ensureBucket(op);
        String k = objectKey(key);
        while (true) {
            Boolean created = AwsCalls.call(op, "PutObject If-None-Match", resource(k), t -> {
                try {
                    client().putObject(b -> b.bucket(settings.bucket).key(k).ifNoneMatch("*")
                            .contentLength((long) value.length).overrideConfiguration(o -> o.apiCallTimeout(t)), RequestBody.fromBytes(value));
                    return true;
                } catch (S3Exception e) {
                    if (e.statusCode() == 412) {
                        return false;
                    }
                    if (e.statusCode() == 409) {
                        return null;
                    }
                    throw e;
                }
            }, e -> refused(op, "PutObject", k, e));
            if (created != null) {
                return created;
            }
            if (op.deadline().remainingNanos() < TimeUnit.MILLISECONDS.toNanos(CONFLICT_RETRY_MS)) {
                throw new ChannelException(op.label() + ": PutObject If-None-Match of " + resource(k)
                        + " kept conflicting with another create until the deadline " + op.where(), null, true);
            }
            AwsCalls.sleep(CONFLICT_RETRY_MS, op);
        }
    }

    @Override
    protected void writeRecord(String key, byte[] value, OpContext op) {
        put(key, ByteBuffer.wrap(value), 1, op);
    }

    @Override
    protected byte[] readRecord(String key, OpContext op) {
        return get(key, 0, op);
    }

    /** A {@code GetObject} of a key that does not exist: any answer, 404 included, means S3 answers. */
    @Override
    protected void ping(Duration within) {
        OpContext op = new OpContext(Operation.BARRIER, "ping", OpContext.P2P_SEQ, Deadline.after(within), context);
        String k = objectKey(context.scope() + "/ping");
        AwsCalls.call(op, "GetObject", resource(k), t -> {
            try {
                return client().getObjectAsBytes(b -> b.bucket(settings.bucket).key(k).overrideConfiguration(o -> o.apiCallTimeout(t)));
            } catch (NoSuchKeyException e) {
                return null;
            }
        }, e -> refused(op, "GetObject", k, e));
    }

    @Override
    protected void delete(Collection<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        OpContext op = new OpContext(Operation.BARRIER, "delete", OpContext.P2P_SEQ, Deadline.after(DELETE_TIMEOUT), context);
        List<ObjectIdentifier> ids = new ArrayList<>(keys.size());
        keys.forEach(k -> ids.add(ObjectIdentifier.builder().key(objectKey(k)).build()));
        for (int from = 0; from < ids.size(); from += DELETE_BATCH) {
            List<ObjectIdentifier> batch = ids.subList(from, Math.min(ids.size(), from + DELETE_BATCH));
            String first = batch.get(0).key();
            DeleteObjectsResponse r = AwsCalls.call(op, "DeleteObjects", resource(first), t -> client().deleteObjects(b -> b
                    .bucket(settings.bucket).delete(d -> d.objects(batch).quiet(true))
                    .overrideConfiguration(o -> o.apiCallTimeout(t))), e -> refused(op, "DeleteObjects", first, e));
            if (r.hasErrors() && !r.errors().isEmpty()) {
                throw new ChannelException("DeleteObjects in s3://" + settings.bucket + " failed for " + r.errors().size()
                        + " objects, first " + r.errors().get(0).key() + ": " + r.errors().get(0).code() + " " + context.logPrefix());
            }
        }
        log.trace("{} deleted {} objects", context.logPrefix(), ids.size());
    }

    @Override
    protected void closeStore() {
        S3Client c;
        synchronized (this) {
            c = client;
            client = null;
        }
        if (c != null && given == null) {
            c.close();
            log.debug("{} S3 client closed", context.logPrefix());
        }
    }

    // ---------------------------------------------------------------- bucket

    /** With {@code "create": true}, makes the bucket (with the expiry lifecycle rule) unless it exists. */
    private void ensureBucket(OpContext op) {
        if (bucketReady || !settings.create) {
            return;
        }
        synchronized (this) {
            if (bucketReady) {
                return;
            }
            String res = "s3://" + settings.bucket;
            boolean exists = AwsCalls.call(op, "HeadBucket", res, t -> {
                try {
                    client().headBucket(b -> b.bucket(settings.bucket).overrideConfiguration(o -> o.apiCallTimeout(t)));
                    return true;
                } catch (NoSuchBucketException e) {
                    return false;
                }
            }, e -> refused(op, "HeadBucket", "", e));
            if (!exists) {
                AwsCalls.call(op, "CreateBucket", res, t -> {
                    try {
                        return client().createBucket(b -> {
                            b.bucket(settings.bucket).overrideConfiguration(o -> o.apiCallTimeout(t));
                            if (settings.region != null && !"us-east-1".equals(settings.region)) {
                                b.createBucketConfiguration(c -> c.locationConstraint(BucketLocationConstraint.fromValue(settings.region)));
                            }
                        });
                    } catch (AwsServiceException e) {
                        String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
                        if ("BucketAlreadyOwnedByYou".equals(code)) {
                            return null;
                        }
                        throw e;
                    }
                }, e -> refused(op, "CreateBucket", "", e));
                log.debug("{} created S3 bucket {}", context.logPrefix(), settings.bucket);
                setLifecycleRule();
            }
            bucketReady = true;
        }
    }

    /** Expires objects under {@code key_prefix} after {@code ttl_seconds} (in whole days): what crashed jobs leave. */
    private void setLifecycleRule() {
        try {
            client().putBucketLifecycleConfiguration(b -> b.bucket(settings.bucket).lifecycleConfiguration(l -> l.rules(r -> r
                    .id("fmi-expire-leftovers")
                    .status(ExpirationStatus.ENABLED)
                    .filter(f -> f.prefix(settings.keyPrefix))
                    .expiration(e -> e.days(settings.expiryDays))
                    .abortIncompleteMultipartUpload(a -> a.daysAfterInitiation(1)))));
        } catch (SdkException e) {
            log.warn("{} could not set the expiry lifecycle rule on bucket {}; objects of crashed jobs will stay: {}",
                    context.logPrefix(), settings.bucket, AwsCalls.describe(e));
        }
    }

    private ChannelException refused(OpContext op, String what, String k, SdkException e) {
        String d = AwsCalls.describe(e);
        String hint = "";
        if (e instanceof NoSuchBucketException || d.contains("NoSuchBucket")) {
            hint = " (bucket " + settings.bucket + " does not exist" + (settings.region == null ? "" : " in " + settings.region)
                    + ": create it, or set \"create\": true)";
        } else if (d.contains("AccessDenied") || d.startsWith("HTTP 403")) {
            hint = " (the role needs s3:GetObject, s3:PutObject, s3:DeleteObject on " + settings.keyPrefix
                    + "* and s3:ListBucket on bucket " + settings.bucket + ", without which a missing object answers 403)";
        }
        return new ChannelException(op.label() + ": " + what + " of " + resource(k) + " refused by S3: " + d + hint + " " + op.where(), e, false);
    }

    @Override
    public String toString() {
        return "S3Channel" + context.logPrefix() + "->" + settings.bucket;
    }
}
