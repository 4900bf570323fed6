package io.fmi.channel.direct;

import io.fmi.channel.Channel;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.ChannelProvider;
import java.util.function.Consumer;

/**
 * Backend {@code "Direct"}: TCP between peers through NAT hole punching ({@link DirectChannel}),
 * configured by the {@code "Direct"} entry of {@code fmi.json} ({@link DirectOptions}). Found by
 * {@link java.util.ServiceLoader}. Stateless and thread-safe; {@link #create} does no network I/O.
 */
public final class DirectChannelProvider implements ChannelProvider {
    public static final String BACKEND = "Direct";

    private final Consumer<DirectChannel> onCreate;

    public DirectChannelProvider() {
        this(c -> { });
    }

    /** For tests: sees every channel this provider creates. */
    DirectChannelProvider(Consumer<DirectChannel> onCreate) {
        this.onCreate = onCreate;
    }

    @Override
    public String backend() {
        return BACKEND;
    }

    @Override
    public Channel create(ChannelContext context) {
        DirectChannel c = new DirectChannel(context, DirectOptions.from(context.backend()));
        onCreate.accept(c);
        return c;
    }
}
