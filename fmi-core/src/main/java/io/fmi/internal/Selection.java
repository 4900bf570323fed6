package io.fmi.internal;

import io.fmi.BackendConfig;
import io.fmi.FmiConfig;
import io.fmi.Hint;
import io.fmi.Operation;
import io.fmi.model.ChannelSelector;
import io.fmi.model.SelectionPolicy;
import java.util.ArrayList;
import java.util.List;

/**
 * The communicator's channel selector: a {@link ChannelSelector} over the usable backends with
 * the models of the configuration. A pure function of its inputs, so every rank picks the same
 * channel without talking.
 */
final class Selection {
    private final ChannelSelector selector;

    Selection(List<BackendConfig> usable, FmiConfig config, Hint hint, int size, int functionMemoryMiB) {
        this(usable, config, hint, size, functionMemoryMiB, SelectionPolicy.BY_HINT);
    }

    Selection(List<BackendConfig> usable, FmiConfig config, Hint hint, int size, int functionMemoryMiB, SelectionPolicy policy) {
        List<String> names = new ArrayList<>();
        usable.forEach(b -> names.add(b.name()));
        this.selector = ChannelSelector.forConfig(config, names, hint, functionMemoryMiB,
                policy == null ? SelectionPolicy.BY_HINT : policy);
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
