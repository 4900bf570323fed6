package io.fmi.channel.s3;

import io.fmi.channel.Channel;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.ChannelProvider;
import io.fmi.model.ChannelModel;
import io.fmi.model.Family;
import io.fmi.model.PollIntervalModel;
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
    /** The backend name in {@code fmi.json}: {@value}. */
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
    public Family family() {
        return Family.MEDIATED;
    }

    /**
     * The C++ FMI's S3 model: 40.4 ms per request, 50 MB/s per request and no aggregate cap (S3
     * scales out), polled; S3 Standard's request prices.
     */
    @Override
    public ChannelModel defaultModel() {
        // C++ FMI: 50 MB/s per request, 40.4 ms; S3 Standard in eu-central-1: USD 0.0054 per
        // 1000 PUT, USD 0.00043 per 1000 GET (https://aws.amazon.com/s3/pricing/); transfer
        // inside a region is free. S3 scales out: no aggregate cap.
        // ms and MB/s scaled as ModelConfig scales the C++ keys, so the same figures in a
        // "model" entry give a bit-identical model.
        return ChannelModel.builder(BACKEND, family())
                .overheadSeconds(40.4 * 1e-3)
                .bandwidthSingleBytesPerSec(50 * 1e6)
                .polling(true)
                .minPollIntervalSeconds(PollIntervalModel.DEFAULT_MIN_SECONDS)
                .writePriceUsd(0.0000054)
                .readPriceUsd(0.00000043)
                .includeInfrastructure(false)
                .build();
    }

    /** 50: last of the channels that ship with FMI. */
    @Override
    public int tieBreakRank() {
        return 50;
    }

    /**
     * {@inheritDoc} Here: disabled; bucket {@code fmi} in us-east-1, polled from every 100 ms.
     */
    @Override
    public String defaultBackendJson() {
        return "{\"enabled\": false, \"bucket_name\": \"fmi\", \"s3_region\": \"us-east-1\", \"timeout\": 100, \"max_timeout\": 60000}";
    }

    @Override
    public Channel create(ChannelContext context) {
        return new S3Channel(context, client);
    }
}
