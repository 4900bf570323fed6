package io.fmi.channel.redis;

import io.fmi.channel.OpContext;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua scripts of the Redis channel, each run by its SHA1 ({@code EVALSHA}) and sent in full
 * ({@code EVAL}, which caches it again) when the server does not know it: new, restarted, or
 * after {@code SCRIPT FLUSH}. A script is one command, so what it does is atomic in the server
 * and a caller waits for one reply.
 *
 * <pre>
 *   EVALSHA &lt;COUNT&gt; 1 fmi/kmeans/run-7/c9/barrier &lt;rank:token&gt; 86400000    -&gt; the set's size
 *   EVALSHA &lt;PUSH&gt;  1 fmi/kmeans/run-7/p2p/3-5/17 &lt;head&gt; 86400000          -&gt; the list's length
 * </pre>
 *
 * <p>Immutable and thread-safe.
 */
final class LuaScript {
    /** Adds the caller's token to the set, refreshes its TTL, returns its size: an idempotent INCR. */
    static final LuaScript COUNT = new LuaScript("redis.call('SADD', KEYS[1], ARGV[1]) "
            + "redis.call('PEXPIRE', KEYS[1], ARGV[2]) "
            + "return redis.call('SCARD', KEYS[1])");
    /**
     * Appends the head of a list object and sets its TTL: one command, so the list never exists
     * without a TTL, and one reply to wait for.
     */
    static final LuaScript PUSH = new LuaScript("local n = redis.call('RPUSH', KEYS[1], ARGV[1]) "
            + "redis.call('PEXPIRE', KEYS[1], ARGV[2]) "
            + "return n");

    private final String text;
    private final String sha;

    private LuaScript(String text) {
        this.text = text;
        try {
            this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs this script with {@code EVALSHA} and waits for its integer reply within the operation's
     * deadline; sends it in full ({@code EVAL}) when the server does not know it.
     */
    Long eval(RedisAsyncCommands<String, ByteBuffer> redis, String[] keys, RedisCalls calls, OpContext op, String what, ByteBuffer... args) {
        try {
            return calls.await(redis.<Long>evalsha(sha, ScriptOutputType.INTEGER, keys, args), op.deadline().remainingNanos(), op, what);
        } catch (RedisCommandExecutionException e) {
            if (e.getMessage() == null || !e.getMessage().startsWith("NOSCRIPT")) {
                throw e;
            }
            return calls.await(redis.<Long>eval(text, ScriptOutputType.INTEGER, keys, args), op.deadline().remainingNanos(), op, what);
        }
    }
}
