package io.fmi.channel.redis;

import io.fmi.ChannelException;
import io.fmi.Operation;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.Deadline;
import io.fmi.channel.MediatedChannel;
import io.fmi.channel.OpContext;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.resource.ClientResources;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mediated channel over Redis, on Lettuce. Reads block in Redis ({@code BLMOVE},
 * {@code XREAD BLOCK}); nothing polls.
 *
 * <h2>Layout</h2>
 * Every object lives under {@code <key_prefix><comm>/<run>/...} (see {@link MediatedChannel} for
 * the part after the prefix) with a TTL of {@code ttl_seconds}. An object with <b>one reader</b>
 * (point-to-point messages, gather and scatter blocks, ...) is a list that its reader consumes
 * with {@code BLMOVE}, so nobody deletes it afterwards; an object with <b>several readers</b>
 * ({@code bcast}, {@code all}, {@code result}, the abort marker) is a stream, which a reader waits
 * for with {@code XREAD BLOCK} without consuming it. Barrier counters are sets: {@link #increment}
 * adds a token unique to the call and returns the set's size in one script, so a retried call
 * never counts twice. Member records, which claim a rank of a run and carry its heartbeat, are
 * plain strings ({@code RedisRecords}). A taken object of the wrong size is pushed back as it was
 * ({@link #untake}). {@code docs/channels-mediated.md} shows the commands, and why each is safe
 * when Lettuce sends it again after a reconnect.
 *
 * <h2>Connections</h2>
 * One multiplexed connection carries writes, counters, deletes and non-blocking reads; blocking
 * reads and takes use a connection of their own from a small pool, since a blocked connection
 * serves no other command. A small point-to-point write goes over an idle pooled connection when
 * there is one, so that a message and its reply ride one connection, as a raw client's do.
 * Connections open on first use. While the server is unreachable Lettuce queues commands and
 * reconnects; an operation waits for that until its deadline and then fails with a
 * {@link ChannelException} naming the server. Error replies that say "try again"
 * ({@code LOADING}, {@code BUSY}, {@code TRYAGAIN}, {@code MASTERDOWN}, {@code READONLY}, ...) are
 * retried with back-off inside the deadline; others ({@code NOAUTH}, {@code WRONGPASS},
 * {@code NOPERM}, {@code OOM}, ...) fail at once.
 *
 * <h2>Ownership</h2>
 * What the caller passed to the {@link RedisChannelProvider} stays the caller's; what FMI created,
 * {@link #close()} shuts down:
 * <ul>
 *   <li>a {@link RedisClient} passed in is used as it is and left open;</li>
 *   <li>with {@link ClientResources} passed in, the channel builds a client on them and shuts that
 *       client down at close, leaving the resources open;</li>
 *   <li>with neither, the channel builds a client on resources that FMI creates for the Redis
 *       channels open at the same time and shuts them down when the last of them closes, so no
 *       Lettuce or Netty thread outlives the communicators.</li>
 * </ul>
 *
 * <pre>
 * "Redis": {"enabled": true, "uri": "rediss://fmi:secret@cache.example.com:6379/0", "ttl_seconds": 3600}
 * </pre>
 *
 * <p>Thread-safe.
 */
public final class RedisChannel extends MediatedChannel {
    private static final Logger log = LoggerFactory.getLogger(RedisChannel.class);
    private static final Duration DELETE_TIMEOUT = Duration.ofSeconds(10);

    private final RedisSettings settings;
    private final RedisCalls calls;
    private final RedisConnections connections;
    private final ListObjects lists;
    private final StreamObjects streams;
    private final RedisRecords records;
    private final AtomicLong tokens = new AtomicLong();
    private final ByteBuffer ttlArg;

    /** A channel on {@code client} if given, else on a client built on {@code resources} if given, else on FMI's own. */
    RedisChannel(ChannelContext context, RedisSettings settings, RedisClient client, ClientResources resources) {
        super(context);
        this.settings = settings;
        this.ttlArg = BufferCodec.ascii(Long.toString(settings.ttlMillis));
        this.calls = new RedisCalls(settings, context);
        this.connections = new RedisConnections(context, settings, calls, ChannelClient.open(settings, client, resources));
        this.lists = new ListObjects(context, settings, calls, connections);
        this.streams = new StreamObjects(context, settings, calls, connections);
        this.records = new RedisRecords(settings, calls, connections);
    }

    /** The key in Redis of a channel key. */
    private String redisKey(String key) {
        return settings.keyPrefix + key;
    }

    @Override
    protected void put(String key, ByteBuffer value, int readers, OpContext op) {
        if (readers == 1) {
            lists.push(key, value, op);
        } else {
            streams.put(key, value, op);
        }
    }

    @Override
    protected byte[] get(String key, long waitNanos, OpContext op) {
        return streams.get(key, waitNanos, op);
    }

    @Override
    protected boolean takeRemoves() {
        return true;
    }

    /** Takes a list object, see {@code ListObjects}: what it returns is gone from Redis. */
    @Override
    protected byte[] take(String key, long waitNanos, OpContext op) {
        return lists.take(key, waitNanos, op);
    }

    /** Pushes the object back as a new list object of the same key: the take had consumed it. */
    @Override
    protected void untake(String key, byte[] value, OpContext op) {
        lists.push(key, ByteBuffer.wrap(value), op);
    }

    @Override
    protected boolean supportsRecords() {
        return true;
    }

    @Override
    protected boolean createRecord(String key, byte[] value, OpContext op) {
        return records.create(key, value, op);
    }

    @Override
    protected void writeRecord(String key, byte[] value, OpContext op) {
        records.write(key, value, op);
    }

    @Override
    protected byte[] readRecord(String key, OpContext op) {
        return records.read(key, op);
    }

    @Override
    protected void ping(Duration within) {
        records.ping(within, new OpContext(Operation.BARRIER, "ping", OpContext.P2P_SEQ, Deadline.after(within), context));
    }

    @Override
    protected void delete(Collection<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        String[] ks = keys.stream().map(this::redisKey).toArray(String[]::new);
        OpContext op = new OpContext(Operation.BARRIER, "delete", OpContext.P2P_SEQ, Deadline.after(DELETE_TIMEOUT), context);
        RedisFuture<Long> f = connections.shared(op).async().unlink(ks);
        try {
            RedisCalls.awaitOrNull(f, DELETE_TIMEOUT.toNanos());
            log.trace("{} deleted {} keys", context.logPrefix(), ks.length);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new ChannelException("delete of " + ks.length + " keys on Redis at " + settings.where + " not answered within 10 s", e, true);
        }
    }

    @Override
    protected boolean supportsCounters() {
        return true;
    }

    @Override
    protected long increment(String key, OpContext op) {
        String k = redisKey(key);
        // One token per call, reused by its retries: a repeated script adds nothing.
        ByteBuffer token = BufferCodec.ascii(context.rank() + ":" + tokens.incrementAndGet());
        String[] keys = {k};
        return calls.retrying(op, "increment of " + k, () ->
                LuaScript.COUNT.eval(connections.shared(op).async(), keys, calls, op, "EVALSHA " + k, token.duplicate(), ttlArg.duplicate()));
    }

    /** Closes the connections and shuts down what FMI created for this channel (see Ownership above). */
    @Override
    protected void closeStore() {
        connections.close();
        log.debug("{} closed the Redis connections to {}", context.logPrefix(), settings.where);
    }

    @Override
    public String toString() {
        return "RedisChannel" + context.logPrefix() + "->" + settings.where;
    }
}
