package io.fmi.channel.redis;

import io.fmi.ChannelException;
import io.fmi.channel.OpContext;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.SetArgs;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Small records of the Redis channel, plain strings with the TTL: the member records that claim a
 * rank of a run and carry its heartbeat ({@code io.fmi.channel.StoreMembership}), and the
 * {@code PING} that tells an unavailable server from a peer that never wrote.
 * <pre>
 *   SET fmi/kmeans/run-7/member/3 "fmi-member v1 nonce=... beat=0 state=open pid=4711" NX PX 86400000    claim
 *   SET fmi/kmeans/run-7/member/3 "... beat=17 ..." PX 86400000                                          heartbeat
 *   GET fmi/kmeans/run-7/member/3                                                                         a peer's check
 * </pre>
 * A {@code SET NX} that Lettuce sends again after a reconnect answers "not set" for the record the
 * first one created; the membership reads the record back and finds its own nonce.
 *
 * <p>Thread-safe: no state of its own beyond the channel's connections.
 */
final class RedisRecords {
    private final RedisSettings settings;
    private final RedisCalls calls;
    private final RedisConnections connections;

    RedisRecords(RedisSettings settings, RedisCalls calls, RedisConnections connections) {
        this.settings = settings;
        this.calls = calls;
        this.connections = connections;
    }

    /** {@code SET NX PX}: whether this call created the record. */
    boolean create(String key, byte[] value, OpContext op) {
        String k = settings.keyPrefix + key;
        String reply = calls.retrying(op, "create of " + k, () -> calls.await(
                connections.shared(op).async().set(k, ByteBuffer.wrap(value), SetArgs.Builder.nx().px(settings.ttlMillis)),
                op.deadline().remainingNanos(), op, "SET NX " + k));
        return "OK".equals(reply);
    }

    /** {@code SET PX}. */
    void write(String key, byte[] value, OpContext op) {
        String k = settings.keyPrefix + key;
        calls.retrying(op, "write of " + k, () -> calls.await(
                connections.shared(op).async().set(k, ByteBuffer.wrap(value), SetArgs.Builder.px(settings.ttlMillis)),
                op.deadline().remainingNanos(), op, "SET " + k));
    }

    /** {@code GET}; null when the key does not exist. */
    byte[] read(String key, OpContext op) {
        String k = settings.keyPrefix + key;
        ByteBuffer v = calls.retrying(op, "read of " + k, () -> calls.await(
                connections.shared(op).async().get(k), op.deadline().remainingNanos(), op, "GET " + k));
        return v == null ? null : BufferCodec.bytesOf(v);
    }

    /** {@code PING} on the shared connection; a {@link ChannelException} naming the server when it does not answer in time. */
    void ping(Duration within, OpContext op) {
        RedisFuture<String> f = connections.shared(op).async().ping();
        try {
            RedisCalls.awaitOrNull(f, within.toNanos());
        } catch (TimeoutException | RuntimeException e) {
            f.cancel(true);
            throw new ChannelException(op.label() + ": Redis at " + settings.where + " did not answer a PING within "
                    + within.toMillis() + " ms" + (e instanceof TimeoutException ? "" : " (" + e.getMessage() + ")") + " " + op.where(),
                    e, true);
        }
    }
}
