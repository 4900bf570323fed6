package io.fmi.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.FmiConfig;
import io.fmi.FmiConfigException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ModelConfigTest {
    /** The C++ FMI's shipped fmi.json, verbatim. */
    static final String CPP_CONFIG = """
            {
              "backends": {
                "S3": {"enabled": false, "bucket_name": "romanboe-uploadtest", "s3_region": "eu-central-1", "timeout": 100, "max_timeout": 1000},
                "Redis": {"enabled": false, "host": "127.0.0.1", "port": 6379, "timeout": 1, "max_timeout": 1000},
                "Direct": {"enabled": true, "host": "127.0.0.1", "port": 10000, "max_timeout": 1000}
              },
              "model": {
                "FaaS": {"gib_second_price": 0.0000166667},
                "S3": {"bandwidth": 50.0, "overhead": 40.4, "transfer_price": 0.0, "download_price": 0.00000043, "upload_price": 0.0000054},
                "Redis": {"bandwidth_single": 100.0, "bandwidth_multiple": 400.0, "overhead": 5.2, "transfer_price": 0.0,
                          "instance_price": 0.0038, "requests_per_hour": 1000, "include_infrastructure_costs": true},
                "Direct": {"bandwidth": 400.0, "overhead": 0.34, "transfer_price": 0.0, "vm_price": 0.0134,
                           "requests_per_hour": 1000, "include_infrastructure_costs": true}
              }
            }
            """;

    @Test
    void shouldLoadTheCppConfigConvertedToSiUnits() {
        FmiConfig config = FmiConfig.fromJson(CPP_CONFIG);
        Map<String, ChannelModel> models = ModelConfig.channels(config);

        assertEquals(java.util.List.of("S3", "Redis", "Direct"), java.util.List.copyOf(models.keySet()));
        ChannelModel direct = models.get("Direct");
        assertEquals(0.34e-3, direct.overheadSeconds(), 1e-12);
        assertEquals(400e6, direct.bandwidthSingleBytesPerSec(), 1e-3);
        assertEquals(0.0134, direct.infrastructureUsdPerHour(), 1e-12);
        assertEquals(0.0134 / 1000, direct.infrastructureUsdPerOperation(), 1e-15);
        ChannelModel redis = models.get("Redis");
        assertEquals(5.2e-3, redis.overheadSeconds(), 1e-12);
        assertEquals(100e6, redis.bandwidthSingleBytesPerSec(), 1e-3);
        assertEquals(400e6, redis.bandwidthMultipleBytesPerSec(), 1e-3);
        assertFalse(redis.polling());
        ChannelModel s3 = models.get("S3");
        assertEquals(40.4e-3, s3.overheadSeconds(), 1e-12);
        assertEquals(50e6, s3.bandwidthSingleBytesPerSec(), 1e-3);
        assertEquals(5.4e-6, s3.writePriceUsd(), 1e-15);
        assertEquals(4.3e-7, s3.readPriceUsd(), 1e-15);
        assertTrue(s3.polling());
        assertEquals(0.100, s3.minPollIntervalSeconds(), 1e-12, "the backend's timeout (ms) is the poll floor");
        assertEquals(0.0000166667, ModelConfig.gibSecondPriceUsd(config), 1e-15);
    }

    @Test
    void shouldPreferSiKeysOverCppKeys() {
        FmiConfig config = FmiConfig.fromJson("""
                {"backends": {"Redis": {"enabled": true}},
                 "model": {"redis": {"overhead": 5.2, "overhead_s": 0.002, "bandwidth_single": 100, "bandwidth_bytes_per_s": 2.5e8}}}
                """);
        ChannelModel redis = ModelConfig.channel(config, "Redis").orElseThrow();
        assertEquals(0.002, redis.overheadSeconds(), 1e-12);
        assertEquals(2.5e8, redis.bandwidthSingleBytesPerSec(), 1e-3);
        assertEquals(400e6, redis.bandwidthMultipleBytesPerSec(), 1e-3, "missing keys keep their defaults");
    }

    @Test
    void shouldGiveDynamoDbDocumentedDefaultsWhenTheFileHasNone() {
        ChannelModel d = ModelConfig.channel(FmiConfig.defaults(), "DynamoDB").orElseThrow();
        assertEquals(0.625e-6, d.writePriceUsd(), 1e-15);
        assertEquals(1024, d.writeUnitBytes());
        assertEquals(0.125e-6, d.readPriceUsd(), 1e-15);
        assertEquals(4096, d.readUnitBytes());
        assertEquals(0.050, d.minPollIntervalSeconds(), 1e-12, "defaults() has DynamoDB timeout 50 ms");
    }

    @Test
    void shouldReadModelsOfChannelsFromOutsideAndIgnoreThoseWithout() {
        FmiConfig config = FmiConfig.fromJson("""
                {"backends": {"Mine": {"enabled": true}, "Other": {"enabled": true}},
                 "model": {"Mine": {"family": "peer_to_peer", "overhead_s": 0.001, "bandwidth_bytes_per_s": 1e9}}}
                """);
        ChannelModel mine = ModelConfig.channel(config, "Mine").orElseThrow();
        assertEquals(Family.PEER_TO_PEER, mine.family());
        assertEquals(0.001, mine.overheadSeconds(), 1e-12);
        assertTrue(ModelConfig.channel(config, "Other").isEmpty());
    }

    @Test
    void shouldAcceptNumericStringsAsTheCppReaderDoes() {
        FmiConfig config = FmiConfig.fromJson("{\"model\": {\"S3\": {\"overhead\": \"20\"}, \"FaaS\": {\"gib_second_price\": \"0.00001\"}}}");
        assertEquals(0.020, ModelConfig.channel(config, "S3").orElseThrow().overheadSeconds(), 1e-12);
        assertEquals(0.00001, ModelConfig.gibSecondPriceUsd(config), 1e-15);
    }

    @Test
    void shouldRejectValuesOfTheWrongTypeOrRange() {
        FmiConfigException text = assertThrows(FmiConfigException.class,
                () -> ModelConfig.channel(FmiConfig.fromJson("{\"model\": {\"S3\": {\"overhead\": \"fast\"}}}"), "S3"));
        assertTrue(text.getMessage().contains("model.S3.overhead"), text.getMessage());
        FmiConfigException negative = assertThrows(FmiConfigException.class,
                () -> ModelConfig.channel(FmiConfig.fromJson("{\"model\": {\"Redis\": {\"bandwidth_single\": -1}}}"), "Redis"));
        assertTrue(negative.getMessage().contains("bandwidthSingleBytesPerSec"), negative.getMessage());
    }

    @Test
    void shouldWriteCalibratedModelsInCppUnitsThatLoadBack() {
        ChannelModel m = ChannelModel.builder("Redis", Family.MEDIATED).overheadSeconds(0.0031)
                .bandwidthSingleBytesPerSec(250e6).bandwidthMultipleBytesPerSec(1e9).build();
        var json = ModelConfig.toJson(m);
        assertEquals(3.1, json.get("overhead").asDouble(), 1e-9);
        FmiConfig back = FmiConfig.fromJson("{\"model\": {\"Redis\": " + json + "}}");
        ChannelModel loaded = ModelConfig.channel(back, "Redis").orElseThrow();
        assertEquals(0.0031, loaded.overheadSeconds(), 1e-9);
        assertEquals(250e6, loaded.bandwidthSingleBytesPerSec(), 1);
        assertEquals(1e9, loaded.bandwidthMultipleBytesPerSec(), 1);
    }
}
