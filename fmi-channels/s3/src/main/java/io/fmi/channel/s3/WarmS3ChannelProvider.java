package io.fmi.channel.s3;

import io.fmi.channel.Channel;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.aws.WarmAwsChannelProvider;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Backend {@code "S3"} for {@link io.fmi.lambda.FmiLambda}: the channels of a warm Lambda
 * container share one {@code S3Client} per backend entry, with its open connections. Found through
 * {@link java.util.ServiceLoader} ({@code META-INF/services/io.fmi.lambda.WarmChannelProvider}).
 * Owns its clients. Thread-safe.
 */
public final class WarmS3ChannelProvider extends WarmAwsChannelProvider<S3Client> {
    /** For {@link java.util.ServiceLoader}. */
    public WarmS3ChannelProvider() {
        super(new S3ChannelProvider(), ctx -> S3Channel.newClient(ctx, S3Settings.from(ctx.backend())));
    }

    @Override
    protected Channel create(ChannelContext context, S3Client client) {
        return new S3Channel(context, client);
    }
}
