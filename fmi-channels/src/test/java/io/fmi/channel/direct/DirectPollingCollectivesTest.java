package io.fmi.channel.direct;

import io.fmi.FmiConfig;
import io.fmi.tcpunch.RendezvousServer;
import io.fmi.testing.CollectiveContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The collective contract with waiting threads that poll their sockets before they block ({@code spin_us}). */
@ExtendWith(LeakCheck.class)
@Timeout(180)
class DirectPollingCollectivesTest extends CollectiveContract {
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
        return DirectTesting.config(server, d -> d.put("spin_us", 30));
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
