package io.fmi.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.FmiConfig;
import io.fmi.model.ChannelModel;
import io.fmi.model.PollIntervalModel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PollIntervalModelTest {
    private static final double ONE_GIB = 0.0000166667;
    private final ChannelModel s3 = BuiltIn.defaults("S3");

    @Test
    void shouldPollAtTheSquareRootOptimum() {
        double wait = 1.0;
        double best = PollIntervalModel.optimalSeconds(s3, wait, ONE_GIB);
        assertEquals(Math.sqrt(2 * 4.3e-7 * wait / ONE_GIB), best, 1e-12);
        assertEquals(0.2272, best, 1e-4);
        double atBest = PollIntervalModel.pollingCostUsd(s3, wait, best, ONE_GIB);
        for (double factor : new double[] {0.5, 0.9, 1.1, 2}) {
            assertTrue(PollIntervalModel.pollingCostUsd(s3, wait, best * factor, ONE_GIB) > atBest, "factor " + factor);
        }
    }

    @Test
    void shouldClampToTheChannelsBounds() {
        assertEquals(PollIntervalModel.DEFAULT_MIN_SECONDS, PollIntervalModel.optimalSeconds(s3, 1e-6, ONE_GIB), 1e-12);
        assertEquals(PollIntervalModel.DEFAULT_MAX_SECONDS, PollIntervalModel.optimalSeconds(s3, 3600, ONE_GIB), 1e-12);
        assertEquals(PollIntervalModel.DEFAULT_MAX_SECONDS, PollIntervalModel.optimalSeconds(s3, 1, 0), 1e-12);
    }

    @Test
    void shouldPollAStoreWithCheaperReadsMoreOften() {
        ChannelModel dynamo = BuiltIn.defaults("DynamoDB");
        double ratio = PollIntervalModel.optimalSeconds(s3, 1, ONE_GIB) / PollIntervalModel.optimalSeconds(dynamo, 1, ONE_GIB);
        assertEquals(Math.sqrt(4.3e-7 / 0.125e-6), ratio, 1e-9);
    }

    @Test
    void shouldNotPollChannelsThatPushAndKeepAFixedInterval() {
        assertEquals(0, PollIntervalModel.optimalSeconds(BuiltIn.defaults("Redis"), 1, ONE_GIB));
        ChannelModel fixed = s3.toBuilder().pollIntervalSeconds(0.25).build();
        assertEquals(0.25, PollIntervalModel.optimalSeconds(fixed, 100, ONE_GIB));
    }

    @Test
    void shouldBackOffAsTheWaitGrows() {
        FmiConfig config = FmiConfig.fromJson("{\"backends\": {\"S3\": {\"enabled\": true}}}");
        Duration first = PollIntervalModel.forBackend(config, "S3", 1024);
        Duration afterOne = PollIntervalModel.forBackend(config, "S3", 1024, Duration.ofSeconds(1));
        Duration afterFour = PollIntervalModel.forBackend(config, "S3", 1024, Duration.ofSeconds(4));
        assertEquals(Duration.ofNanos(Math.round(Math.sqrt(2 * 4.3e-7 * 0.0404 / ONE_GIB) * 1e9)), first);
        assertEquals(227, afterOne.toMillis());
        assertEquals(2 * afterOne.toMillis(), afterFour.toMillis(), 1);
        // Bigger functions cost more per second of waiting: they poll more often.
        assertTrue(PollIntervalModel.forBackend(config, "S3", 4096, Duration.ofSeconds(1)).compareTo(afterOne) < 0);
    }

    @Test
    void shouldTakeTheCppTimeoutAsTheFloor() {
        FmiConfig cpp = BuiltIn.cppConfig();
        assertEquals(Duration.ofMillis(100), PollIntervalModel.forBackend(cpp, "S3", 1024));
    }
}
