package io.fmi.channel;

/**
 * A provider whose public constructors name its client library's class, as a provider that
 * accepts an injected client does: {@link java.util.ServiceLoader} cannot even look its
 * constructors up when {@link MissingClient} is absent.
 */
public final class BrokenProvider implements ChannelProvider {
    private final MissingClient client;

    /** Builds its own client. */
    public BrokenProvider() {
        this(new MissingClient());
    }

    /** Uses {@code client}. */
    public BrokenProvider(MissingClient client) {
        this.client = client;
    }

    @Override
    public String backend() {
        return "Broken";
    }

    @Override
    public Channel create(ChannelContext context) {
        throw new IllegalStateException("never reached: " + client);
    }
}
