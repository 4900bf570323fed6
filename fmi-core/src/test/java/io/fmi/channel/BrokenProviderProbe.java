package io.fmi.channel;

import io.fmi.Communicator;
import io.fmi.FmiConfig;
import io.fmi.FmiConfigException;
import io.fmi.Operation;

/**
 * Builds a communicator inside a {@link ProviderClassLoader} that defines every {@code io.fmi}
 * class itself, so that the communicator discovers providers through that loader. Called by
 * reflection; answers in plain strings, which cross class loaders.
 */
public final class BrokenProviderProbe {
    private BrokenProviderProbe() {
    }

    /** "built &lt;channel of a send&gt;" or "failed &lt;message&gt; | cause &lt;cause&gt;". */
    public static String build(String configJson) {
        try (Communicator comm = Communicator.builder().config(FmiConfig.fromJson(configJson)).name("probe")
                .rank(0).size(2).build()) {
            return "built " + comm.channelFor(Operation.SEND, 8);
        } catch (FmiConfigException e) {
            return "failed " + e.getMessage() + " | cause " + e.getCause();
        }
    }
}
