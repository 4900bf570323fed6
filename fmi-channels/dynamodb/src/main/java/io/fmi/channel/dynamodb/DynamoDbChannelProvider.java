package io.fmi.channel.dynamodb;

import io.fmi.channel.Channel;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.ChannelProvider;
import io.fmi.model.ChannelModel;
import io.fmi.model.Family;
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
    /** The backend name in {@code fmi.json}: {@value}. */
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
    public Family family() {
        return Family.MEDIATED;
    }

    /**
     * On-demand DynamoDB: 10 ms and 10 MB/s per request (assumed; calibrate it), no aggregate
     * cap, polled; billed per started KiB written and per started 4 KiB read.
     */
    @Override
    public ChannelModel defaultModel() {
        // The C++ FMI has no DynamoDB entry. On-demand prices of us-east-1 as published on
        // https://aws.amazon.com/dynamodb/pricing/on-demand/ (since the 1 November 2024 price cut:
        // USD 0.625 per million write request units of 1 KB, USD 0.125 per million read request
        // units of 4 KB, strongly consistent); 10 ms per request (AWS advertises "single-digit
        // millisecond" latency; a Lambda client adds a few) and 10 MB/s per request stream, an
        // assumption to replace by calibration.
        // ms and MB/s scaled as ModelConfig scales the C++ keys, so the same figures in a
        // "model" entry give a bit-identical model.
        return ChannelModel.builder(BACKEND, family())
                .overheadSeconds(10 * 1e-3)
                .bandwidthSingleBytesPerSec(10 * 1e6)
                .polling(true)
                .writePriceUsd(0.625e-6)
                .writeUnitBytes(1024)
                .readPriceUsd(0.125e-6)
                .readUnitBytes(4096)
                .includeInfrastructure(false)
                .build();
    }

    /** 40: after Redis, before S3. */
    @Override
    public int tieBreakRank() {
        return 40;
    }

    /**
     * {@inheritDoc} Here: disabled; table {@code fmi} in us-east-1, polled from every 50 ms.
     */
    @Override
    public String defaultBackendJson() {
        return "{\"enabled\": false, \"table_name\": \"fmi\", \"region\": \"us-east-1\", \"timeout\": 50, \"max_timeout\": 60000}";
    }

    @Override
    public Channel create(ChannelContext context) {
        return new DynamoDbChannel(context, client);
    }
}
