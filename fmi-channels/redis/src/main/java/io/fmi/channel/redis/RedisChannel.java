package io.fmi.channel.redis;

import io.fmi.ChannelException;
import io.fmi.FmiException;
import io.fmi.Operation;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.Deadline;
import io.fmi.channel.MediatedChannel;
import io.fmi.channel.OpContext;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.LMoveArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
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
 * the part after the prefix) with a TTL of {@code ttl_seconds}.
 *
 * <p>An object with <b>one reader</b> (point-to-point messages, gather and scatter blocks, ...) is
 * a list that its reader consumes, so nobody deletes it afterwards. Its one element, the head,
 * holds a header (number of further chunks, key) and a payload of up to 64 KiB (its first
 * {@code chunk_bytes} if smaller); the rest, or all of a larger payload (which is thus never
 * copied), is written first, in one {@code RPUSH}, to {@code <key>/chunks}, which the reader reads
 * and deletes once it has the head. The head is sent only once Redis acknowledged the chunks: when
 * a connection drops, Lettuce fails the oldest command awaiting a reply and sends the later ones
 * again, so a head pipelined behind its chunks could arrive without them. A head of up to 4 KiB
 * is written by one script ({@code EVALSHA}, {@code EVAL} when the server does not know it yet)
 * that does {@code RPUSH} and {@code PEXPIRE}: the list never exists without a TTL, and the writer
 * waits for one reply instead of two; a larger head (the script would copy it) by {@code RPUSH}
 * and {@code PEXPIRE}, pipelined. A 40 MiB message:
 * <pre>
 *   RPUSH   fmi/kmeans/run-7/p2p/3-5/17/chunks &lt;16 MiB&gt; &lt;16 MiB&gt; &lt;8 MiB&gt;
 *   PEXPIRE fmi/kmeans/run-7/p2p/3-5/17/chunks 86400000
 *   (both acknowledged)
 *   EVALSHA &lt;push&gt; 1 fmi/kmeans/run-7/p2p/3-5/17 &lt;3, key&gt; 86400000     an 8 B one: this alone, head &lt;0, key, 8 B&gt;
 *   (a head above 4 KiB: RPUSH + PEXPIRE of fmi/kmeans/run-7/p2p/3-5/17 instead)
 *   reader: BLMOVE fmi/kmeans/run-7/p2p/3-5/17 &lt;backup&gt; LEFT LEFT 1.0, LRANGE + DEL of .../chunks
 * </pre>
 * Repeated commands after a reconnect: an {@code RPUSH} (or the script) sent twice appends a second copy, which
 * is never delivered (every key is read once, and the reader reads only as many chunks as the
 * header says) and expires with the TTL. A take must not lose an object whose reply was lost, so
 * it moves the head into a <i>backup list</i> of its blocking connection
 * ({@code <key_prefix><comm>/<run>/taken/<rank>-<channel>/<n>}) rather than popping it: a move
 * that comes back empty or fails (Lettuce sending it again after a reconnect, when the first one
 * had moved the head already) is followed by {@code LINDEX <backup> 0}, which finds the head by
 * the key in its header. A backup list is cleared every 64 takes or 1 MiB, has a TTL (set right
 * after the move that creates it; after a restart that lost the server's data, only from its next
 * clearing on) and is deleted at close.
 *
 * <p>An object with <b>several readers</b> ({@code bcast}, {@code all}, {@code result}, the abort
 * marker) is a stream, because a reader can wait for it without consuming it, and a large payload
 * arrives as several entries that the reader takes as they come:
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
 * payload twice (Redis refuses the repeated id, which this channel takes as success). Each entry
 * after the first is sent only once the one before is acknowledged: when a connection drops,
 * Lettuce fails the oldest command awaiting a reply and sends the later ones again, so pipelined
 * entries could be stored without an earlier one, which Redis then refuses for good as below the
 * stream's top (and readers would wait for, or fail on, a chunk that never comes); a retry goes on
 * from the first entry not acknowledged. {@code NOMKSTREAM} keeps a late entry from creating the
 * stream without its TTL. Readers check that entry ids run without gaps. Chunks are
 * {@code chunk_bytes} (16 MiB by default; Redis refuses strings above 512 MiB).
 *
 * <p>Barrier counters are sets: {@link #increment} adds a token unique to the call and returns
 * the set's size in one script, so a retried call never counts twice.
 *
 * <h2>Connections</h2>
 * One multiplexed connection carries writes, counters, deletes and non-blocking reads; blocking
 * reads and takes use a connection of their own from a small pool, since a blocked connection
 * serves no other command. Connections open on first use. While the server is unreachable Lettuce queues
 * commands and reconnects (10 ms back-off doubling to 1 s); an operation waits for that until its
 * deadline and then fails with a {@link ChannelException} naming the server. Error replies that
 * say "try again" ({@code LOADING}, {@code BUSY}, {@code TRYAGAIN}, {@code MASTERDOWN},
 * {@code READONLY}, ...) are retried with back-off inside the deadline; others ({@code NOAUTH},
 * {@code WRONGPASS}, {@code NOPERM}, {@code OOM}, ...) fail at once.
 *
 * <h2>Ownership</h2>
 * The channel builds its own {@link RedisClient} on the JVM-wide {@link ClientResources} (event
 * loops shared by every Redis channel, as Lettuce recommends) and shuts the client down in
 * {@link #close()}; a client passed to {@link RedisChannelProvider#RedisChannelProvider(RedisClient)}
 * belongs to the caller and is left open.
 *
 * <pre>
 * "Redis": {"enabled": true, "uri": "rediss://fmi:secret@cache.example.com:6379/0", "ttl_seconds": 3600}
 * </pre>
 *
 * <p>Thread-safe.
 */
public final class RedisChannel extends MediatedChannel {
    private static final Logger log = LoggerFactory.getLogger(RedisChannel.class);

    private static final String CHUNKS = "n";
    private static final String DATA = "d";
    private static final int IDLE_BLOCKING_CONNECTIONS = 8;
    /** How long past its BLOCK time a blocking read may go unanswered before its connection counts as lost. */
    private static final long BLOCK_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final Duration MAX_RETRY_BACKOFF = Duration.ofSeconds(1);
    private static final Duration DELETE_TIMEOUT = Duration.ofSeconds(10);
    /** Payloads up to this size ride in a list object's head; larger ones go to its chunk list uncopied. */
    private static final int INLINE_BYTES = 64 << 10;
    /**
     * Heads up to this size are written by {@link #PUSH_SCRIPT}; larger ones by {@code RPUSH} and
     * {@code PEXPIRE}, since the script copies its arguments inside the server (a 64 KiB head took
     * 150-250 µs longer per round trip through it).
     */
    private static final int SCRIPT_BYTES = 4 << 10;
    /** Number of further chunks and key length at the start of a list object's head, the key follows. */
    private static final int HEADER_BYTES = 2 * Integer.BYTES;
    /** A blocking connection's backup list is cleared after this many takes ... */
    private static final int BACKUP_HEADS = 64;
    /** ... or once the first elements it holds reach this size. */
    private static final long BACKUP_BYTES = 1 << 20;
    /** What {@link #takeFrom} returns when the server did not answer in time. */
    private static final ByteBuffer UNANSWERED = ByteBuffer.allocate(0);

    /** Adds the caller's token to the set, refreshes its TTL, returns its size: an idempotent INCR. */
    private static final Script COUNT_SCRIPT = new Script("redis.call('SADD', KEYS[1], ARGV[1]) "
            + "redis.call('PEXPIRE', KEYS[1], ARGV[2]) "
            + "return redis.call('SCARD', KEYS[1])");
    /**
     * Appends the head of a list object and sets its TTL: one command, so the list never exists
     * without a TTL, and one reply to wait for.
     */
    private static final Script PUSH_SCRIPT = new Script("local n = redis.call('RPUSH', KEYS[1], ARGV[1]) "
            + "redis.call('PEXPIRE', KEYS[1], ARGV[2]) "
            + "return n");

    private final RedisSettings settings;
    private final RedisClient client;
    private final boolean ownsClient;
    private final ConcurrentLinkedDeque<Blocking> idle = new ConcurrentLinkedDeque<>();
    private final AtomicLong tokens = new AtomicLong();
    /** Distinguishes the backup lists of this channel from those of another channel of the same rank. */
    private final String instance = Integer.toHexString(ThreadLocalRandom.current().nextInt());
    private final AtomicLong backupSeq = new AtomicLong();
    /** Redis keys of every backup list this channel named, deleted at close. */
    private final Collection<String> backups = ConcurrentHashMap.newKeySet();
    /** Backup lists of connections given up while a move from the key may have been under way. */
    private final Map<String, List<String>> orphans = new ConcurrentHashMap<>();
    private final ByteBuffer ttlArg;
    private StatefulRedisConnection<String, ByteBuffer> shared;
    private volatile boolean closing;

    RedisChannel(ChannelContext context, RedisSettings settings, RedisClient client) {
        super(context);
        this.settings = settings;
        this.ownsClient = client == null;
        this.client = client != null ? client : newClient(settings);
        this.ttlArg = ascii(Long.toString(settings.ttlMillis));
    }

    private static RedisClient newClient(RedisSettings s) {
        RedisClient c = RedisClient.create(Resources.INSTANCE, s.uri);
        ClientOptions.Builder options = ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(s.connectTimeout).keepAlive(true).tcpNoDelay(true).build());
        s.caFile.ifPresent(ca -> options.sslOptions(SslOptions.builder().jdkSslProvider().trustManager(ca).build()));
        c.setOptions(options.build());
        return c;
    }

    /** Event loops shared by the Redis channels of this JVM; daemon threads, never shut down. */
    private static final class Resources {
        static final ClientResources INSTANCE = DefaultClientResources.builder()
                .ioThreadPoolSize(Math.max(2, Runtime.getRuntime().availableProcessors()))
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
    }

    /** The key in Redis of a channel key. */
    private String redisKey(String key) {
        return settings.keyPrefix + key;
    }

    // ---------------------------------------------------------------- store primitives

    @Override
    protected void put(String key, ByteBuffer value, int readers, OpContext op) {
        if (readers == 1) {
            push(key, value, op);
            return;
        }
        String k = redisKey(key);
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
        retrying(op, "put of " + k + " (" + length + " B)", () -> {
            RedisAsyncCommands<String, ByteBuffer> redis = shared(op).async();
            if (stored[0] == 0) {
                // Entry 0-1 and the TTL, pipelined: all of a one-chunk object.
                RedisFuture<String> add = redis.xadd(k, new XAddArgs().id(entryId(0)),
                        CHUNKS, ascii(Integer.toString(chunks)), DATA, parts[0].duplicate());
                RedisFuture<Boolean> expire = redis.pexpire(k, settings.ttlMillis);
                awaitEntry(add, k, 0, op);
                await(expire, op.deadline().remainingNanos(), op, "PEXPIRE " + k);
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
            return await(add, op.deadline().remainingNanos(), op, "XADD " + k + " " + entryId(i)) != null;
        } catch (RedisCommandExecutionException e) {
            if (!isRepeatedEntry(e)) {
                throw e;
            }
            // Entries are sent one at a time, so a stream already past this id holds it.
            log.trace("{} {} {} was already stored (command repeated after a reconnect)", context.logPrefix(), k, entryId(i));
            return true;
        }
    }

    /**
     * Stores an object with one reader as a list holding one element, the head: header (number of
     * further chunks, key) and, up to {@link #INLINE_BYTES}, the payload or its first chunk. Further
     * chunks (all of a larger payload, which is thus never copied) go first, in one {@code RPUSH},
     * to the list {@code <key>/chunks}, acknowledged before the head is sent, so a reader that
     * finds the head finds them all, and a move
     * that Lettuce repeats after a reconnect can only ever take a head. A head of up to
     * {@link #SCRIPT_BYTES} and its TTL are one command, {@link #PUSH_SCRIPT}.
     */
    private void push(String key, ByteBuffer value, OpContext op) {
        String k = redisKey(key);
        byte[] id = key.getBytes(StandardCharsets.UTF_8);
        int length = value.remaining();
        int start = value.position();
        int first = length > INLINE_BYTES ? 0 : Math.min(length, settings.chunkBytes);
        int chunks = 1 + (int) ((length - first + (long) settings.chunkBytes - 1) / settings.chunkBytes);
        ByteBuffer[] elements = new ByteBuffer[chunks];
        ByteBuffer head = ByteBuffer.allocate(HEADER_BYTES + id.length + first).putInt(chunks - 1).putInt(id.length).put(id);
        ByteBuffer part = value.duplicate();
        part.limit(start + first);
        head.put(part).flip();
        elements[0] = head;
        int at = first;
        for (int i = 1; i < chunks; i++) {
            int to = (int) Math.min(length, (long) at + settings.chunkBytes);
            ByteBuffer chunk = value.duplicate();
            chunk.limit(start + to).position(start + at);
            elements[i] = chunk;
            at = to;
        }
        String[] keys = {k};
        retrying(op, "put of " + k + " (" + length + " B)", () -> {
            RedisAsyncCommands<String, ByteBuffer> redis = shared(op).async();
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
                await(expire, op.deadline().remainingNanos(), op, "PEXPIRE " + ck);
                await(push, op.deadline().remainingNanos(), op, "RPUSH " + ck);
            }
            if (elements[0].remaining() <= SCRIPT_BYTES) {
                eval(PUSH_SCRIPT, redis, keys, op, "RPUSH " + k, elements[0].duplicate(), ttlArg.duplicate());
            } else {
                RedisFuture<Long> push = redis.rpush(k, elements[0].duplicate());
                RedisFuture<Boolean> expire = redis.pexpire(k, settings.ttlMillis);
                await(expire, op.deadline().remainingNanos(), op, "PEXPIRE " + k);
                await(push, op.deadline().remainingNanos(), op, "RPUSH " + k);
            }
            log.trace("{} pushed {} ({} B, {} chunks)", context.logPrefix(), k, length, chunks);
            return null;
        });
    }

    /** The list of the chunks after the first of list object {@code k}. */
    private static String chunksKey(String k) {
        return k + "/chunks";
    }

    private static boolean isRepeatedEntry(RedisCommandExecutionException e) {
        String m = e.getMessage();
        return m != null && m.contains("equal or smaller than the target stream top item");
    }

    @Override
    protected byte[] get(String key, long waitNanos, OpContext op) {
        String k = redisKey(key);
        if (waitNanos <= 0) {
            List<StreamMessage<String, ByteBuffer>> first = retrying(op, "read of " + k, () ->
                    await(shared(op).async().xread(XReadArgs.Builder.count(1), XReadArgs.StreamOffset.from(k, "0")),
                            op.deadline().remainingNanos(), op, "XREAD " + k));
            return first == null || first.isEmpty() ? null : assemble(k, first.get(0), null, op);
        }
        Blocking b = borrow(op);
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
            giveBack(b, healthy);
        }
    }

    /**
     * One {@code XREAD BLOCK}; an empty list when nothing came within {@code waitNanos}, null when
     * the server did not answer in time (the connection is then closed, its state being unknown).
     */
    private List<StreamMessage<String, ByteBuffer>> blockingRead(StatefulRedisConnection<String, ByteBuffer> conn, String k,
                                                                 String after, long count, long waitNanos, OpContext op) {
        long blockMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos + 999_999));
        return retrying(op, "read of " + k, () -> {
            RedisFuture<List<StreamMessage<String, ByteBuffer>>> f = conn.async()
                    .xread(XReadArgs.Builder.block(blockMs).count(count), XReadArgs.StreamOffset.from(k, after));
            try {
                return awaitOrNull(f, Math.min(op.deadline().remainingNanos() + BLOCK_GRACE_NANOS, waitNanos + BLOCK_GRACE_NANOS));
            } catch (TimeoutException e) {
                f.cancel(true);
                if (op.deadline().expired()) {
                    throw unreachable(op, "XREAD " + k, e);
                }
                log.debug("{} blocking read of {} not answered {} ms past its block time; reconnecting",
                        context.logPrefix(), k, TimeUnit.NANOSECONDS.toMillis(BLOCK_GRACE_NANOS));
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
            return bytesOf(first);
        }
        List<ByteBuffer> parts = new ArrayList<>(chunks);
        parts.add(first);
        String last = head.getId();
        Blocking borrowed = conn != null ? null : borrow(op);
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
                    throw unreachable(op, "XREAD " + k, null);
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
                giveBack(borrowed, true);
            }
        }
        return concat(k, parts, op);
    }

    private ChannelException lostChunk(String k, int i, int chunks, String found, OpContext op) {
        return new ChannelException(op.label() + ": " + k + " on Redis at " + settings.where + " lacks chunk " + (i + 1)
                + " of " + chunks + " (entry " + entryId(i) + "; found " + found + " instead) " + op.where());
    }

    private byte[] concat(String k, List<ByteBuffer> parts, OpContext op) {
        if (parts.size() == 1) {
            return bytesOf(parts.get(0));
        }
        long total = 0;
        for (ByteBuffer p : parts) {
            total += p.remaining();
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new ChannelException(op.label() + ": " + k + " holds " + total + " B, above the 2 GiB of one Java array " + op.where());
        }
        byte[] out = new byte[(int) total];
        int at = 0;
        for (ByteBuffer p : parts) {
            int len = p.remaining();
            p.duplicate().get(out, at, len);
            at += len;
        }
        return out;
    }

    @Override
    protected boolean takeRemoves() {
        return true;
    }

    /**
     * Takes a list object: {@code BLMOVE} of its first element into the backup list of a blocking
     * connection, where a move whose reply is lost is found again (see the class comment), then
     * {@code LRANGE} and {@code DEL} of further chunks, if any.
     */
    @Override
    protected byte[] take(String key, long waitNanos, OpContext op) {
        String k = redisKey(key);
        byte[] id = key.getBytes(StandardCharsets.UTF_8);
        if (!orphans.isEmpty()) {
            byte[] v = takeFromOrphans(k, id, op);
            if (v != null) {
                return v;
            }
        }
        Blocking b = borrow(op);
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
            if (!isHeadOf(head, id)) {
                throw new ChannelException(op.label() + ": " + k + " on Redis at " + settings.where
                        + " is not an FMI object (its element lacks the header naming it) " + op.where());
            }
            b.heads++;
            b.bytes += head.remaining();
            if (b.heads >= BACKUP_HEADS || b.bytes >= BACKUP_BYTES) {
                // Every head in the list belongs to a completed take.
                b.conn.async().del(b.backup);
                b.heads = 0;
                b.bytes = 0;
                b.expiring = false;
            }
            byte[] v = assembleList(k, head, b.conn, op);
            healthy = true;
            if (!orphans.isEmpty()) {
                dropOrphans(k, op);
            }
            return v;
        } finally {
            giveBack(b, healthy);
        }
    }

    /**
     * The first element of {@code k}, moved into the backup list of {@code b}; null when nothing
     * came within {@code waitNanos}, {@link #UNANSWERED} when the server did not answer in time.
     */
    private ByteBuffer takeFrom(Blocking b, String k, byte[] id, long waitNanos, OpContext op) {
        double blockSeconds = Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos + 999_999)) / 1000.0;
        int[] attempts = {0};
        return retrying(op, "take of " + k, () -> {
            RedisAsyncCommands<String, ByteBuffer> redis = b.conn.async();
            if (attempts[0]++ > 0) {
                // The failed attempt may have moved the head before its reply was lost.
                ByteBuffer kept = newestIn(b.backup, id, redis, op.deadline().remainingNanos() + BLOCK_GRACE_NANOS);
                if (kept != null) {
                    return kept;
                }
            }
            RedisFuture<ByteBuffer> move = redis.blmove(k, b.backup, LMoveArgs.Builder.leftLeft(), blockSeconds);
            boolean expire = !b.expiring;
            if (expire) {
                // Runs right after the move, which may have created the list: it never lives without a TTL.
                redis.pexpire(b.backup, settings.ttlMillis);
            }
            ByteBuffer head = awaitOrUnanswered(move, Math.min(op.deadline().remainingNanos(), waitNanos) + BLOCK_GRACE_NANOS);
            if (head == null) {
                // Nothing came, unless Lettuce repeated the move after a reconnect and the first one had moved it.
                return newestIn(b.backup, id, redis, BLOCK_GRACE_NANOS);
            }
            if (head != UNANSWERED && expire) {
                b.expiring = true;
            }
            return head;
        });
    }

    /**
     * The newest element of {@code backup} if it is the head of the object {@code id} (a move
     * pushes to the left, and nothing else moves into the list of a connection while one take
     * holds it), else null; {@link #UNANSWERED} when the server did not answer in time.
     */
    private ByteBuffer newestIn(String backup, byte[] id, RedisAsyncCommands<String, ByteBuffer> redis, long nanos) {
        ByteBuffer newest = awaitOrUnanswered(redis.lindex(backup, 0), nanos);
        return newest == null || newest == UNANSWERED || isHeadOf(newest, id) ? newest : null;
    }

    private static boolean isHeadOf(ByteBuffer head, byte[] id) {
        int at = head.position();
        if (head.remaining() < HEADER_BYTES || head.getInt(at + Integer.BYTES) != id.length
                || head.remaining() < HEADER_BYTES + id.length) {
            return false;
        }
        for (int i = 0; i < id.length; i++) {
            if (head.get(at + HEADER_BYTES + i) != id[i]) {
                return false;
            }
        }
        return true;
    }

    private static ByteBuffer awaitOrUnanswered(RedisFuture<ByteBuffer> f, long nanos) {
        try {
            return awaitOrNull(f, nanos);
        } catch (TimeoutException e) {
            f.cancel(true);
            return UNANSWERED;
        }
    }

    /** The payload of list object {@code k} whose first element is {@code head}, reading further chunks. */
    private byte[] assembleList(String k, ByteBuffer head, StatefulRedisConnection<String, ByteBuffer> conn, OpContext op) {
        int at = head.position();
        int idBytes = head.remaining() < HEADER_BYTES ? -1 : head.getInt(at + Integer.BYTES);
        if (idBytes < 0 || head.remaining() < HEADER_BYTES + idBytes) {
            throw new ChannelException(op.label() + ": " + k + " on Redis at " + settings.where
                    + " is not an FMI object (its first element has no header) " + op.where());
        }
        int more = head.getInt(at);
        if (more < 0) {
            throw new ChannelException(op.label() + ": " + k + " on Redis at " + settings.where
                    + " is not an FMI object (chunk count " + more + ") " + op.where());
        }
        ByteBuffer first = head.duplicate();
        first.position(at + HEADER_BYTES + idBytes);
        if (more == 0) {
            return bytesOf(first);
        }
        // Written before the head, by one RPUSH; a repeated RPUSH may have appended a copy, which is not read.
        String ck = chunksKey(k);
        List<ByteBuffer> rest = retrying(op, "read of " + ck, () ->
                await(conn.async().lrange(ck, 0, more - 1), op.deadline().remainingNanos(), op, "LRANGE " + ck));
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
        return concat(k, parts, op);
    }

    /** The object under {@code k} if the backup list of a connection given up while taking it holds it. */
    private byte[] takeFromOrphans(String k, byte[] id, OpContext op) {
        List<String> lists = orphans.get(k);
        if (lists == null) {
            return null;
        }
        StatefulRedisConnection<String, ByteBuffer> c = shared(op);
        for (String backup : lists) {
            ByteBuffer head = retrying(op, "read of " + backup, () ->
                    await(c.async().lindex(backup, 0), op.deadline().remainingNanos(), op, "LINDEX " + backup));
            if (head != null && isHeadOf(head, id)) {
                byte[] v = assembleList(k, head, c, op);
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
            shared(op).async().unlink(lists.toArray(new String[0]));
        }
    }

    @Override
    protected void delete(Collection<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        String[] ks = keys.stream().map(this::redisKey).toArray(String[]::new);
        OpContext op = new OpContext(Operation.BARRIER, "delete", OpContext.P2P_SEQ, Deadline.after(DELETE_TIMEOUT), context);
        RedisFuture<Long> f = shared(op).async().unlink(ks);
        try {
            awaitOrNull(f, DELETE_TIMEOUT.toNanos());
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
        ByteBuffer token = ascii(context.rank() + ":" + tokens.incrementAndGet());
        String[] keys = {k};
        return retrying(op, "increment of " + k, () ->
                eval(COUNT_SCRIPT, shared(op).async(), keys, op, "EVALSHA " + k, token.duplicate(), ttlArg.duplicate()));
    }

    @Override
    protected void closeStore() {
        deleteBackups();
        closing = true;
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
        if (ownsClient) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        log.debug("{} closed the Redis connections to {}", context.logPrefix(), settings.where);
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
            awaitOrNull(f, TimeUnit.SECONDS.toNanos(2));
        } catch (TimeoutException | RuntimeException e) {
            f.cancel(true);
            log.debug("{} deleting {} backup lists failed; the TTL will remove them: {}", context.logPrefix(), backups.size(), e.toString());
        }
    }

    // ---------------------------------------------------------------- connections

    /** A connection for blocking commands and the list its takes move objects into. */
    private static final class Blocking {
        final StatefulRedisConnection<String, ByteBuffer> conn;
        final String backup;
        /** First elements the backup list holds, and their bytes (as far as this connection knows). */
        int heads;
        long bytes;
        /** Whether the backup list has had its TTL set since it was last cleared. */
        boolean expiring;

        Blocking(StatefulRedisConnection<String, ByteBuffer> conn, String backup) {
            this.conn = conn;
            this.backup = backup;
        }
    }

    private synchronized StatefulRedisConnection<String, ByteBuffer> shared(OpContext op) {
        if (shared == null) {
            shared = connect(op);
        }
        return shared;
    }

    private Blocking borrow(OpContext op) {
        Blocking b = idle.poll();
        if (b != null) {
            return b;
        }
        String backup = redisKey(key("taken/" + context.rank() + "-" + instance + "/" + backupSeq.incrementAndGet()));
        backups.add(backup);
        return new Blocking(connect(op), backup);
    }

    private void giveBack(Blocking b, boolean healthy) {
        if (healthy && !closing && idle.size() < IDLE_BLOCKING_CONNECTIONS) {
            idle.push(b);
        } else {
            b.conn.closeAsync();
        }
    }

    private StatefulRedisConnection<String, ByteBuffer> connect(OpContext op) {
        if (closing) {
            throw new ChannelException(op.label() + ": the Redis channel is closed " + op.where());
        }
        return retrying(op, "connect", () -> {
            StatefulRedisConnection<String, ByteBuffer> c = client.connect(BufferCodec.INSTANCE, settings.uri);
            log.debug("{} connected to Redis at {}", context.logPrefix(), settings.where);
            return c;
        });
    }

    // ---------------------------------------------------------------- scripts

    /** A Lua script and its SHA1, by which {@code EVALSHA} names it. */
    private static final class Script {
        final String text;
        final String sha;

        Script(String text) {
            this.text = text;
            try {
                this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Runs {@code script} with {@code EVALSHA} and waits for its integer reply; sends it in full
     * ({@code EVAL}, which also caches it) when the server does not know it (new or restarted).
     */
    private Long eval(Script script, RedisAsyncCommands<String, ByteBuffer> redis, String[] keys, OpContext op, String what, ByteBuffer... args) {
        try {
            return await(redis.<Long>evalsha(script.sha, ScriptOutputType.INTEGER, keys, args), op.deadline().remainingNanos(), op, what);
        } catch (RedisCommandExecutionException e) {
            if (e.getMessage() == null || !e.getMessage().startsWith("NOSCRIPT")) {
                throw e;
            }
            return await(redis.<Long>eval(script.text, ScriptOutputType.INTEGER, keys, args), op.deadline().remainingNanos(), op, what);
        }
    }

    // ---------------------------------------------------------------- waiting and retrying

    private interface Call<T> {
        T run();
    }

    /**
     * Runs {@code call}, retrying what the server calls transient with back-off (10 ms doubling to
     * 1 s) until the operation's deadline; anything else fails at once.
     */
    private <T> T retrying(OpContext op, String what, Call<T> call) {
        long backoffMs = 10;
        int attempt = 0;
        while (true) {
            attempt++;
            RedisException failure;
            try {
                return call.run();
            } catch (RedisCommandExecutionException e) {
                if (!isTransient(e.getMessage())) {
                    throw refused(op, what, e);
                }
                failure = e;
            } catch (RedisConnectionException e) {
                RedisCommandExecutionException reply = replyIn(e);
                if (reply != null && !isTransient(reply.getMessage())) {
                    throw refused(op, what, reply);
                }
                failure = e;
            } catch (RedisException e) {
                // Command timeouts and closed connections: the server may come back.
                failure = e;
            }
            long left = op.deadline().remainingNanos();
            if (closing || left <= TimeUnit.MILLISECONDS.toNanos(backoffMs)) {
                throw unreachable(op, what + " (" + attempt + " attempts)", failure);
            }
            log.debug("{} {} on Redis at {} failed, retrying in {} ms: {}", context.logPrefix(), what, settings.where, backoffMs, failure.toString());
            sleep(backoffMs, op);
            backoffMs = Math.min(backoffMs * 2, MAX_RETRY_BACKOFF.toMillis());
        }
    }

    private static RedisCommandExecutionException replyIn(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RedisCommandExecutionException) {
                return (RedisCommandExecutionException) t;
            }
        }
        return null;
    }

    /** Error replies that a later attempt may not get (Redis' own "try again" codes). */
    static boolean isTransient(String reply) {
        if (reply == null) {
            return false;
        }
        String code = reply.split(" ", 2)[0];
        switch (code) {
            case "LOADING": case "BUSY": case "TRYAGAIN": case "CLUSTERDOWN": case "MASTERDOWN": case "READONLY":
            case "NOREPLICAS": case "UNBLOCKED":
                return true;
            default:
                return false;
        }
    }

    private ChannelException refused(OpContext op, String what, RedisCommandExecutionException e) {
        String reply = e.getMessage() == null ? "" : e.getMessage();
        String hint = reply.startsWith("OOM") ? " (the server reached its maxmemory limit)"
                : reply.startsWith("NOAUTH") || reply.startsWith("WRONGPASS") ? " (check password/username or the uri's credentials)"
                : reply.startsWith("NOPERM") ? " (the ACL user lacks a command or key pattern " + settings.keyPrefix + "*)"
                : "";
        return new ChannelException(op.label() + ": " + what + " refused by Redis at " + settings.where + ": " + reply + hint + " " + op.where(), e, false);
    }

    private ChannelException unreachable(OpContext op, String what, Throwable cause) {
        return new ChannelException(op.label() + ": " + what + " not done: Redis at " + settings.where
                + " did not answer within the deadline of " + op.deadline().timeout().toMillis() + " ms"
                + (cause == null ? "" : " (last error: " + cause.getMessage() + ")") + " " + op.where(), cause, true);
    }

    /** Waits for {@code f} up to {@code nanos}; a wait that runs out is an unreachable server. */
    private <T> T await(RedisFuture<T> f, long nanos, OpContext op, String what) {
        try {
            return awaitOrNull(f, nanos);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw unreachable(op, what, null);
        }
    }

    private static <T> T awaitOrNull(RedisFuture<T> f, long nanos) throws TimeoutException {
        try {
            return f.get(Math.max(1, nanos), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            throw new FmiException("interrupted while waiting for Redis", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RedisException) {
                throw (RedisException) c;
            }
            throw new RedisException(c);
        }
    }

    private void sleep(long ms, OpContext op) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw op.error("interrupted while waiting to retry Redis at " + settings.where);
        }
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] bytesOf(ByteBuffer b) {
        if (b.hasArray() && b.arrayOffset() == 0 && b.position() == 0 && b.remaining() == b.array().length) {
            return b.array();
        }
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Override
    public String toString() {
        return "RedisChannel" + context.logPrefix() + "->" + settings.where;
    }
}
