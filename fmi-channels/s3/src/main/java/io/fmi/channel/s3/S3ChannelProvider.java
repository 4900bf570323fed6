package io.fmi.channel.s3;

import io.fmi.channel.Channel;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.ChannelProvider;
import java.util.Objects;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Backend {@code "S3"}: creates an {@link S3Channel} per communicator. Found through
 * {@link java.util.ServiceLoader}; nothing touches the network until the first operation.
 *
 * <pre>
 * "S3": {"enabled": true, "bucket_name": "my-fmi-bucket", "s3_region": "eu-central-1", "timeout": 100, "max_timeout": 60000}
 * </pre>
 *
 * <p>To share one SDK client (one per warm Lambda container), pass it in; it stays the caller's to
 * close. Thread-safe.
 */
public final class S3ChannelProvider implements ChannelProvider {
    public static final String BACKEND = "S3";

    private final S3Client client;

    /** Each channel builds, and closes, a client of its own. */
    public S3ChannelProvider() {
        this.client = null;
    }

    /** Channels use {@code client}, which stays the caller's to close. */
    public S3ChannelProvider(S3Client client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    @Override
    public String backend() {
        return BACKEND;
    }

    @Override
    public Channel create(ChannelContext context) {
        return new S3Channel(context, client);
    }
}
