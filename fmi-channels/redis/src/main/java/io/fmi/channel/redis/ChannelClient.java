package io.fmi.channel.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Lettuce {@link RedisClient} of one Redis channel, and what closing the channel shuts down.
 * The rule is the AWS SDK v2's: what the caller passed in stays the caller's, what FMI created,
 * FMI shuts down.
 *
 * <table>
 *   <caption>Who owns what</caption>
 *   <tr><th>{@link RedisChannelProvider} built with</th><th>the channel's client</th><th>{@link #close} shuts down</th></tr>
 *   <tr><td>a {@code RedisClient}</td><td>that client, its options and resources</td><td>nothing</td></tr>
 *   <tr><td>{@code ClientResources}</td><td>a new one on them, with FMI's options</td><td>that client, not the resources</td></tr>
 *   <tr><td>nothing</td><td>a new one on {@link SharedResources}, with FMI's options</td><td>that client, and the shared resources if no other channel holds them</td></tr>
 * </table>
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
    /** FMI's shared resources this channel holds, null when the caller provided resources or a client. */
    private final ClientResources shared;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ChannelClient(RedisClient client, boolean ownsClient, ClientResources shared) {
        this.client = client;
        this.ownsClient = ownsClient;
        this.shared = shared;
    }

    /**
     * The client of a channel with {@code settings}: {@code callerClient} if given, else one
     * built on {@code callerResources} if given, else one on FMI's shared resources. Does no I/O.
     */
    static ChannelClient open(RedisSettings settings, RedisClient callerClient, ClientResources callerResources) {
        if (callerClient != null) {
            return new ChannelClient(callerClient, false, null);
        }
        if (callerResources != null) {
            return new ChannelClient(newClient(callerResources, settings), true, null);
        }
        ClientResources shared = SharedResources.acquire();
        try {
            return new ChannelClient(newClient(shared, settings), true, shared);
        } catch (RuntimeException e) {
            SharedResources.release(shared);
            throw e;
        }
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

    /** Shuts down what FMI created for this channel (see the class comment); the first call only. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (ownsClient) {
                client.shutdown(Duration.ZERO, SHUTDOWN_TIMEOUT);
            }
        } finally {
            if (shared != null) {
                SharedResources.release(shared);
            }
        }
    }
}
