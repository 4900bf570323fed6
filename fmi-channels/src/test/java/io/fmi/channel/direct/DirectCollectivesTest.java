package io.fmi.channel.direct;

import io.fmi.FmiConfig;
import io.fmi.tcpunch.RendezvousServer;
import io.fmi.testing.CollectiveContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The collective contract over Direct on loopback, with a rendezvous server in this JVM. */
@ExtendWith(LeakCheck.class)
@Timeout(180)
class DirectCollectivesTest extends CollectiveContract {
    private static RendezvousServer server;

    @BeforeAll
    static void startServer() {
        server = DirectTesting.startServer();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Override
    protected FmiConfig config() {
        return DirectTesting.config(server);
    }

    @Override
    protected String expectedChannel() {
        return "direct";
    }
}
