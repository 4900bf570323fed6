package io.fmi.channel.direct;

import io.fmi.FmiConfig;
import io.fmi.testing.CollectiveContract;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The collective contract over Direct on loopback, with a rendezvous server in this JVM. */
@ExtendWith(LeakCheck.class)
@Timeout(180)
class DirectCollectivesTest extends CollectiveContract {
    @RegisterExtension
    static final DirectTesting server = new DirectTesting();

    @Override
    protected FmiConfig config() {
        return server.config();
    }

    @Override
    protected String expectedChannel() {
        return "direct";
    }
}
