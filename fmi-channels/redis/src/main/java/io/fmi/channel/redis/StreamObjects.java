package io.fmi.channel.redis;

import io.fmi.ChannelException;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.OpContext;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Objects with <b>several readers</b> ({@code bcast}, {@code all}, {@code result}, the abort
 * marker): streams, because a reader can wait for one without consuming it, and a large payload
 * arrives as several entries that the reader takes as they come.
 * <pre>
 *   XADD fmi/kmeans/run-7/c42/bcast 0-1 n 3 d &lt;chunk 0&gt;     entry 0-1: chunk count, first chunk
 *   PEXPIRE fmi/kmeans/run-7/c42/bcast 86400000                 pipelined with it; a one-chunk object ends here
 *   (both acknowledged)
 *   XADD fmi/kmeans/run-7/c42/bcast NOMKSTREAM 0-2 d &lt;chunk 1&gt;
 *   (acknowledged)
 *   XADD fmi/kmeans/run-7/c42/bcast NOMKSTREAM 0-3 d &lt;chunk 2&gt;
 *   reader: XREAD BLOCK 1000 COUNT 1 STREAMS fmi/kmeans/run-7/c42/bcast 0, then from 0-1 for the rest
 * </pre>
 * Entry ids are fixed, so a command that Lettuce sends again after a reconnect cannot store a
 * payload twice (Redis refuses the repeated id, which is taken as success). Each entry after the
 * first is sent only once the one before is acknowledged: when a connection drops, Lettuce fails
 * the oldest command awaiting a reply and sends the later ones again, so pipelined entries could
 * be stored without an earlier one, which Redis then refuses for good as below the stream's top
 * (and readers would wait for, or fail on, a chunk that never comes); a retry goes on from the
 * first entry not acknowledged. {@code NOMKSTREAM} keeps a late entry from creating the stream
 * without its TTL. Readers check that entry ids run without gaps. Chunks are {@code chunk_bytes}
 * (16 MiB by default; Redis refuses strings above 512 MiB).
 *
 * <p>Thread-safe: no state of its own beyond the channel's connections.
 */
final class StreamObjects {
    private static final Logger log = LoggerFactory.getLogger(StreamObjects.class);

    /** Field of entry {@code 0-1}: the number of chunks, in ASCII. */
    private static final String CHUNKS = "n";
    /** Field of every entry: its chunk. */
    private static final String DATA = "d";

    private final ChannelContext context;
    private final RedisSettings settings;
    private final RedisCalls calls;
    private final RedisConnections connections;

    StreamObjects(ChannelContext context, RedisSettings settings, RedisCalls calls, RedisConnections connections) {
        this.context = context;
        this.settings = settings;
        this.calls = calls;
        this.connections = connections;
    }

