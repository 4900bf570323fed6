package io.fmi.examples.cli;

import io.fmi.BackendConfig;
import io.fmi.FmiConfig;
import io.fmi.channel.ChannelProviders;
import io.fmi.model.ChannelModel;
import io.fmi.model.ModelConfig;
import java.io.PrintStream;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The channel models the tools price: those of the channel providers on the class path (each
 * provider's default model under the configuration's {@code "model"} section), in the selector's
 * tie-break order, then those that only the configuration's {@code "model"} section describes.
 */
final class Models {
    private Models() {
    }

    /** The providers on the class path; a provider that failed to load is reported on {@code err}. */
    static ChannelProviders installed(PrintStream err) {
        ChannelProviders p = ChannelProviders.installed();
        p.failures().forEach(f -> err.println("skipping a channel provider that failed to load: " + f));
        return p;
    }

    /**
     * Every channel worth pricing, by backend name: each provider's model unless it is free and
     * instantaneous (the in-memory channels, which connect no functions), then each backend of
     * {@code config} without a provider that has a {@code "model"} entry.
     */
    static Map<String, ChannelModel> priced(FmiConfig config, PrintStream err) {
        ChannelProviders providers = installed(err);
        Map<String, ChannelModel> out = new LinkedHashMap<>();
        providers.models(config).forEach((name, m) -> {
            if (!free(m)) {
                out.put(name, m);
            }
        });
        for (BackendConfig b : config.backends().values()) {
            if (providers.find(b.name()).isEmpty()) {
                ModelConfig.channel(config, b.name(), null).ifPresent(m -> out.put(b.name(), m));
            }
        }
        return out;
    }

    /**
     * The models of those of {@code names} that have one (case-insensitive), in the providers'
     * tie-break order, then those that only a {@code "model"} entry describes, in the order given.
     */
    static Map<String, ChannelModel> named(FmiConfig config, Collection<String> names, PrintStream err) {
        ChannelProviders providers = installed(err);
        Map<String, ChannelModel> out = new LinkedHashMap<>();
        providers.list().forEach(p -> {
            if (names.stream().anyMatch(p.backend()::equalsIgnoreCase)) {
                out.put(p.backend(), ChannelProviders.model(config, p));
            }
        });
        for (String n : names) {
            if (providers.find(n).isEmpty()) {
                ModelConfig.channel(config, n, null).ifPresent(m -> out.put(n, m));
            }
        }
        return out;
    }

    /** Whether a model charges neither time nor money for anything. */
    static boolean free(ChannelModel m) {
        return m.overheadSeconds() == 0 && Double.isInfinite(m.bandwidthSingleBytesPerSec())
                && m.writePriceUsd() == 0 && m.readPriceUsd() == 0 && m.transferPriceUsdPerByte() == 0
                && m.infrastructureUsd(3600) == 0;
    }
}
