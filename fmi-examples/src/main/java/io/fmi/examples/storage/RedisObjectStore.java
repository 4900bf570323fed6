package io.fmi.examples.storage;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link ObjectStore} on a Redis server, the way a storage-exchange job uses it: {@code SET} of
 * one value per object (expiring after {@link #TTL}, so a run leaves nothing behind for long), and
 * {@code GET} polled until the object is there, every 1 ms at first, backing off to every 20 ms.
 * No FMI code in between: this is the baseline FMI's channels are compared with.
 *
 * <pre>
 * try (RedisObjectStore store = new RedisObjectStore("redis://127.0.0.1:6379", Duration.ofMinutes(5))) {
 *     new StorageSampleSort(256).run(store, job, rank, size, data);
 * }
 * </pre>
 *
 * <p>Thread-safe (one Lettuce connection, which is); close it to release the connection.
 */
public final class RedisObjectStore implements ObjectStore, AutoCloseable {
    /** How long an object lives in Redis: longer than any run of the examples. */
    public static final Duration TTL = Duration.ofHours(1);

    private static final Logger log = LoggerFactory.getLogger(RedisObjectStore.class);
    private static final long FIRST_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long LONGEST_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final RedisClient client;
    private final StatefulRedisConnection<String, byte[]> connection;
    private final RedisCommands<String, byte[]> redis;
    private final Duration deadline;
    private final String uri;

    /**
     * Connects to {@code uri}.
     *
     * @param uri      e.g. {@code redis://127.0.0.1:6379}
     * @param deadline how long {@link #await} waits for an object before it fails
     * @throws IllegalArgumentException when {@code uri} is not a Redis URI
     */
    public RedisObjectStore(String uri, Duration deadline) {
        RedisURI parsed;
        try {
            parsed = RedisURI.create(uri);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("storage exchange: Redis URI '" + uri + "' (expected: e.g. redis://127.0.0.1:6379)", e);
        }
        this.uri = parsed.getHost() + ":" + parsed.getPort();
        this.deadline = deadline;
        this.client = RedisClient.create(parsed);
        try {
            this.connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        } catch (RuntimeException e) {
            client.shutdown();
            throw e;
        }
        this.redis = connection.sync();
        log.debug("storage exchange on Redis at {}", this.uri);
    }

    @Override
    public void put(String key, byte[] value) {
        redis.set(key, value, SetArgs.Builder.ex(TTL.toSeconds()));
    }

    @Override
    public byte[] await(String key) {
        long start = System.nanoTime();
        long pause = FIRST_POLL_NANOS;
        while (true) {
            byte[] v = redis.get(key);
            if (v != null) {
                return v;
            }
            if (System.nanoTime() - start > deadline.toNanos()) {
                throw new IllegalStateException("storage exchange: object " + key + " not in Redis at " + uri + " within " + deadline
                        + " (did every worker of the job start?)");
            }
            LockSupport.parkNanos(pause);
            if (Thread.currentThread().isInterrupted()) {
                throw new IllegalStateException("storage exchange: interrupted waiting for object " + key + " in Redis at " + uri);
            }
            pause = Math.min(2 * pause, LONGEST_POLL_NANOS);
        }
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
