package io.fmi.channel.dynamodb;

import io.fmi.channel.Channel;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.aws.WarmAwsChannelProvider;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Backend {@code "DynamoDB"} for {@link io.fmi.lambda.FmiLambda}: the channels of a warm Lambda
 * container share one {@code DynamoDbClient} per backend entry, with its open connections. Found through
 * {@link java.util.ServiceLoader} ({@code META-INF/services/io.fmi.lambda.WarmChannelProvider}).
 * Owns its clients. Thread-safe.
 */
public final class WarmDynamoDbChannelProvider extends WarmAwsChannelProvider<DynamoDbClient> {
    /** For {@link java.util.ServiceLoader}. */
    public WarmDynamoDbChannelProvider() {
        super(new DynamoDbChannelProvider(), ctx -> DynamoDbChannel.newClient(ctx, DynamoDbSettings.from(ctx.backend())));
    }

    @Override
    protected Channel create(ChannelContext context, DynamoDbClient client) {
        return new DynamoDbChannel(context, client);
    }
}