    /** Stores {@code value} under channel key {@code key} as a stream of one entry per chunk. */
    void put(String key, ByteBuffer value, OpContext op) {
        String k = settings.keyPrefix + key;
        int length = value.remaining();
        int chunks = Math.max(1, (int) ((length + (long) settings.chunkBytes - 1) / settings.chunkBytes));
        ByteBuffer[] parts = new ByteBuffer[chunks];
        for (int i = 0; i < chunks; i++) {
            int from = (int) Math.min(length, (long) i * settings.chunkBytes);
            int to = (int) Math.min(length, (long) from + settings.chunkBytes);
            ByteBuffer chunk = value.duplicate();
            chunk.limit(chunk.position() + to).position(chunk.position() + from);
            parts[i] = chunk;
        }
        // Entries acknowledged so far; a retry goes on from the first that is not.
        int[] stored = {0};
        calls.retrying(op, "put of " + k + " (" + length + " B)", () -> {
            RedisAsyncCommands<String, ByteBuffer> redis = connections.shared(op).async();
            if (stored[0] == 0) {
                // Entry 0-1 and the TTL, pipelined: all of a one-chunk object.
                RedisFuture<String> add = redis.xadd(k, new XAddArgs().id(entryId(0)),
                        CHUNKS, BufferCodec.ascii(Integer.toString(chunks)), DATA, parts[0].duplicate());
                RedisFuture<Boolean> expire = redis.pexpire(k, settings.ttlMillis);
                try {
                    awaitEntry(add, k, 0, op);
                    calls.await(expire, op.deadline().remainingNanos(), op, "PEXPIRE " + k);
                } catch (RuntimeException e) {
                    // Neither is sent later on its own (see RedisCalls.awaitPair); the retry sends both again.
                    add.cancel(true);
                    expire.cancel(true);
                    throw e;
                }
                stored[0] = 1;
            }
            // Each further entry is sent once the one before is acknowledged: when a connection drops,
            // Lettuce fails the oldest command awaiting a reply and sends the later ones again, so a
            // pipelined entry could be stored without the one before, which its id then keeps out for
            // good. NOMKSTREAM: an entry never creates the stream (which would lack the TTL).
            while (stored[0] < chunks) {
                int i = stored[0];
                RedisFuture<String> add = redis.xadd(k, new XAddArgs().id(entryId(i)).nomkstream(), DATA, parts[i].duplicate());
                if (!awaitEntry(add, k, i, op)) {
                    throw new ChannelException(op.label() + ": " + k + " on Redis at " + settings.where + " vanished while chunk "
                            + (i + 1) + " of " + chunks + " was written (expired or deleted?) " + op.where());
                }
                stored[0] = i + 1;
            }
            log.trace("{} put {} ({} B, {} chunks)", context.logPrefix(), k, length, chunks);
            return null;
        });
    }

    /** The id of the entry of a stream object that holds chunk {@code i}. */
    private static String entryId(int i) {
        return "0-" + (i + 1);
    }

    /**
     * Waits for the {@code XADD} of chunk {@code i} of {@code k}: true once stored (now, or by the
     * same command sent before, which Redis refuses as a repeated id), false when {@code NOMKSTREAM}
     * found no stream.
     */
    private boolean awaitEntry(RedisFuture<String> add, String k, int i, OpContext op) {
        try {
            return calls.await(add, op.deadline().remainingNanos(), op, "XADD " + k + " " + entryId(i)) != null;
        } catch (RedisCommandExecutionException e) {
            if (!isRepeatedEntry(e)) {
                throw e;
            }
            // Entries are sent one at a time, so a stream already past this id holds it.
            log.trace("{} {} {} was already stored (command repeated after a reconnect)", context.logPrefix(), k, entryId(i));
            return true;
        }
    }

    private static boolean isRepeatedEntry(RedisCommandExecutionException e) {
        String m = e.getMessage();
        return m != null && m.contains("equal or smaller than the target stream top item");
    }

    /**
     * The object under channel key {@code key}, without consuming it, waiting up to
     * {@code waitNanos} for it on a blocking connection (not at all when {@code waitNanos <= 0});
     * null when it did not appear in time.
     */
    byte[] get(String key, long waitNanos, OpContext op) {
        String k = settings.keyPrefix + key;
        if (waitNanos <= 0) {
            List<StreamMessage<String, ByteBuffer>> first = calls.retrying(op, "read of " + k, () ->
                    calls.await(connections.shared(op).async().xread(XReadArgs.Builder.count(1), XReadArgs.StreamOffset.from(k, "0")),
                            op.deadline().remainingNanos(), op, "XREAD " + k));
            return first == null || first.isEmpty() ? null : assemble(k, first.get(0), null, op);
        }
        RedisConnections.Blocking b = connections.borrow(op);
        boolean healthy = false;
        try {
            List<StreamMessage<String, ByteBuffer>> first = blockingRead(b.conn, k, "0", 1, waitNanos, op);
            if (first == null) {
                return null;
            }
            byte[] v = first.isEmpty() ? null : assemble(k, first.get(0), b.conn, op);
            healthy = true;
            return v;
        } finally {
            connections.giveBack(b, healthy);
        }
    }

