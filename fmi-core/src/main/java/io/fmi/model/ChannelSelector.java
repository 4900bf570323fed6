package io.fmi.model;

import io.fmi.FmiConfig;
import io.fmi.Hint;
import io.fmi.Operation;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
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
 * <p>The choice is a pure function of (operation, bytes, size, hint, memory, configuration): every
 * peer computes it on its own and all agree without a message. Estimates use
 * {@link StrictMath}, so they are bit-identical on every CPU, and exact ties go to the channel
 * earlier in {@link #tieOrder}: in-memory first, then Direct, Redis, DynamoDB, S3, then channels
 * from outside by name.
 *
 * <pre>
 * ChannelSelector s = ChannelSelector.forConfig(config, List.of("Direct", "S3"), Hint.CHEAP, 1024, SelectionPolicy.BY_HINT);
 * s.select(Operation.ALLREDUCE, 672, 64);   // "Direct"
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
     * @param channels the usable channels (backend names); reordered into {@link #tieOrder}
     * @param model    their models
     * @param hint     what to optimise
     * @param policy   how to choose from the estimates
     */
    public ChannelSelector(Collection<String> channels, CostModel model, Hint hint, SelectionPolicy policy) {
        if (channels.isEmpty()) {
            throw new IllegalArgumentException("channels: empty (expected: at least one usable channel)");
        }
        this.channels = tieOrder(channels);
        this.model = Objects.requireNonNull(model, "model");
        this.hint = Objects.requireNonNull(hint, "hint");
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /** A selector over {@code channels} with the models of {@code config}. */
    public static ChannelSelector forConfig(FmiConfig config, Collection<String> channels, Hint hint, int functionMemoryMiB,
                                            SelectionPolicy policy) {
        return new ChannelSelector(channels, CostModel.fromConfig(config, functionMemoryMiB), hint, policy);
    }

    /**
     * {@code channels} in the fixed tie-break order: the built-in ones as in
     * {@link ModelConfig#DEFAULT_MODELS}, then the others by lower-case name.
     */
    public static List<String> tieOrder(Collection<String> channels) {
        List<String> sorted = new ArrayList<>(channels);
        sorted.sort(Comparator.comparingInt(ChannelSelector::builtinRank)
                .thenComparing(c -> c.toLowerCase(Locale.ROOT)));
        return List.copyOf(sorted);
    }

    private static int builtinRank(String channel) {
        for (int i = 0; i < ModelConfig.DEFAULT_MODELS.size(); i++) {
            if (ModelConfig.DEFAULT_MODELS.get(i).equalsIgnoreCase(channel)) {
                return i;
            }
        }
        return ModelConfig.DEFAULT_MODELS.size();
    }

    /** The usable channels in tie-break order. */
    public List<String> channels() {
        return channels;
    }

    public CostModel model() {
        return model;
    }

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
