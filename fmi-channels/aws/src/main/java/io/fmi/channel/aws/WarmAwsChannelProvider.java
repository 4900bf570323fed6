package io.fmi.channel.aws;

import io.fmi.channel.Channel;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.ChannelProvider;
import io.fmi.lambda.WarmChannelProvider;
import io.fmi.model.ChannelModel;
import io.fmi.model.Family;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * A {@link WarmChannelProvider} for a channel on an AWS SDK client: one client per distinct
 * backend entry (region, endpoint, credentials and the rest of its keys), built by the first
 * channel that needs it and kept until {@link #close()}, so the communicators of successive
 * invocations in one warm Lambda container share a client and its open connections. Everything
 * but the channels' client comes from the backend's ordinary provider (name, family, default
 * model, tie-break rank, default entry), so the selector treats both alike.
 *
 * <pre>
 * public final class WarmMyStoreProvider extends WarmAwsChannelProvider&lt;MyStoreClient&gt; {
 *     public WarmMyStoreProvider() { super(new MyStoreProvider(), ctx -&gt; MyStoreChannel.newClient(ctx.backend())); }
 *     protected Channel create(ChannelContext ctx, MyStoreClient client) { return new MyStoreChannel(ctx, client); }
 * }
 * </pre>
 *
 * <p>This provider owns the clients; the channels it creates must leave them open. Thread-safe.
 *
 * @param <C> the SDK client
 */
public abstract class WarmAwsChannelProvider<C extends SdkAutoCloseable> implements WarmChannelProvider {
    private static final Logger log = LoggerFactory.getLogger(WarmAwsChannelProvider.class);

    private final ChannelProvider base;
    private final Function<ChannelContext, C> build;
    private final Map<String, C> clients = new ConcurrentHashMap<>();

    /**
     * @param base  the backend's ordinary provider, whose name, family and models this one reports
     * @param build builds a client for a channel's backend entry; does no network I/O
     */
    protected WarmAwsChannelProvider(ChannelProvider base, Function<ChannelContext, C> build) {
        this.base = Objects.requireNonNull(base, "base");
        this.build = Objects.requireNonNull(build, "build");
    }

    /** A channel over {@code client}, which it must leave open at close. */
    protected abstract Channel create(ChannelContext context, C client);

    @Override
    public final String backend() {
        return base.backend();
    }

    @Override
    public final String channelName() {
        return base.channelName();
    }

    @Override
    public final Family family() {
        return base.family();
    }

    @Override
    public final ChannelModel defaultModel() {
        return base.defaultModel();
    }

    @Override
    public final int tieBreakRank() {
        return base.tieBreakRank();
    }

    @Override
    public final String defaultBackendJson() {
        return base.defaultBackendJson();
    }

    @Override
    public final Channel create(ChannelContext context) {
        C client = clients.computeIfAbsent(context.backend().json().toString(), k -> {
            log.debug("{} building the {} client kept for this container", context.logPrefix(), base.backend());
            return build.apply(context);
        });
        return create(context, client);
    }

    /** How many clients this provider keeps now. */
    public final int clients() {
        return clients.size();
    }

    /** Closes every client; channels created later get new ones. */
    @Override
    public final void close() {
        List<C> all = new ArrayList<>(clients.values());
        clients.clear();
        all.forEach(SdkAutoCloseable::close);
        log.debug("closed {} kept {} clients", all.size(), base.backend());
    }
}
