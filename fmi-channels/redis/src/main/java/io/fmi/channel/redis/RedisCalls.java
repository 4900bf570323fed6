package io.fmi.channel.redis;

import io.fmi.ChannelException;
import io.fmi.FmiException;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.OpContext;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a Redis channel waits for replies and what it makes of failures. Every wait is bounded by
 * the operation's deadline. Error replies that Redis itself calls transient (its "try again"
 * codes: {@code LOADING}, {@code BUSY}, {@code TRYAGAIN}, {@code MASTERDOWN}, {@code READONLY},
 * ...), command timeouts and dropped connections are retried with back-off, 10 ms doubling to
 * 1 s, until the deadline; other error replies ({@code NOAUTH}, {@code WRONGPASS},
 * {@code NOPERM}, {@code OOM}, ...) fail at once. Lettuce's exceptions leave as
 * {@link ChannelException}s naming the operation, the server and the limit: retryable when the
 * server did not answer in time, not retryable when it refused.
 *
 * <p>One per channel. Thread-safe: its one mutable state, whether the channel is closing (which
 * ends retrying), is volatile.
 */
final class RedisCalls {
    private static final Logger log = LoggerFactory.getLogger(RedisCalls.class);

    /** How long past its BLOCK time a blocking command may go unanswered before its connection counts as lost. */
    static final long BLOCK_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final Duration MAX_RETRY_BACKOFF = Duration.ofSeconds(1);

    private final RedisSettings settings;
    private final ChannelContext context;
    private volatile boolean closing;

    RedisCalls(RedisSettings settings, ChannelContext context) {
        this.settings = settings;
        this.context = context;
    }

    /** From now on nothing is retried: the channel is closing. */
    void close() {
        closing = true;
    }

    boolean closing() {
        return closing;
    }

    /**
     * Runs {@code call}, retrying what the server calls transient with back-off (10 ms doubling to
     * 1 s) until the operation's deadline; anything else fails at once.
     */
    <T> T retrying(OpContext op, String what, Supplier<T> call) {
        long backoffMs = 10;
        int attempt = 0;
        while (true) {
            attempt++;
            RedisException failure;
            try {
                return call.get();
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

    /** The error of an operation the server did not answer within its deadline. */
    ChannelException unreachable(OpContext op, String what, Throwable cause) {
        return new ChannelException(op.label() + ": " + what + " not done: Redis at " + settings.where
                + " did not answer within the deadline of " + op.deadline().timeout().toMillis() + " ms"
                + (cause == null ? "" : " (last error: " + cause.getMessage() + ")") + " " + op.where(), cause, true);
    }

    /** Waits for {@code f} up to {@code nanos}; a wait that runs out is an unreachable server. */
    <T> T await(RedisFuture<T> f, long nanos, OpContext op, String what) {
        try {
            return awaitOrNull(f, nanos);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw unreachable(op, what, null);
        }
    }

    /**
     * Waits for two pipelined commands, a write and the {@code PEXPIRE} behind it, within the
     * operation's deadline. When either fails or is not answered in time, both are cancelled
     * before the error leaves: a command still queued while Lettuce reconnects would otherwise be
     * sent later on its own, an {@code RPUSH} creating a list that never gets its TTL. (Lettuce
     * never writes a cancelled command; one already written runs with its partner right behind.)
     */
    void awaitPair(RedisFuture<?> write, RedisFuture<Boolean> expire, OpContext op, String what) {
        try {
            await(expire, op.deadline().remainingNanos(), op, what);
            await(write, op.deadline().remainingNanos(), op, what);
        } catch (RuntimeException e) {
            write.cancel(true);
            expire.cancel(true);
            throw e;
        }
    }

    /**
     * Waits for {@code f} up to {@code nanos} (at least 1 ns); a failed command throws its
     * {@link RedisException}, an interrupt re-sets the flag and throws {@link FmiException}.
     */
    static <T> T awaitOrNull(RedisFuture<T> f, long nanos) throws TimeoutException {
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
}
