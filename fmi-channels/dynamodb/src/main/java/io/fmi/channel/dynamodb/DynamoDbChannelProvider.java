package io.fmi.channel.dynamodb;

import io.fmi.channel.Channel;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.ChannelProvider;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Backend {@code "DynamoDB"}: creates a {@link DynamoDbChannel} per communicator. Found through
 * {@link java.util.ServiceLoader}; nothing touches the network until the first operation.
 *
 * <pre>
 * "DynamoDB": {"enabled": true, "table_name": "fmi", "region": "eu-central-1", "timeout": 50, "max_timeout": 60000}
 * "DynamoDB": {"enabled": true, "endpoint": "http://localhost:8000", "region": "us-east-1", "create": true}
 * </pre>
 *
 * <p>To share one SDK client (one per warm Lambda container), pass it in; it stays the caller's to
 * close. Thread-safe.
 */
public final class DynamoDbChannelProvider implements ChannelProvider {
    public static final String BACKEND = "DynamoDB";

    private final DynamoDbClient client;

    /** Each channel builds, and closes, a client of its own. */
    public DynamoDbChannelProvider() {
        this.client = null;
    }

    /** Channels use {@code client}, which stays the caller's to close. */
    public DynamoDbChannelProvider(DynamoDbClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    @Override
    public String backend() {
        return BACKEND;
    }

    @Override
    public Channel create(ChannelContext context) {
        return new DynamoDbChannel(context, client);
    }
}
