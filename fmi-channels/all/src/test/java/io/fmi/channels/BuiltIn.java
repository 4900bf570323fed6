package io.fmi.channels;

import io.fmi.FmiConfig;
import io.fmi.Hint;
import io.fmi.Operation;
import io.fmi.channel.ChannelProvider;
import io.fmi.channel.ChannelProviders;
import io.fmi.model.ChannelModel;
import io.fmi.model.ChannelSelector;
import io.fmi.model.CostModel;
import io.fmi.model.SelectionPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The models of the channels that ship with FMI, as their providers on this class path give them. */
final class BuiltIn {
    private BuiltIn() {
    }

    /** The C++ FMI's shipped {@code fmi.json}, verbatim (a resource of fmi-core's tests). */
    static FmiConfig cppConfig() {
        try (InputStream in = BuiltIn.class.getResourceAsStream("/fmi-cpp-config.json")) {
            return FmiConfig.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The default model of {@code backend}'s provider. */
    static ChannelModel defaults(String backend) {
        return ChannelProviders.installed().find(backend).orElseThrow().defaultModel();
    }

    /** Every provider's model under {@code config}, for functions of {@code memoryMiB}. */
    static CostModel cost(FmiConfig config, int memoryMiB) {
        return CostModel.fromConfig(config, ChannelProviders.installed().models(config), memoryMiB);
    }

    /** A selector over {@code channels}, listed in the providers' tie-break order as a communicator lists them. */
    static ChannelSelector selector(FmiConfig config, List<String> channels, Hint hint, SelectionPolicy policy) {
        Map<String, ChannelModel> models = new LinkedHashMap<>();
        List<String> ordered = new ArrayList<>();
        for (ChannelProvider p : ChannelProviders.installed().list()) {
            if (channels.stream().anyMatch(p.backend()::equalsIgnoreCase)) {
                models.put(p.backend(), ChannelProviders.model(config, p));
                ordered.add(p.backend());
            }
        }
        return new ChannelSelector(ordered, CostModel.fromConfig(config, models, 1024), hint, policy);
    }

    /** The default selector's choice among {@code channels} with the default configuration and 1 GiB functions. */
    static String pick(List<String> channels, Hint hint, Operation op, long bytes, int size) {
        return selector(FmiConfig.defaults(), channels, hint, SelectionPolicy.BY_HINT).select(op, bytes, size);
    }
}
