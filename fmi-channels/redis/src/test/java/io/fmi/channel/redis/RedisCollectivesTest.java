package io.fmi.channel.redis;

import io.fmi.Communicator;
import io.fmi.FmiConfig;
import io.fmi.channels.testing.RedisServer;
import io.fmi.testing.CollectiveContract;
import java.time.Duration;
import java.util.function.Consumer;

/** The collective contract over a real Redis server. */
class RedisCollectivesTest extends CollectiveContract {
    @Override
    protected FmiConfig config() {
        return FmiConfig.defaults().withOnly("Redis").withBackend("Redis", RedisServer.shared().backend());
    }

    @Override
    protected String expectedChannel() {
        return "redis";
    }

    @Override
    protected int[] peerCounts() {
        return new int[] {1, 2, 3, 5, 8};
    }

    @Override
    protected boolean everyRoot() {
        return false;
    }

    @Override
    protected Duration testTimeout() {
        return Duration.ofSeconds(60);
    }

    @Override
    protected Consumer<Communicator.Builder> builderOptions() {
        return b -> b.timeout(Duration.ofSeconds(20));
    }
}
