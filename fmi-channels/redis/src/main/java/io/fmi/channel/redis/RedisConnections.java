package io.fmi.channel.redis;

import io.fmi.ChannelException;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.OpContext;
import io.lettuce.core.ConnectionFuture;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections of one Redis channel. One multiplexed connection, {@link #shared}, carries
 * writes, counters, deletes and non-blocking reads; blocking reads and takes use a connection of
 * their own, {@link #borrow borrowed} from a small pool, since a blocked connection serves no
 * other command. A small list object is written over a pooled connection that is {@link
 * #idleOrNull idle} at the time, if any (see {@link ListObjects#push}). Each pooled connection
 * comes with the backup list that its takes move objects into
 * ({@code <key_prefix><comm>/<run>/taken/<rank>-<channel>/<n>}, see {@link ListObjects}).
 * Connections open on first use, through {@link RedisCalls#retrying} (a server that is not up yet
 * is waited for until the deadline); while the server is unreachable Lettuce queues commands and
 * reconnects.
 *
 * <p>{@link #close} deletes the backup lists (if the server is at hand), closes every connection
 * and then the {@link ChannelClient}, which shuts down what FMI created.
 *
 * <p>Thread-safe: the shared connection is opened under this object's lock, the pool is a
 * concurrent deque; a borrowed connection belongs to its borrower until given back.
 */
final class RedisConnections {
    private static final Logger log = LoggerFactory.getLogger(RedisConnections.class);
    private static final int IDLE_BLOCKING_CONNECTIONS = 8;

    private final ChannelContext context;
    private final RedisSettings settings;
    private final RedisCalls calls;
    private final ChannelClient client;
    private final ConcurrentLinkedDeque<Blocking> idle = new ConcurrentLinkedDeque<>();
    /** Distinguishes the backup lists of this channel from those of another channel of the same rank. */
    private final String instance = Integer.toHexString(ThreadLocalRandom.current().nextInt());
    private final AtomicLong backupSeq = new AtomicLong();
    /** Redis keys of every backup list this channel named, deleted at close. */
    private final Collection<String> backups = ConcurrentHashMap.newKeySet();
    private StatefulRedisConnection<String, ByteBuffer> shared;

    RedisConnections(ChannelContext context, RedisSettings settings, RedisCalls calls, ChannelClient client) {
        this.context = context;
        this.settings = settings;
        this.calls = calls;
        this.client = client;
    }

    /** A connection for blocking commands and the list its takes move objects into. */
    static final class Blocking {
        final StatefulRedisConnection<String, ByteBuffer> conn;
        /** The backup list takes move into; a new one after each {@link #clearBackup clearing}. */
        String backup;
        /** First elements the backup list holds, and their bytes (as far as this connection knows). */
        int heads;
        long bytes;
        /** Whether Redis confirmed the backup list's TTL ({@code PEXPIRE} answered 1). */
        boolean expiring;
        /** The {@code PEXPIRE} sent behind the last move while {@link #expiring} was false, or null. */
        RedisFuture<Boolean> expiry;

        Blocking(StatefulRedisConnection<String, ByteBuffer> conn, String backup) {
            this.conn = conn;
            this.backup = backup;
        }
    }

    /** The multiplexed connection, opened on first use. */
    synchronized StatefulRedisConnection<String, ByteBuffer> shared(OpContext op) {
        if (shared == null) {
            shared = connect(op);
        }
        return shared;
    }

    /** An idle blocking connection, or a new one with a backup list of its own. */
    Blocking borrow(OpContext op) {
        Blocking b = idle.poll();
        if (b != null) {
            return b;
        }
        return new Blocking(connect(op), newBackup());
    }

    /**
     * The idle pooled connection given back last, or null when none is idle (a new one is not
     * opened); the caller gives it back with {@link #giveBack}.
     */
    Blocking idleOrNull() {
        return idle.poll();
    }

    private String newBackup() {
        String backup = settings.keyPrefix + context.scope() + "/taken/" + context.rank() + "-" + instance + "/" + backupSeq.incrementAndGet();
        backups.add(backup);
        return backup;
    }

    /**
     * Clears {@code b}'s backup list, every head in it belonging to a completed take: moves on to a
     * list of a new name and unlinks the old one. Not a {@code DEL} of the same name: Lettuce sends
     * a command again when the connection drops before its reply, so a repeated {@code DEL} could
     * run after the next take's move and delete the head it had just moved. The new list gets its
     * TTL with its first move; the old one, once its TTL was confirmed, is no longer deleted at
     * close (if the unlink does not land, the TTL removes it).
     */
    void clearBackup(Blocking b) {
        String old = b.backup;
        b.backup = newBackup();
        b.conn.async().unlink(old);
        if (b.expiring) {
            backups.remove(old);
        }
        b.heads = 0;
        b.bytes = 0;
        b.expiring = false;
        b.expiry = null;
    }

    /** Pools {@code b} again if it is {@code healthy} (its state known) and the pool has room, else closes it. */
    void giveBack(Blocking b, boolean healthy) {
        if (healthy && !calls.closing() && idle.size() < IDLE_BLOCKING_CONNECTIONS) {
            idle.push(b);
        } else {
            b.conn.closeAsync();
        }
    }

    private StatefulRedisConnection<String, ByteBuffer> connect(OpContext op) {
        if (calls.closing()) {
            throw new ChannelException(op.label() + ": the Redis channel is closed " + op.where());
        }
        return calls.retrying(op, "connect", () -> {
            // Bounded by the operation's deadline, not only by connect_timeout_ms: a connect begun
            // shortly before the deadline to a server that is going away held a wait 4 s past it.
            ConnectionFuture<StatefulRedisConnection<String, ByteBuffer>> f = client.client().connectAsync(BufferCodec.INSTANCE, settings.uri);
            StatefulRedisConnection<String, ByteBuffer> c;
            try {
                c = f.get(Math.max(1, op.deadline().remainingNanos()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                f.thenAccept(StatefulRedisConnection::close); // one that comes late is not used
                throw calls.unreachable(op, "connect", null);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RedisException ? (RedisException) e.getCause() : new RedisConnectionException(
                        "connect to " + settings.where + " failed", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ChannelException(op.label() + ": interrupted while connecting to Redis at " + settings.where + " " + op.where(), e);
            }
            log.debug("{} connected to Redis at {}", context.logPrefix(), settings.where);
            return c;
        });
    }

    /** Deletes the backup lists, closes every connection and the client; idempotent. */
    void close() {
        deleteBackups();
        calls.close();
        Blocking b;
        while ((b = idle.poll()) != null) {
            b.conn.close();
        }
        synchronized (this) {
            if (shared != null) {
                shared.close();
                shared = null;
            }
        }
        client.close();
    }

    /** Deletes the backup lists of the blocking connections, if the server is at hand. */
    private void deleteBackups() {
        StatefulRedisConnection<String, ByteBuffer> c;
        synchronized (this) {
            c = shared;
        }
        if (backups.isEmpty() || c == null || !c.isOpen()) {
            return;
        }
        RedisFuture<Long> f = c.async().unlink(backups.toArray(new String[0]));
        try {
            RedisCalls.awaitOrNull(f, TimeUnit.SECONDS.toNanos(2));
        } catch (TimeoutException | RuntimeException e) {
            f.cancel(true);
            log.debug("{} deleting {} backup lists failed; the TTL will remove them: {}", context.logPrefix(), backups.size(), e.toString());
        }
    }
}
