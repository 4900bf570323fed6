package io.fmi.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.FmiConfig;
import io.fmi.FmiConfigException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ModelConfigTest {
    /** A provider's defaults: a store with a node of its own and a request price, polled. */
    private static final ChannelModel STORE = ChannelModel.builder("Store", Family.MEDIATED).overheadSeconds(5.2e-3)
            .bandwidthSingleBytesPerSec(100e6).bandwidthMultipleBytesPerSec(400e6).readPriceUsd(1e-7).polling(true).build();

    @Test
    void shouldOverlayTheEntryOnTheDefaultsAndPreferSiKeysOverCppKeys() {
        FmiConfig config = FmiConfig.fromJson("""
                {"backends": {"store": {"enabled": true}},
                 "model": {"STORE": {"overhead": 5.2, "overhead_s": 0.002, "bandwidth_single": 100, "bandwidth_bytes_per_s": 2.5e8}}}
                """);
        ChannelModel m = ModelConfig.channel(config, "Store", STORE).orElseThrow();
        assertEquals("Store", m.name());
        assertEquals(0.002, m.overheadSeconds(), 1e-12);
        assertEquals(2.5e8, m.bandwidthSingleBytesPerSec(), 1e-3);
        assertEquals(400e6, m.bandwidthMultipleBytesPerSec(), 1e-3, "missing keys keep their defaults");
        assertEquals(1e-7, m.readPriceUsd(), 1e-20);
        assertEquals(STORE, ModelConfig.channel(FmiConfig.fromJson("{}"), "Store", STORE).orElseThrow(), "no entry: the defaults");
    }

    @Test
    void shouldTakeTheBackendsTimeoutAsThePollFloorOfAPolledChannelOnly() {
        FmiConfig config = FmiConfig.fromJson("{\"backends\": {\"Store\": {\"enabled\": true, \"timeout\": 100}}}");
        assertEquals(0.100, ModelConfig.channel(config, "Store", STORE).orElseThrow().minPollIntervalSeconds(), 1e-12);
        ChannelModel pushed = STORE.toBuilder().polling(false).build();
        assertEquals(PollIntervalModel.DEFAULT_MIN_SECONDS,
                ModelConfig.channel(config, "Store", pushed).orElseThrow().minPollIntervalSeconds(), 1e-12);
    }

    @Test
    void shouldReadModelsOfChannelsWithoutDefaultsFromTheEntryAlone() {
        FmiConfig config = FmiConfig.fromJson("""
                {"backends": {"Mine": {"enabled": true}, "Other": {"enabled": true}},
                 "model": {"Mine": {"family": "peer_to_peer", "overhead_s": 0.001, "bandwidth_bytes_per_s": 1e9}}}
                """);
        ChannelModel mine = ModelConfig.channel(config, "mine", null).orElseThrow();
        assertEquals("Mine", mine.name(), "named as the file names the backend");
        assertEquals(Family.PEER_TO_PEER, mine.family());
        assertEquals(0.001, mine.overheadSeconds(), 1e-12);
        assertTrue(ModelConfig.channel(config, "Other", null).isEmpty());
    }

    @Test
    void shouldAcceptNumericStringsAsTheCppReaderDoes() {
        FmiConfig config = FmiConfig.fromJson("{\"model\": {\"Store\": {\"overhead\": \"20\"}, \"FaaS\": {\"gib_second_price\": \"0.00001\"}}}");
        assertEquals(0.020, ModelConfig.channel(config, "Store", STORE).orElseThrow().overheadSeconds(), 1e-12);
        assertEquals(0.00001, ModelConfig.gibSecondPriceUsd(config), 1e-15);
        assertEquals(ModelConfig.DEFAULT_GIB_SECOND_PRICE_USD, ModelConfig.gibSecondPriceUsd(FmiConfig.fromJson("{}")));
    }

    @Test
    void shouldRejectValuesOfTheWrongTypeOrRange() {
        FmiConfigException text = assertThrows(FmiConfigException.class,
                () -> ModelConfig.channel(FmiConfig.fromJson("{\"model\": {\"Store\": {\"overhead\": \"fast\"}}}"), "Store", STORE));
        assertTrue(text.getMessage().contains("model.Store.overhead"), text.getMessage());
        FmiConfigException negative = assertThrows(FmiConfigException.class,
                () -> ModelConfig.channel(FmiConfig.fromJson("{\"model\": {\"Store\": {\"bandwidth_single\": -1}}}"), "Store", STORE));
        assertTrue(negative.getMessage().contains("bandwidthSingleBytesPerSec"), negative.getMessage());
        FmiConfigException family = assertThrows(FmiConfigException.class,
                () -> ModelConfig.channel(FmiConfig.fromJson("{\"model\": {\"Store\": {\"family\": \"pipes\"}}}"), "Store", null));
        assertTrue(family.getMessage().contains("model.Store.family"), family.getMessage());
    }

    @Test
    void shouldWriteCalibratedModelsInCppUnitsThatLoadBack() {
        ChannelModel m = ChannelModel.builder("Store", Family.MEDIATED).overheadSeconds(0.0031)
                .bandwidthSingleBytesPerSec(250e6).bandwidthMultipleBytesPerSec(1e9).build();
        var json = ModelConfig.toJson(m);
        assertEquals(3.1, json.get("overhead").asDouble(), 1e-9);
        FmiConfig back = FmiConfig.fromJson("{\"model\": {\"Store\": " + json + "}}");
        ChannelModel loaded = ModelConfig.channel(back, "Store", STORE).orElseThrow();
        assertEquals(0.0031, loaded.overheadSeconds(), 1e-9);
        assertEquals(250e6, loaded.bandwidthSingleBytesPerSec(), 1);
        assertEquals(1e9, loaded.bandwidthMultipleBytesPerSec(), 1);
    }
}