    /**
     * One {@code XREAD BLOCK}; an empty list when nothing came within {@code waitNanos}, null when
     * the server did not answer in time (the connection is then closed, its state being unknown).
     */
    private List<StreamMessage<String, ByteBuffer>> blockingRead(StatefulRedisConnection<String, ByteBuffer> conn, String k,
                                                                 String after, long count, long waitNanos, OpContext op) {
        long blockMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos + 999_999));
        return calls.retrying(op, "read of " + k, () -> {
            RedisFuture<List<StreamMessage<String, ByteBuffer>>> f = conn.async()
                    .xread(XReadArgs.Builder.block(blockMs).count(count), XReadArgs.StreamOffset.from(k, after));
            try {
                return RedisCalls.awaitOrNull(f, Math.min(op.deadline().remainingNanos() + RedisCalls.BLOCK_GRACE_NANOS,
                        waitNanos + RedisCalls.BLOCK_GRACE_NANOS));
            } catch (TimeoutException e) {
                f.cancel(true);
                if (op.deadline().expired()) {
                    throw calls.unreachable(op, "XREAD " + k, e);
                }
                log.debug("{} blocking read of {} not answered {} ms past its block time; reconnecting",
                        context.logPrefix(), k, TimeUnit.NANOSECONDS.toMillis(RedisCalls.BLOCK_GRACE_NANOS));
                return null;
            }
        });
    }

    /** The payload of an object whose first entry is {@code head}, reading further chunks if it has them. */
    private byte[] assemble(String k, StreamMessage<String, ByteBuffer> head, StatefulRedisConnection<String, ByteBuffer> conn, OpContext op) {
        Map<String, ByteBuffer> body = head.getBody();
        ByteBuffer first = body.get(DATA);
        ByteBuffer n = body.get(CHUNKS);
        if (first == null || n == null) {
            throw new ChannelException(op.label() + ": " + k + " on Redis at " + settings.where
                    + " is not an FMI object (entry " + head.getId() + " lacks fields n and d) " + op.where());
        }
        int chunks = Integer.parseInt(StandardCharsets.US_ASCII.decode(n.duplicate()).toString());
        if (!head.getId().equals(entryId(0))) {
            throw lostChunk(k, 0, chunks, head.getId(), op);
        }
        if (chunks == 1) {
            return BufferCodec.bytesOf(first);
        }
        List<ByteBuffer> parts = new ArrayList<>(chunks);
        parts.add(first);
        String last = head.getId();
        RedisConnections.Blocking borrowed = conn != null ? null : connections.borrow(op);
        StatefulRedisConnection<String, ByteBuffer> c = conn != null ? conn : borrowed.conn;
        try {
            // The writer sends its chunks back to back, so the rest is at most one round trip behind.
            while (parts.size() < chunks) {
                long left = op.deadline().remainingNanos();
                if (left <= 0) {
                    throw op.timeout(-1, "chunks " + (parts.size() + 1) + ".." + chunks + " of " + k);
                }
                List<StreamMessage<String, ByteBuffer>> more = blockingRead(c, k, last, chunks - parts.size(), left, op);
                if (more == null) {
                    throw calls.unreachable(op, "XREAD " + k, null);
                }
                for (StreamMessage<String, ByteBuffer> m : more) {
                    // The writer sends an entry only once the one before is stored, so ids have no gaps.
                    if (!m.getId().equals(entryId(parts.size())) || m.getBody().get(DATA) == null) {
                        throw lostChunk(k, parts.size(), chunks, m.getId(), op);
                    }
                    parts.add(m.getBody().get(DATA));
                    last = m.getId();
                }
            }
        } finally {
            if (borrowed != null) {
                connections.giveBack(borrowed, true);
            }
        }
        return BufferCodec.join(k, parts, op);
    }

    private ChannelException lostChunk(String k, int i, int chunks, String found, OpContext op) {
        return new ChannelException(op.label() + ": " + k + " on Redis at " + settings.where + " lacks chunk " + (i + 1)
                + " of " + chunks + " (entry " + entryId(i) + "; found " + found + " instead) " + op.where());
    }
}
