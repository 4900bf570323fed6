package io.fmi.channel.redis;

import io.fmi.channel.Channel;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.ChannelProvider;
import io.lettuce.core.RedisClient;
import java.util.Objects;

/**
 * Backend {@code "Redis"}: creates a {@link RedisChannel} per communicator. Found through
 * {@link java.util.ServiceLoader}; the configuration is read and checked when the channel is
 * created, the connection is opened on first use.
 *
 * <pre>
 * "Redis": {"enabled": true, "host": "127.0.0.1", "port": 6379, "max_timeout": 60000}
 * "Redis": {"enabled": true, "uri": "rediss://cache.example.com:6379", "password_env": "REDIS_PASSWORD"}
 * </pre>
 *
 * <p>To share one Lettuce client between communicators (one per warm Lambda container), pass it
 * in: {@code Communicator.builder().channelProvider(new RedisChannelProvider(client))}. Its options
 * and resources are used, the URI still comes from the configuration, and the caller shuts it down.
 * Thread-safe.
 */
public final class RedisChannelProvider implements ChannelProvider {
    public static final String BACKEND = "Redis";

    private final RedisClient client;

    /** Each channel builds, and closes, a client of its own. */
    public RedisChannelProvider() {
        this.client = null;
    }

    /** Channels use {@code client}, which stays the caller's to shut down. */
    public RedisChannelProvider(RedisClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    @Override
    public String backend() {
        return BACKEND;
    }

    @Override
    public Channel create(ChannelContext context) {
        return new RedisChannel(context, RedisSettings.from(context.backend()), client);
    }
}
