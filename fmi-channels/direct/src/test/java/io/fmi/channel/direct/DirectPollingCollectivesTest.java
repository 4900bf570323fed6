package io.fmi.channel.direct;

import io.fmi.FmiConfig;
import io.fmi.testing.CollectiveContract;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The collective contract with waiting threads that poll their sockets before they block ({@code spin_us}). */
@ExtendWith(LeakCheck.class)
@Timeout(180)
class DirectPollingCollectivesTest extends CollectiveContract {
    @RegisterExtension
    static final DirectTesting server = new DirectTesting();

    @Override
    protected FmiConfig config() {
        return server.config(d -> d.put("spin_us", 30));
    }

    @Override
    protected String expectedChannel() {
        return "direct";
    }

    @Override
    protected int[] peerCounts() {
        return new int[] {2, 3, 5, 8};
    }
}
