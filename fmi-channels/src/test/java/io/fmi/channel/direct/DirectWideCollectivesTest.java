package io.fmi.channel.direct;

import io.fmi.FmiConfig;
import io.fmi.tcpunch.RendezvousServer;
import io.fmi.testing.CollectiveContract;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The collective contract on 33 peers (up to 528 connections), with reduced lengths and roots. */
@ExtendWith(LeakCheck.class)
@Timeout(180)
class DirectWideCollectivesTest extends CollectiveContract {
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
        return DirectTesting.config(server, d -> d.put("spin_us", 0));
    }

    @Override
    protected String expectedChannel() {
        return "direct";
    }

    @Override
    protected int[] peerCounts() {
        return new int[] {33};
    }

    @Override
    protected int[] lengths() {
        return new int[] {0, 1, 7, 3000};
    }

    @Override
    protected boolean everyRoot() {
        return false;
    }

    @Override
    protected Duration testTimeout() {
        return Duration.ofSeconds(90);
    }
}
