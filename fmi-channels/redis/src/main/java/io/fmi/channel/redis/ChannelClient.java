package io.fmi.channel.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Lettuce {@link RedisClient} of one Redis channel, and what closing the channel shuts down:
 * a client passed to {@link RedisChannelProvider#RedisChannelProvider(RedisClient)} stays the
 * caller's; otherwise the channel builds one, on the JVM-wide {@link ClientResources} (event loops
 * shared by every Redis channel, as Lettuce recommends), and {@link #close} shuts it down.
 *
 * <p>FMI's options: reconnect automatically, queue commands while disconnected (an operation
 * waits for the server until its deadline), {@code connect_timeout_ms}, TCP keep-alive and
 * no-delay, and {@code tls_ca_file} as trust store. A client of the caller's keeps its own.
 *
 * <p>Thread-safe; {@link #close} runs once, whoever calls it how often.
 */
final class ChannelClient implements AutoCloseable {
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);

    private final RedisClient client;
    private final boolean ownsClient;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ChannelClient(RedisClient client, boolean ownsClient) {
        this.client = client;
        this.ownsClient = ownsClient;
    }

    /** The client of a channel with {@code settings}: {@code callerClient} if given, else a new one. Does no I/O. */
    static ChannelClient open(RedisSettings settings, RedisClient callerClient) {
        if (callerClient != null) {
            return new ChannelClient(callerClient, false);
        }
        return new ChannelClient(newClient(Resources.INSTANCE, settings), true);
    }

    /** Event loops shared by the Redis channels of this JVM; daemon threads, never shut down. */
    private static final class Resources {
        static final ClientResources INSTANCE = DefaultClientResources.builder()
                .ioThreadPoolSize(Math.max(2, Runtime.getRuntime().availableProcessors()))
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
    }

    private static RedisClient newClient(ClientResources resources, RedisSettings s) {
        RedisClient c = RedisClient.create(resources, s.uri);
        ClientOptions.Builder options = ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(s.connectTimeout).keepAlive(true).tcpNoDelay(true).build());
        s.caFile.ifPresent(ca -> options.sslOptions(SslOptions.builder().jdkSslProvider().trustManager(ca).build()));
        c.setOptions(options.build());
        return c;
    }

    RedisClient client() {
        return client;
    }

    /** Shuts down the client if the channel built it; the first call only. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && ownsClient) {
            client.shutdown(Duration.ZERO, SHUTDOWN_TIMEOUT);
        }
    }
}
