package io.fmi.channel.redis;

import io.fmi.channel.Channel;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.ChannelProvider;
import io.fmi.model.ChannelModel;
import io.fmi.model.Family;
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
    public Family family() {
        return Family.MEDIATED;
    }

    /**
     * The C++ FMI's Redis model: 5.2 ms per request, 100 MB/s per pair, 400 MB/s for the node,
     * plus the node's share; no request fees.
     */
    @Override
    public ChannelModel defaultModel() {
        // C++ FMI: 100 MB/s per pair, 400 MB/s for the node, 5.2 ms; instance USD 0.0038/h
        // as shipped there (smaller than any ElastiCache node today: cache.t4g.micro is
        // USD 0.016/h in us-east-1; set instance_price for your node). No request fees.
        // ms and MB/s scaled as ModelConfig scales the C++ keys, so the same figures in a
        // "model" entry give a bit-identical model.
        return ChannelModel.builder(BACKEND, family())
                .overheadSeconds(5.2 * 1e-3)
                .bandwidthSingleBytesPerSec(100 * 1e6)
                .bandwidthMultipleBytesPerSec(400 * 1e6)
                .infrastructureUsdPerHour(0.0038)
                .requestsPerHour(1000)
                .build();
    }

    /** 30: after Direct, before the stores that are polled. */
    @Override
    public int tieBreakRank() {
        return 30;
    }

    @Override
    public Channel create(ChannelContext context) {
        return new RedisChannel(context, RedisSettings.from(context.backend()), client);
    }
}
