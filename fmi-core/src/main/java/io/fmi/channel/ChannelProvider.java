package io.fmi.channel;

/**
 * Creates the channel of one {@code fmi.json} backend. Providers are found with
 * {@link java.util.ServiceLoader} (list them in {@code META-INF/services/io.fmi.channel.ChannelProvider})
 * or passed to {@code Communicator.builder().channelProvider(...)}; a communicator uses the
 * providers whose backend is enabled in its configuration.
 *
 * <pre>
 * public final class MyProvider implements ChannelProvider {
 *     public String backend() { return "MyStore"; }          // "backends": {"MyStore": {"enabled": true, ...}}
 *     public Channel create(ChannelContext ctx) { return new MyChannel(ctx); }
 * }
 * </pre>
 *
 * <p>Implementations must be thread-safe and cheap to construct.
 */
public interface ChannelProvider {
    /** The backend name in {@code fmi.json}, e.g. {@code "Direct"}, {@code "Redis"}; matched case-insensitively. */
    String backend();

    /** The channel's short name in logs and {@code channelFor}; by default the backend name in lower case. */
    default String channelName() {
        return backend().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Creates the channel for one communicator. Must do no network I/O: channels connect on
     * first use, so building a communicator never blocks.
     */
    Channel create(ChannelContext context);
}
