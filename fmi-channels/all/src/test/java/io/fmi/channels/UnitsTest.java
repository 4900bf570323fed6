package io.fmi.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.Operation;
import io.fmi.model.ChannelModel;
import io.fmi.model.CostModel;
import io.fmi.model.Estimate;
import io.fmi.model.TransferPattern;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The C++ FMI added milliseconds to seconds and billed FaaS time 1000 times too high for one function: not here. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class UnitsTest {
    private final CostModel model = BuiltIn.cost(BuiltIn.cppConfig(), 1024);

    @Test
    void shouldModelA100MegabyteDirectTransferInHundredsOfMilliseconds() {
        Estimate e = model.estimate("Direct", Operation.SEND, 100_000_000L, 2);
        // 0.34 ms + 100 MB / 400 MB/s = 0.25034 s
        assertEquals(0.25034, e.latencySeconds(), 1e-6);
        assertTrue(e.latencySeconds() > 0.1 && e.latencySeconds() < 1.0);
    }

    @Test
    void shouldModelASmallS3TransferInTensOfMillisecondsNotSeconds() {
        ChannelModel s3 = model.channel("S3");
        double t = s3.latencySeconds(TransferPattern.pair(1), 0.1);
        // log2(2) · (40.4 ms + 100 ms / 2) + 1 B / 50 MB/s
        assertEquals(0.0904, t, 1e-6);
    }

    @Test
    void shouldBillTheFaasTimeOfAllFunctionsInGibSeconds() {
        Estimate two = model.estimate("Direct", Operation.BCAST, 1_000_000L, 2);
        Estimate sixtyFour = model.estimate("Direct", Operation.BCAST, 1_000_000L, 64);
        // 1 GiB functions at 0.0000166667 USD per GiB-second, all n of them, for the operation's seconds.
        assertEquals(2 * 0.0000166667 * two.latencySeconds(), two.faasUsd(), 1e-15);
        assertEquals(64 * 0.0000166667 * sixtyFour.latencySeconds(), sixtyFour.faasUsd(), 1e-15);
        CostModel half = BuiltIn.cost(BuiltIn.cppConfig(), 512);
        assertEquals(two.faasUsd() / 2, half.estimate("Direct", Operation.BCAST, 1_000_000L, 2).faasUsd(), 1e-15);
    }

    @Test
    void shouldPriceAStoreScanByItsRequestsNotItsLatency() {
        Estimate scan = model.estimate("S3", Operation.SCAN, 1000, 8);
        // fan-in: 7 PUT + 7 GET; prefixes: 7 PUT + 7 GET; plus empty polls.
        double atLeast = 14 * 5.4e-6 + 14 * 4.3e-7;
        assertTrue(scan.requestUsd() >= atLeast, scan.toString());
        assertTrue(scan.requestUsd() < atLeast + 7 * 2 * 10 * 4.3e-7, scan.toString());
    }
}
