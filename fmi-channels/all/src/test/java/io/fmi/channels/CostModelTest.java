package io.fmi.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.FmiConfig;
import io.fmi.FmiConfigException;
import io.fmi.Operation;
import io.fmi.model.ChannelModel;
import io.fmi.model.CostModel;
import io.fmi.model.Estimate;
import io.fmi.model.JobEstimate;
import io.fmi.model.TransferPattern;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CostModelTest {
    private final CostModel model = BuiltIn.cost(FmiConfig.defaults(), 1024);

    /** The FMI paper's K-means: 3 centroids × 28 dimensions of doubles, one allreduce per epoch, 1 GiB functions. */
    @Test
    void shouldPriceTheKmeansDirectAllreduceByTheTimeItHoldsTheVm() {
        Estimate direct = model.estimate("Direct", Operation.ALLREDUCE, 3 * 28 * 8, 64);
        // 6 rounds of recursive doubling, each 0.34 ms + 672 B / 400 MB/s.
        double latency = 6 * (0.34e-3 + 672 / 400e6);
        assertEquals(latency, direct.latencySeconds(), 1e-12);
        assertEquals(64 * 0.0000166667 * latency, direct.faasUsd(), 1e-15);
        assertEquals(0.0134 * latency / 3600, direct.infrastructureUsd(), 1e-15);
        // 1000 × (64 × 1 GiB × 0.0000166667 × 2.05 ms + 0.0134 USD/h × 2.05 ms) ≈ 0.0022 USD: the functions' time, not the VM's
        assertEquals(0.00219, 1000 * direct.totalUsd(), 0.00001);
    }

    @Test
    void shouldMakeDynamoDbOrdersOfMagnitudeDearerForKmeans() {
        Estimate direct = model.estimate("Direct", Operation.ALLREDUCE, 672, 64);
        Estimate dynamo = model.estimate("DynamoDB", Operation.ALLREDUCE, 672, 64);
        assertTrue(dynamo.totalUsd() > 100 * direct.totalUsd(), dynamo + " vs " + direct);
        assertTrue(dynamo.latencySeconds() > 100 * direct.latencySeconds());
        // 64 writes of one unit each; 126 reads of one unit plus the empty polls.
        assertTrue(dynamo.requestUsd() > 64 * 0.625e-6 + 126 * 0.125e-6);
    }

    @Test
    void shouldChargeInfrastructureForTheTimeHeldAndNothingForAPeerAlone() {
        Estimate redis = model.estimate("Redis", Operation.ALLREDUCE, 672, 64);
        assertEquals(0.0038 * redis.latencySeconds() / 3600, redis.infrastructureUsd(), 1e-15);
        Estimate alone = model.estimate("Redis", Operation.ALLREDUCE, 672, 1);
        assertEquals(0, alone.totalUsd());
        assertEquals(0, alone.latencySeconds());
    }

    @Test
    void shouldChargeAnIdleServersHoursToItsJobs() {
        // a rendezvous VM that jobs hold a tenth of the time it runs: each job pays ten times its hold
        FmiConfig tenth = FmiConfig.fromJson("{\"model\": {\"Direct\": {\"infrastructure_utilisation\": 0.1}}}");
        Estimate busy = model.estimate("Direct", Operation.ALLREDUCE, 672, 64);
        Estimate idle = BuiltIn.cost(tenth, 1024).estimate("Direct", Operation.ALLREDUCE, 672, 64);
        assertEquals(10 * busy.infrastructureUsd(), idle.infrastructureUsd(), 1e-15);
        assertEquals(busy.faasUsd(), idle.faasUsd(), 0);
        FmiConfigException bad = assertThrows(FmiConfigException.class, () -> BuiltIn.cost(
                FmiConfig.fromJson("{\"model\": {\"Direct\": {\"infrastructure_utilisation\": 0}}}"), 1024));
        assertTrue(bad.getMessage().contains("infrastructureUtilisation: 0.0 (expected: > 0 and <= 1)"), bad.getMessage());
    }

    @Test
    void shouldHoldTheInfrastructureAndBillEveryFunctionForTheWholeJob() {
        // 1,000 K-means epochs of 5 ms of computing each among 64 functions
        JobEstimate job = model.job("Direct", Operation.ALLREDUCE, 672, 64, 1000, 0.005);
        Estimate op = model.estimate("Direct", Operation.ALLREDUCE, 672, 64);
        double seconds = 1000 * (0.005 + op.latencySeconds());
        assertEquals(seconds, job.seconds(), 1e-12);
        assertEquals(0.0134 * seconds / 3600, job.infrastructureUsd(), 1e-15);
        assertEquals(64 * 0.0000166667 * seconds, job.faasUsd(), 1e-12);
        assertEquals(1000 * op.totalUsd(), job.communicationUsd(), 1e-15);
        assertTrue(job.totalUsd() > job.communicationUsd(), "the computing is billed too");
        JobEstimate dynamo = model.job("DynamoDB", Operation.ALLREDUCE, 672, 64, 1000, 0.005);
        assertEquals(1000 * model.estimate("DynamoDB", Operation.ALLREDUCE, 672, 64).requestUsd(), dynamo.requestUsd(), 1e-12);
        assertEquals(0, dynamo.infrastructureUsd());
    }

    @Test
    void shouldPriceAMeasuredRunWithItsOwnTimes() {
        // a lab run: 4 functions of 512 MB, 2 ms of computing and a 5 ms allreduce per epoch (the model says 0.68 ms)
        CostModel lab = BuiltIn.cost(FmiConfig.defaults(), 512);
        JobEstimate run = lab.measuredJob("Direct", Operation.ALLREDUCE, 672, 4, 1000, 0.002, 0.005);
        assertEquals(7.0, run.seconds(), 1e-12);
        assertEquals(4 * 0.5 * 0.0000166667 * 7.0, run.faasUsd(), 1e-12);
        assertEquals(0.0134 * 7.0 / 3600, run.infrastructureUsd(), 1e-15);
        assertTrue(run.totalUsd() > lab.job("Direct", Operation.ALLREDUCE, 672, 4, 1000, 0.002).totalUsd());
        assertThrows(IllegalArgumentException.class, () -> lab.measuredJob("Direct", Operation.ALLREDUCE, 672, 4, 1000, 0.002, -1));
    }

    @Test
    void shouldStateTheInfrastructureAssumption() {
        String a = model.infrastructureAssumption();
        assertTrue(a.contains("priced by the time a job holds it"), a);
        assertTrue(a.contains("Direct USD 0.0134/h at 100 % utilisation"), a);
        assertTrue(a.contains("Redis USD 0.0038/h at 100 % utilisation"), a);
        String idle = BuiltIn.cost(FmiConfig.fromJson("{\"model\": {\"Redis\": {\"infrastructure_utilisation\": 0.001}}}"), 1024)
                .infrastructureAssumption();
        assertTrue(idle.contains("Redis USD 0.0038/h at 0.1 % utilisation"), idle);
    }

    @Test
    void shouldCostNothingOnTheInMemoryChannels() {
        for (String c : new String[] {"Local", "LocalStore"}) {
            Estimate e = model.estimate(c, Operation.ALLTOALL, 1 << 30, 256);
            assertEquals(0, e.latencySeconds(), c);
            assertEquals(0, e.totalUsd(), c);
        }
    }

    @Test
    void shouldBillDynamoDbPerStartedRequestUnit() {
        ChannelModel d = model.channel("DynamoDB");
        assertEquals(0.625e-6, d.requestPriceUsd(TransferPattern.of(1, 1, 1024), 0) - 0.125e-6, 1e-15);
        assertEquals(2 * 0.625e-6 + 0.125e-6, d.requestPriceUsd(TransferPattern.of(1, 1, 1025), 0), 1e-15);
        // 4097 B: 5 write units of 1 KiB, 2 read units of 4 KiB.
        assertEquals(5 * 0.625e-6 + 2 * 0.125e-6, d.requestPriceUsd(TransferPattern.of(1, 1, 4097), 0), 1e-15);
    }
}
