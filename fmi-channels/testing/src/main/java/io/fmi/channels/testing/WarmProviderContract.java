package io.fmi.channels.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fmi.FmiConfig;
import io.fmi.ReduceOp;
import io.fmi.channel.ChannelProvider;
import io.fmi.channel.aws.WarmAwsChannelProvider;
import io.fmi.local.LocalCluster;
import java.time.Duration;
import java.util.List;
import java.util.ServiceLoader;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a {@link WarmAwsChannelProvider} must do on a real server: serve successive communicators
 * (successive invocations of a warm Lambda container) with one client per backend entry, leave it
 * open when a communicator closes, and close it at its own close.
 *
 * <pre>
 * class WarmS3ChannelProviderTest extends WarmProviderContract {
 *     protected WarmAwsChannelProvider&lt;?&gt; provider() { return new WarmS3ChannelProvider(); }
 *     protected String backend() { return "S3"; }
 *     protected ObjectNode backendEntry() { return S3Server.shared().backend(); }
 * }
 * </pre>
 */
public abstract class WarmProviderContract {

    /** A new provider under test. */
    protected abstract WarmAwsChannelProvider<?> provider();

    /** Backend name in {@code fmi.json}, e.g. {@code "S3"}. */
    protected abstract String backend();

    /** An enabled backend entry reaching the server shared by this JVM's tests. */
    protected abstract ObjectNode backendEntry();

    private long sum(WarmAwsChannelProvider<?> provider, ObjectNode entry) {
        FmiConfig cfg = FmiConfig.defaults().withOnly(backend()).withBackend(backend(), entry);
        List<Long> sums = LocalCluster.run(cfg, 2, b -> b.channelProvider(provider).timeout(Duration.ofSeconds(30)), comm -> {
            long[] s = new long[1];
            comm.allreduce(new long[] {comm.rank() + 1}, s, ReduceOp.SUM);
            return s[0];
        });
        assertEquals(List.of(3L, 3L), sums);
        return sums.get(0);
    }

    @Test
    void shouldReportWhatTheOrdinaryProviderOfItsBackendReports() {
        ChannelProvider ordinary = ServiceLoader.load(ChannelProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.backend().equals(backend())).findFirst().orElseThrow();
        try (WarmAwsChannelProvider<?> warm = provider()) {
            assertEquals(ordinary.backend(), warm.backend());
            assertEquals(ordinary.channelName(), warm.channelName());
            assertEquals(ordinary.family(), warm.family());
            assertEquals(ordinary.tieBreakRank(), warm.tieBreakRank());
            assertEquals(ordinary.defaultBackendJson(), warm.defaultBackendJson());
            assertEquals(ordinary.defaultModel().family(), warm.defaultModel().family());
        }
    }

    @Test
    @Timeout(120)
    void shouldServeSuccessiveCommunicatorsWithOneClientPerBackendEntry() {
        String prefix = "warm-" + UUID.randomUUID();
        ObjectNode entry = backendEntry().put("key_prefix", prefix + "/a/");
        try (WarmAwsChannelProvider<?> provider = provider()) {
            // The second job runs on the client of the first: closing a communicator left it open.
            for (int job = 0; job < 2; job++) {
                sum(provider, entry);
                assertEquals(1, provider.clients(), "clients after job " + job);
            }
            sum(provider, entry.deepCopy().put("key_prefix", prefix + "/b/"));
            assertEquals(2, provider.clients(), "another backend entry gets a client of its own");
            provider.close();
            assertEquals(0, provider.clients());
        }
    }
}
