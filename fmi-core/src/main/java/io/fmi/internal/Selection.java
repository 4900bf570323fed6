package io.fmi.internal;

import io.fmi.FmiConfig;
import io.fmi.Hint;
import io.fmi.Operation;
import io.fmi.channel.ChannelProvider;
import io.fmi.channel.ChannelProviders;
import io.fmi.model.ChannelModel;
import io.fmi.model.ChannelSelector;
import io.fmi.model.CostModel;
import io.fmi.model.SelectionPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The communicator's channel selector: a {@link ChannelSelector} over the usable backends, each
 * modelled by its provider's default model overlaid with the configuration's {@code "model"}
 * section, listed in the providers' tie-break order. A pure function of its inputs, so every rank
 * picks the same channel without talking.
 */
final class Selection {
    private final ChannelSelector selector;

    Selection(List<ChannelProvider> usable, FmiConfig config, Hint hint, int functionMemoryMiB, SelectionPolicy policy) {
        List<ChannelProvider> ordered = new ArrayList<>(usable);
        ordered.sort(ChannelProviders.TIE_BREAK_ORDER);
        Map<String, ChannelModel> models = new LinkedHashMap<>();
        for (ChannelProvider p : ordered) {
            models.put(p.backend(), ChannelProviders.model(config, p));
        }
        this.selector = new ChannelSelector(List.copyOf(models.keySet()), CostModel.fromConfig(config, models, functionMemoryMiB),
                hint, policy == null ? SelectionPolicy.BY_HINT : policy);
    }

    /** Backends in the selector's fixed tie-break order. */
    List<String> preference() {
        return selector.channels();
    }

    /** The backend for {@code op} moving {@code bytes} bytes per peer among {@code size} peers. */
    String select(Operation op, long bytes, int size) {
        return selector.select(op, bytes, size);
    }
}
