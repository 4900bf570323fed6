package io.fmi.channel.s3;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fmi.channel.aws.WarmAwsChannelProvider;
import io.fmi.channels.testing.S3Server;
import io.fmi.channels.testing.WarmProviderContract;

class WarmS3ChannelProviderTest extends WarmProviderContract {
    @Override
    protected WarmAwsChannelProvider<?> provider() {
        return new WarmS3ChannelProvider();
    }

    @Override
    protected String backend() {
        return "S3";
    }

    @Override
    protected ObjectNode backendEntry() {
        return S3Server.shared().backend();
    }
}
