package io.fmi.channel.s3;

import io.fmi.Communicator;
import io.fmi.FmiConfig;
import io.fmi.channels.testing.S3Server;
import io.fmi.testing.CollectiveContract;
import java.time.Duration;
import java.util.function.Consumer;

/** The collective contract over s3proxy (or LocalStack): the counter-less algorithms. */
class S3CollectivesTest extends CollectiveContract {
    @Override
    protected FmiConfig config() {
        return FmiConfig.defaults().withOnly("S3").withBackend("S3", S3Server.shared().backend());
    }

    @Override
    protected String expectedChannel() {
        return "s3";
    }

    @Override
    protected int[] peerCounts() {
        return new int[] {1, 2, 3, 5};
    }

    @Override
    protected boolean everyRoot() {
        return false;
    }

    @Override
    protected Duration testTimeout() {
        return Duration.ofSeconds(90);
    }

    @Override
    protected Consumer<Communicator.Builder> builderOptions() {
        return b -> b.timeout(Duration.ofSeconds(30));
    }
}
