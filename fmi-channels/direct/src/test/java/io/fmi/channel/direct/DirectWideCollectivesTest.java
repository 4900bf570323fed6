package io.fmi.channel.direct;

import io.fmi.FmiConfig;
import io.fmi.testing.CollectiveContract;
import java.time.Duration;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The collective contract on 33 peers (up to 528 connections), with reduced lengths and roots.
 * The checks beyond the equal-block collectives run on up to 16 peers in
 * {@link DirectCollectivesTest}; here they would add a quarter of a minute for no other path.
 */
@ExtendWith(LeakCheck.class)
@Timeout(180)
class DirectWideCollectivesTest extends CollectiveContract {
    @RegisterExtension
    static final DirectTesting server = new DirectTesting();

    @Override
    protected FmiConfig config() {
        return server.config(d -> d.put("spin_us", 0));
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
    protected int[] morePeerCounts() {
        return new int[0];
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
