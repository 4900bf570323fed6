package io.fmi.channel.redis;

import io.fmi.ChannelException;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.OpContext;
import io.lettuce.core.LMoveArgs;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Objects with <b>one reader</b> (point-to-point messages, gather and scatter blocks, ...): lists
 * that their reader consumes, so nobody deletes them afterwards.
 *
 * <p>A list object's one element, the {@link ListHead head}, holds a header (number of further
 * chunks, key) and a payload of up to 64 KiB (its first {@code chunk_bytes} if smaller); the rest,
 * or all of a larger payload (which is thus never copied), is written first, in one
 * {@code RPUSH}, to {@code <key>/chunks}, which the reader reads and deletes once it has the head.
 * The head is sent only once Redis acknowledged the chunks: when a connection drops, Lettuce fails
 * the oldest command awaiting a reply and sends the later ones again, so a head pipelined behind
 * its chunks could arrive without them. A head of up to 4 KiB is written by one script
 * ({@link LuaScript#PUSH}) that does {@code RPUSH} and {@code PEXPIRE}: the list never exists
 * without a TTL, and the writer waits for one reply instead of two; a larger head (the script
 * would copy it) by {@code RPUSH} and {@code PEXPIRE}, pipelined. A 40 MiB message:
 * <pre>
 *   RPUSH   fmi/kmeans/run-7/p2p/3-5/17/chunks &lt;16 MiB&gt; &lt;16 MiB&gt; &lt;8 MiB&gt;
 *   PEXPIRE fmi/kmeans/run-7/p2p/3-5/17/chunks 86400000
 *   (both acknowledged)
 *   EVALSHA &lt;push&gt; 1 fmi/kmeans/run-7/p2p/3-5/17 &lt;3, key&gt; 86400000     an 8 B one: this alone, head &lt;0, key, 8 B&gt;
 *   (a head above 4 KiB: RPUSH + PEXPIRE of fmi/kmeans/run-7/p2p/3-5/17 instead)
 *   reader: BLMOVE fmi/kmeans/run-7/p2p/3-5/17 &lt;backup&gt; LEFT LEFT 1.0, LRANGE + DEL of .../chunks
 * </pre>
 *
 * <p>Repeated commands after a reconnect: an {@code RPUSH} (or the script) sent twice appends a
 * second copy, which is never delivered (every key is read once, and the reader reads only as many
 * chunks as the header says) and expires with the TTL. A take must not lose an object whose reply
 * was lost, so it moves the head into the <i>backup list</i> of its blocking connection (see
 * {@link RedisConnections}) rather than popping it: a move that comes back empty or fails (Lettuce
 * sending it again after a reconnect, when the first one had moved the head already) is followed
 * by {@code LINDEX <backup> 0}, which finds the head by the key in its header. A backup list is
 * replaced by a new one every 64 takes or 1 MiB (the old one unlinked; a {@code DEL} of the same
 * name, repeated after a reconnect, could delete a head moved after it), has a TTL (sent right
 * behind the move that creates it and confirmed before that take returns, sent again if it
 * failed; when even that fails, behind every later move until Redis confirmed it; after a
 * restart that lost the server's data, only from its next replacement on) and is deleted at close.
 * A pair of pipelined commands that is given up is cancelled whole, so that Lettuce never sends an
 * {@code RPUSH} after a reconnect without the {@code PEXPIRE} behind it.
 * A connection given up while its move may still happen leaves its backup list as an
 * <i>orphan</i> of the key, looked into by the next take of that key.
 *
 * <p>Thread-safe: per-take state lives in the borrowed connection, orphans in concurrent maps.
 */
final class ListObjects {
    private static final Logger log = LoggerFactory.getLogger(ListObjects.class);

    /** Payloads up to this size ride in a list object's head; larger ones go to its chunk list uncopied. */
    private static final int INLINE_BYTES = 64 << 10;
    /**
     * Heads up to this size are written by {@link LuaScript#PUSH}; larger ones by {@code RPUSH} and
     * {@code PEXPIRE}, since the script copies its arguments inside the server (a 64 KiB head took
     * 150-250 µs longer per round trip through it).
     */
    private static final int SCRIPT_BYTES = 4 << 10;
    /** A blocking connection's backup list is cleared after this many takes ... */
    private static final int BACKUP_HEADS = 64;
    /** ... or once the first elements it holds reach this size. */
    private static final long BACKUP_BYTES = 1 << 20;
    /** What {@link #takeFrom} returns when the server did not answer in time. */
    private static final ByteBuffer UNANSWERED = ByteBuffer.allocate(0);

    private final ChannelContext context;
    private final RedisSettings settings;
    private final RedisCalls calls;
    private final RedisConnections connections;
    private final ByteBuffer ttlArg;
    /** Backup lists of connections given up while a move from the key may have been under way. */
    private final Map<String, List<String>> orphans = new ConcurrentHashMap<>();

    ListObjects(ChannelContext context, RedisSettings settings, RedisCalls calls, RedisConnections connections) {
        this.context = context;
        this.settings = settings;
        this.calls = calls;
        this.connections = connections;
        this.ttlArg = BufferCodec.ascii(Long.toString(settings.ttlMillis));
    }

    /**
     * Stores {@code value} under channel key {@code key} as a list holding one element, the head:
     * header and, up to {@link #INLINE_BYTES}, the payload or its first chunk. Further chunks go
     * first, in one {@code RPUSH}, to the list {@code <key>/chunks}, acknowledged before the head
     * is sent, so a reader that finds the head finds them all, and a move that Lettuce repeats
     * after a reconnect can only ever take a head. A head of up to {@link #SCRIPT_BYTES} and its
     * TTL are one command, {@link LuaScript#PUSH}, sent over an idle pooled connection when there
     * is one and the object has no further chunks, else over the shared connection.
     */
    void push(String key, ByteBuffer value, OpContext op) {
        String k = settings.keyPrefix + key;
        byte[] id = key.getBytes(StandardCharsets.UTF_8);
        int length = value.remaining();
        int start = value.position();
        int first = length > INLINE_BYTES ? 0 : Math.min(length, settings.chunkBytes);
        int chunks = 1 + (int) ((length - first + (long) settings.chunkBytes - 1) / settings.chunkBytes);
        ByteBuffer[] elements = new ByteBuffer[chunks];
        elements[0] = ListHead.encode(id, chunks - 1, value, first);
        int at = first;
        for (int i = 1; i < chunks; i++) {
            int to = (int) Math.min(length, (long) at + settings.chunkBytes);
            ByteBuffer chunk = value.duplicate();
            chunk.limit(start + to).position(start + at);
            elements[i] = chunk;
            at = to;
        }
        String[] keys = {k};
        // A small object goes over an idle pooled connection if there is one, the one this rank's
        // last take used, so that a message and its reply ride one socket and one event loop, as a
        // raw RPUSH/BLPOP client's do (8 B round trip, 12 runs each: median 1.09x raw Lettuce, at
        // most 1.22x, against 1.17x and 1.40x over the shared connection; docs/benchmarks.md).
        // Larger objects keep the shared connection, so that a rank reading a large object and
        // one writing another do not share one event loop.
        RedisConnections.Blocking own = chunks == 1 && elements[0].remaining() <= SCRIPT_BYTES ? connections.idleOrNull() : null;
        boolean healthy = false;
        try {
            put(k, keys, elements, chunks, length, own, op);
            healthy = true;
        } finally {
            if (own != null) {
                connections.giveBack(own, healthy);
            }
        }
    }

    /** {@link #push}'s commands, over {@code own} if not null, else over the shared connection. */
    private void put(String k, String[] keys, ByteBuffer[] elements, int chunks, int length, RedisConnections.Blocking own, OpContext op) {
        calls.retrying(op, "put of " + k + " (" + length + " B)", () -> {
            RedisAsyncCommands<String, ByteBuffer> redis = (own != null ? own.conn : connections.shared(op)).async();
            if (chunks > 1) {
                ByteBuffer[] rest = new ByteBuffer[chunks - 1];
                for (int i = 1; i < chunks; i++) {
                    rest[i - 1] = elements[i].duplicate();
                }
                String ck = chunksKey(k);
                RedisFuture<Long> push = redis.rpush(ck, rest);
                RedisFuture<Boolean> expire = redis.pexpire(ck, settings.ttlMillis);
                // Acknowledged before the head is sent: a command whose connection drops may fail
                // unsent while Lettuce sends the next ones again, which would leave a head without chunks.
                calls.awaitPair(push, expire, op, "RPUSH + PEXPIRE " + ck);
            }
            if (elements[0].remaining() <= SCRIPT_BYTES) {
                LuaScript.PUSH.eval(redis, keys, calls, op, "RPUSH " + k, elements[0].duplicate(), ttlArg.duplicate());
            } else {
                RedisFuture<Long> push = redis.rpush(k, elements[0].duplicate());
                RedisFuture<Boolean> expire = redis.pexpire(k, settings.ttlMillis);
                calls.awaitPair(push, expire, op, "RPUSH + PEXPIRE " + k);
            }
            log.trace("{} pushed {} ({} B, {} chunks)", context.logPrefix(), k, length, chunks);
            return null;
        });
    }

    /** The list of the chunks after the first of list object {@code k}. */
    private static String chunksKey(String k) {
        return k + "/chunks";
    }

    /**
     * Takes the list object under channel key {@code key}, waiting up to {@code waitNanos}:
     * {@code BLMOVE} of its head into the backup list of a blocking connection, where a move whose
     * reply is lost is found again, then {@code LRANGE} and {@code DEL} of further chunks, if any.
     * Null when nothing came in time.
     */
    byte[] take(String key, long waitNanos, OpContext op) {
        String k = settings.keyPrefix + key;
        byte[] id = key.getBytes(StandardCharsets.UTF_8);
        if (!orphans.isEmpty()) {
            byte[] v = takeFromOrphans(k, id, op);
            if (v != null) {
                return v;
            }
        }
        RedisConnections.Blocking b = connections.borrow(op);
        boolean healthy = false;
        try {
            ByteBuffer head = takeFrom(b, k, id, waitNanos, op);
            if (head == UNANSWERED) {
                // The move may still happen: look in this backup list again when taking k next time.
                orphans.computeIfAbsent(k, x -> new CopyOnWriteArrayList<>()).add(b.backup);
                return null;
            }
            if (head == null) {
                healthy = true;
                return null;
            }
            if (!ListHead.isHeadOf(head, id)) {
                throw new ChannelException(op.label() + ": " + k + " on Redis at " + settings.where
                        + " is not an FMI object (its element lacks the header naming it) " + op.where());
            }
            if (!b.expiring) {
                confirmTtl(b, op);
            }
            b.heads++;
            b.bytes += head.remaining();
            if (b.heads >= BACKUP_HEADS || b.bytes >= BACKUP_BYTES) {
                // Every head in the list belongs to a completed take.
                connections.clearBackup(b);
            }
            byte[] v = assemble(k, head, b.conn, op);
            healthy = true;
            if (!orphans.isEmpty()) {
                dropOrphans(k, op);
            }
            return v;
        } finally {
            connections.giveBack(b, healthy);
        }
    }

    /**
     * The first element of {@code k}, moved into the backup list of {@code b}; null when nothing
     * came within {@code waitNanos}, {@link #UNANSWERED} when the server did not answer in time.
     */
    private ByteBuffer takeFrom(RedisConnections.Blocking b, String k, byte[] id, long waitNanos, OpContext op) {
        double blockSeconds = Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos + 999_999)) / 1000.0;
        int[] attempts = {0};
        return calls.retrying(op, "take of " + k, () -> {
            RedisAsyncCommands<String, ByteBuffer> redis = b.conn.async();
            if (attempts[0]++ > 0) {
                // The failed attempt may have moved the head before its reply was lost.
                ByteBuffer kept = newestIn(b.backup, id, redis, op.deadline().remainingNanos() + RedisCalls.BLOCK_GRACE_NANOS);
                if (kept != null) {
                    return kept;
                }
            }
            if (!b.expiring) {
                b.expiring = ttlConfirmed(b);
            }
            RedisFuture<ByteBuffer> move = redis.blmove(k, b.backup, LMoveArgs.Builder.leftLeft(), blockSeconds);
            if (!b.expiring) {
                // Runs right after the move, which may have created the list; sent with every move until confirmed.
                b.expiry = redis.pexpire(b.backup, settings.ttlMillis);
            }
            ByteBuffer head = awaitOrUnanswered(move, Math.min(op.deadline().remainingNanos(), waitNanos) + RedisCalls.BLOCK_GRACE_NANOS);
            if (head == null) {
                // Nothing came, unless Lettuce repeated the move after a reconnect and the first one had moved it.
                return newestIn(b.backup, id, redis, RedisCalls.BLOCK_GRACE_NANOS);
            }
            return head;
        });
    }

    /**
     * Whether Redis confirmed the {@code PEXPIRE} last sent behind a move into {@code b}'s backup
     * list: answered 1, so the list has its TTL. Looked at without waiting, at the next take; one
     * not answered yet, failed, dropped with a connection or answered 0 (it ran before a move that
     * Lettuce repeated created the list) is sent again behind the next move.
     */
    private static boolean ttlConfirmed(RedisConnections.Blocking b) {
        RedisFuture<Boolean> f = b.expiry;
        if (f == null || !f.isDone()) {
            return false;
        }
        b.expiry = null;
        try {
            return Boolean.TRUE.equals(f.toCompletableFuture().getNow(null));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Makes sure, before a take that moved a head into {@code b}'s backup list returns, that the
     * list has its TTL: the {@code PEXPIRE} pipelined behind the move is answered right after it;
     * one that failed (a dropped connection fails the oldest command awaiting a reply, and does not
     * send it again) or answered 0 is sent once more and awaited. If that does not succeed either,
     * the take still returns its object and the next move sends the {@code PEXPIRE} again.
     */
    private void confirmTtl(RedisConnections.Blocking b, OpContext op) {
        RedisFuture<Boolean> f = b.expiry;
        b.expiry = null;
        try {
            if (f != null && Boolean.TRUE.equals(RedisCalls.awaitOrNull(f, RedisCalls.BLOCK_GRACE_NANOS))) {
                b.expiring = true;
                return;
            }
            f = b.conn.async().pexpire(b.backup, settings.ttlMillis);
            b.expiring = Boolean.TRUE.equals(RedisCalls.awaitOrNull(f, Math.min(op.deadline().remainingNanos(), RedisCalls.BLOCK_GRACE_NANOS)));
        } catch (TimeoutException | RedisException e) {
            if (f != null) {
                f.cancel(true);
            }
            log.debug("{} PEXPIRE of backup list {} not confirmed, sent again with the next move: {}", context.logPrefix(), b.backup, e.toString());
        }
    }

    /**
     * The newest element of {@code backup} if it is the head of the object {@code id} (a move
     * pushes to the left, and nothing else moves into the list of a connection while one take
     * holds it), else null; {@link #UNANSWERED} when the server did not answer in time.
     */
    private static ByteBuffer newestIn(String backup, byte[] id, RedisAsyncCommands<String, ByteBuffer> redis, long nanos) {
        ByteBuffer newest = awaitOrUnanswered(redis.lindex(backup, 0), nanos);
        return newest == null || newest == UNANSWERED || ListHead.isHeadOf(newest, id) ? newest : null;
    }

    private static ByteBuffer awaitOrUnanswered(RedisFuture<ByteBuffer> f, long nanos) {
        try {
            return RedisCalls.awaitOrNull(f, nanos);
        } catch (TimeoutException e) {
            f.cancel(true);
            return UNANSWERED;
        }
    }

    /** The payload of list object {@code k} whose first element is {@code head}, reading further chunks. */
    private byte[] assemble(String k, ByteBuffer head, StatefulRedisConnection<String, ByteBuffer> conn, OpContext op) {
        if (!ListHead.hasHeader(head)) {
            throw new ChannelException(op.label() + ": " + k + " on Redis at " + settings.where
                    + " is not an FMI object (its first element has no header) " + op.where());
        }
        int more = ListHead.more(head);
        if (more < 0) {
            throw new ChannelException(op.label() + ": " + k + " on Redis at " + settings.where
                    + " is not an FMI object (chunk count " + more + ") " + op.where());
        }
        ByteBuffer first = ListHead.payload(head);
        if (more == 0) {
            return BufferCodec.bytesOf(first);
        }
        // Written before the head, by one RPUSH; a repeated RPUSH may have appended a copy, which is not read.
        String ck = chunksKey(k);
        List<ByteBuffer> rest = calls.retrying(op, "read of " + ck, () ->
                calls.await(conn.async().lrange(ck, 0, more - 1), op.deadline().remainingNanos(), op, "LRANGE " + ck));
        if (rest.size() != more) {
            throw new ChannelException(op.label() + ": " + ck + " on Redis at " + settings.where + " lost chunks: "
                    + rest.size() + " of " + more + " left (expired or evicted?) " + op.where());
        }
        // Sent only now: a DEL pipelined with the LRANGE and repeated after a reconnect could delete them unread.
        conn.async().del(ck);
        List<ByteBuffer> parts = new ArrayList<>(more + 1);
        if (first.hasRemaining()) {
            parts.add(first);
        }
        parts.addAll(rest);
        return BufferCodec.join(k, parts, op);
    }

    /** The object under {@code k} if the backup list of a connection given up while taking it holds it. */
    private byte[] takeFromOrphans(String k, byte[] id, OpContext op) {
        List<String> lists = orphans.get(k);
        if (lists == null) {
            return null;
        }
        StatefulRedisConnection<String, ByteBuffer> c = connections.shared(op);
        for (String backup : lists) {
            ByteBuffer head = calls.retrying(op, "read of " + backup, () ->
                    calls.await(c.async().lindex(backup, 0), op.deadline().remainingNanos(), op, "LINDEX " + backup));
            if (head != null && ListHead.isHeadOf(head, id)) {
                byte[] v = assemble(k, head, c, op);
                dropOrphans(k, op);
                return v;
            }
        }
        return null;
    }

    /** Deletes the backup lists of connections given up while taking {@code k}, now that it is taken. */
    private void dropOrphans(String k, OpContext op) {
        List<String> lists = orphans.remove(k);
        if (lists != null) {
            connections.shared(op).async().unlink(lists.toArray(new String[0]));
        }
    }
}
