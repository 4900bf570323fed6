package io.fmi.channel.redis;

import io.fmi.channel.Channel;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.ChannelProvider;
import io.fmi.model.ChannelModel;
import io.fmi.model.Family;
import io.lettuce.core.RedisClient;
import io.lettuce.core.resource.ClientResources;
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
 * <h2>Who owns the Lettuce resources</h2>
 * As in the AWS SDK v2, what you pass in stays yours to close, and what FMI creates, FMI shuts down:
 * <ul>
 *   <li>{@link #RedisChannelProvider()} (also what {@code ServiceLoader} uses): each channel builds
 *       a {@link RedisClient} and shuts it down when its communicator closes. The clients run on
 *       Lettuce {@link ClientResources} (event loops, timer) that FMI creates for the Redis
 *       channels open at the same time and shuts down when the last of them closes; no Lettuce or
 *       Netty thread outlives the communicators.</li>
 *   <li>{@link #RedisChannelProvider(ClientResources)}: each channel builds its client on your
 *       resources, with FMI's options, and shuts that client down at close; the resources stay
 *       open until you shut them down. Pass them to keep event loops across communicators, e.g.
 *       one set per warm Lambda container.</li>
 *   <li>{@link #RedisChannelProvider(RedisClient)}: channels use your client, its options and
 *       resources included (the URI still comes from the configuration), and never shut it down.</li>
 * </ul>
 * <pre>
 * static final ClientResources REDIS = DefaultClientResources.create();   // once per container; yours to shut down
 * ...
 * try (Communicator comm = Communicator.builder().config(cfg)
 *         .channelProvider(new RedisChannelProvider(REDIS)) ... .build()) { ... }
 * </pre>
 *
 * <p>Thread-safe; one provider may serve any number of communicators.
 */
public final class RedisChannelProvider implements ChannelProvider {
    /** The backend name in {@code fmi.json}: {@value}. */
    public static final String BACKEND = "Redis";

    private final RedisClient client;
    private final ClientResources resources;

    /** Each channel builds, and shuts down, a client of its own, on resources FMI creates and shuts down. */
    public RedisChannelProvider() {
        this.client = null;
        this.resources = null;
    }

    /**
     * Each channel builds a client on {@code resources} and shuts that client down when it closes;
     * {@code resources} stay the caller's to shut down.
     */
    public RedisChannelProvider(ClientResources resources) {
        this.client = null;
        this.resources = Objects.requireNonNull(resources, "resources");
    }

    /** Channels use {@code client}, which stays the caller's to shut down. */
    public RedisChannelProvider(RedisClient client) {
        this.client = Objects.requireNonNull(client, "client");
        this.resources = null;
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
     * plus the node for the time a job holds it; no request fees.
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
                .build();
    }

    /** 30: after Direct, before the stores that are polled. */
    @Override
    public int tieBreakRank() {
        return 30;
    }

    /**
     * {@inheritDoc} Here: disabled; Redis on this host's port 6379.
     */
    @Override
    public String defaultBackendJson() {
        return "{\"enabled\": false, \"host\": \"127.0.0.1\", \"port\": 6379, \"timeout\": 1, \"max_timeout\": 60000}";
    }

    @Override
    public Channel create(ChannelContext context) {
        return new RedisChannel(context, RedisSettings.from(context.backend()), client, resources);
    }
}
