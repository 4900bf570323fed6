package io.fmi.channel.dynamodb;

import io.fmi.Communicator;
import io.fmi.FmiConfig;
import io.fmi.channels.testing.DynamoDbServer;
import io.fmi.testing.CollectiveContract;
import java.time.Duration;
import java.util.function.Consumer;

/** The collective contract over DynamoDB Local (or LocalStack). */
class DynamoDbCollectivesTest extends CollectiveContract {
    @Override
    protected FmiConfig config() {
        return FmiConfig.defaults().withOnly("DynamoDB").withBackend("DynamoDB", DynamoDbServer.shared().backend());
    }

    @Override
    protected String expectedChannel() {
        return "dynamodb";
    }

    @Override
    protected int[] peerCounts() {
        return new int[] {1, 2, 3, 5};
    }

    @Override
    protected int[] lengths() {
        return new int[] {0, 1, 7, 20_000};
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
