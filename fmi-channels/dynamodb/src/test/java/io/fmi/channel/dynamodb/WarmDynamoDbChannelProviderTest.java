package io.fmi.channel.dynamodb;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fmi.channel.aws.WarmAwsChannelProvider;
import io.fmi.channels.testing.DynamoDbServer;
import io.fmi.channels.testing.WarmProviderContract;

class WarmDynamoDbChannelProviderTest extends WarmProviderContract {
    @Override
    protected WarmAwsChannelProvider<?> provider() {
        return new WarmDynamoDbChannelProvider();
    }

    @Override
    protected String backend() {
        return "DynamoDB";
    }

    @Override
    protected ObjectNode backendEntry() {
        return DynamoDbServer.shared().backend();
    }
}
