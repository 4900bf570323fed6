package io.fmi.model;

import io.fmi.Hint;
import io.fmi.Operation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the channel of each operation: the {@link SelectionPolicy} (by default the argmin of
 * latency for {@link Hint#FAST}, of total cost for {@link Hint#CHEAP}) applied to the
 * {@link CostModel}'s estimates of every usable channel.
 *
 * <p>The choice is a pure function of (operation, bytes, size, hint, memory, models, channel
 * order): every peer computes it on its own and all agree without a message. Estimates use
 * {@link StrictMath}, so they are bit-identical on every CPU, and exact ties go to the channel
 * earlier in the list. The communicator lists its channels in the providers' tie-break order
 * ({@link io.fmi.channel.ChannelProviders#TIE_BREAK_ORDER}: by
 * {@link io.fmi.channel.ChannelProvider#tieBreakRank()}, then by name), which is the same on
 * every peer.
 *
 * <pre>
 * ChannelProviders providers = ChannelProviders.installed();
 * Map&lt;String, ChannelModel&gt; models = providers.models(config);      // in tie-break order
 * ChannelSelector s = new ChannelSelector(List.copyOf(models.keySet()),
 *         CostModel.fromConfig(config, models, 1024), Hint.CHEAP, SelectionPolicy.BY_HINT);
 * s.select(Operation.ALLREDUCE, 672, 64);   // the backend name of the cheapest channel
 * </pre>
 *
 * <p>Thread-safe. Decisions are logged at DEBUG the first time they are made.
 */
public final class ChannelSelector {
    private static final Logger log = LoggerFactory.getLogger(ChannelSelector.class);
    private static final int MAX_REMEMBERED = 4096;

    private final List<String> channels;
    private final CostModel model;
    private final Hint hint;
    private final SelectionPolicy policy;
    private final Map<Key, String> decided = new ConcurrentHashMap<>();

    /**
     * @param channels the usable channels (backend names) in tie-break order: an exact tie goes to
     *                 the earlier one, so every peer must list them in the same order
     * @param model    their models; a channel without one is chosen only when nothing else is usable
     * @param hint     what to optimise
     * @param policy   how to choose from the estimates
     */
    public ChannelSelector(List<String> channels, CostModel model, Hint hint, SelectionPolicy policy) {
        if (channels.isEmpty()) {
            throw new IllegalArgumentException("channels: empty (expected: at least one usable channel)");
        }
        this.channels = List.copyOf(channels);
        this.model = Objects.requireNonNull(model, "model");
        this.hint = Objects.requireNonNull(hint, "hint");
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /** The usable channels in tie-break order. */
    public List<String> channels() {
        return channels;
    }

    /** The models the estimates come from. */
    public CostModel model() {
        return model;
    }

    /** What this selector optimises. */
    public Hint hint() {
        return hint;
    }

    /** The estimate of every usable channel for {@code op}, in tie-break order. */
    public List<Estimate> estimates(Operation op, long bytes, int size) {
        List<Estimate> out = new ArrayList<>(channels.size());
        for (String c : channels) {
            out.add(model.estimate(c, op, bytes, size));
        }
        return out;
    }

    /**
     * The channel for {@code op} moving {@code bytes} among {@code size} peers.
     *
     * @throws IllegalStateException if the policy returns a channel that is not usable
     */
    public String select(Operation op, long bytes, int size) {
        Key key = new Key(op, bytes, size);
        String known = decided.get(key);
        if (known != null) {
            return known;
        }
        if (channels.size() == 1) {
            return remember(key, channels.get(0));
        }
        List<Estimate> estimates = estimates(op, bytes, size);
        String choice = policy.choose(op, bytes, size, hint, estimates);
        String usable = null;
        for (String c : channels) {
            if (c.equalsIgnoreCase(choice)) {
                usable = c;
            }
        }
        if (usable == null) {
            throw new IllegalStateException("selection policy chose '" + choice + "' for " + op.label()
                    + " (expected: one of " + channels + ")");
        }
        if (log.isDebugEnabled()) {
            log.debug("{} {} B among {} peers, hint {}: {} of {}", op.label(), bytes, size, hint, usable, estimates);
        }
        return remember(key, usable);
    }

    private String remember(Key key, String channel) {
        if (decided.size() >= MAX_REMEMBERED) {
            decided.clear();
        }
        decided.put(key, channel);
        return channel;
    }

    private record Key(Operation op, long bytes, int size) {
    }
}
