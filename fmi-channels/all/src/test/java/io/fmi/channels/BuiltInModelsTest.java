package io.fmi.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.FmiConfig;
import io.fmi.channel.ChannelProviders;
import io.fmi.model.ChannelModel;
import io.fmi.model.Family;
import io.fmi.model.ModelConfig;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The default models of the channels that ship with FMI, from their providers, and the C++ FMI's file read over them. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class BuiltInModelsTest {
    @Test
    void shouldLoadTheCppConfigConvertedToSiUnits() {
        FmiConfig config = BuiltIn.cppConfig();
        Map<String, ChannelModel> models = ChannelProviders.installed().models(config);

        ChannelModel direct = models.get("Direct");
        assertEquals(Family.PEER_TO_PEER, direct.family());
        assertEquals(0.34e-3, direct.overheadSeconds(), 1e-12);
        assertEquals(400e6, direct.bandwidthSingleBytesPerSec(), 1e-3);
        assertEquals(0.0134, direct.infrastructureUsdPerHour(), 1e-12);
        // requests_per_hour (1000 in the C++ file) is read and not used: the VM is priced by the time held
        assertEquals(1.0, direct.infrastructureUtilisation());
        assertEquals(0.0134 / 3600, direct.infrastructureUsd(1), 1e-15);
        ChannelModel redis = models.get("Redis");
        assertEquals(Family.MEDIATED, redis.family());
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
    void shouldShipTheCppFiguresAsTheDefaultsBitForBit() {
        // The C++ file's model section restates Direct's, Redis' and S3's defaults; reading it over
        // them changes nothing but S3's poll floor, which its backend entry's timeout sets.
        Map<String, ChannelModel> models = ChannelProviders.installed().models(BuiltIn.cppConfig());
        assertEquals(BuiltIn.defaults("Direct").toString(), models.get("Direct").toString());
        assertEquals(BuiltIn.defaults("Redis").toString(), models.get("Redis").toString());
        assertEquals(BuiltIn.defaults("S3").toBuilder().minPollIntervalSeconds(0.1).build().toString(), models.get("S3").toString());
        for (String c : new String[] {"Direct", "Redis", "S3"}) {
            ChannelModel d = BuiltIn.defaults(c);
            ChannelModel read = models.get(c);
            assertEquals(d.overheadSeconds(), read.overheadSeconds(), 0, c);
            assertEquals(d.bandwidthSingleBytesPerSec(), read.bandwidthSingleBytesPerSec(), 0, c);
            assertEquals(d.bandwidthMultipleBytesPerSec(), read.bandwidthMultipleBytesPerSec(), 0, c);
        }
    }

    @Test
    void shouldGiveDynamoDbDocumentedDefaultsWhenTheFileHasNone() {
        ChannelModel d = ChannelProviders.installed().models(FmiConfig.defaults()).get("DynamoDB");
        assertEquals(10e-3, d.overheadSeconds(), 1e-15);
        assertEquals(0.625e-6, d.writePriceUsd(), 1e-15);
        assertEquals(1024, d.writeUnitBytes());
        assertEquals(0.125e-6, d.readPriceUsd(), 1e-15);
        assertEquals(4096, d.readUnitBytes());
        assertEquals(0.050, d.minPollIntervalSeconds(), 1e-12, "defaults() has DynamoDB timeout 50 ms");
    }

    @Test
    void shouldStateEachChannelsFamily() {
        Map<String, ChannelModel> models = ChannelProviders.installed().models(FmiConfig.fromJson("{}"));
        assertEquals(Family.PEER_TO_PEER, models.get("Local").family());
        assertEquals(Family.PEER_TO_PEER, models.get("Direct").family());
        for (String c : new String[] {"LocalStore", "Redis", "S3", "DynamoDB"}) {
            assertEquals(Family.MEDIATED, models.get(c).family(), c);
        }
        ChannelProviders.installed().list().forEach(p -> assertEquals(p.family(), p.defaultModel().family(), p.backend()));
    }
}
