package io.fmi.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CalibrationTest {
    private static final long[] SIZES = {1, 1 << 10, 1 << 14, 1 << 17, 1 << 20, 1 << 23, 1 << 26};
    private static final int[][] SHAPES = {{1, 1}, {1, 2}, {1, 4}, {1, 8}, {2, 1}, {4, 1}, {8, 1}, {4, 4}};

    /** Samples of {@code t = o·log2(p+c) + p·c·b / min(p·c·single, multiple)}, times (1 + noise·N(0,1)). */
    private static List<Calibration.Sample> synthetic(double overhead, double single, double multiple, double noise, long seed) {
        Random random = new Random(seed);
        Calibration.Fit truth = new Calibration.Fit(overhead, single, multiple, 1, 0);
        List<Calibration.Sample> out = new ArrayList<>();
        for (int repeat = 0; repeat < 3; repeat++) {
            for (long b : SIZES) {
                for (int[] pc : SHAPES) {
                    double t = truth.predictSeconds(pc[0], pc[1], b) * (1 + noise * random.nextGaussian());
                    out.add(new Calibration.Sample(pc[0], pc[1], b, Math.max(t, 1e-9)));
                }
            }
        }
        return out;
    }

    @Test
    void shouldRecoverExactParametersFromNoiselessSamples() {
        Calibration.Fit fit = Calibration.fit(synthetic(0.0052, 100e6, 400e6, 0, 1));
        assertEquals(0.0052, fit.overheadSeconds(), 1e-9);
        assertEquals(100e6, fit.bandwidthSingleBytesPerSec(), 1);
        assertEquals(400e6, fit.bandwidthMultipleBytesPerSec(), 1);
        assertEquals(1.0, fit.rSquared(), 1e-9);
    }

    @Test
    void shouldRecoverRedisLikeParametersFromNoisySamples() {
        Calibration.Fit fit = Calibration.fit(synthetic(0.0052, 100e6, 400e6, 0.05, 42));
        assertEquals(0.0052, fit.overheadSeconds(), 0.0052 * 0.1, fit.toString());
        assertEquals(100e6, fit.bandwidthSingleBytesPerSec(), 100e6 * 0.1, fit.toString());
        assertEquals(400e6, fit.bandwidthMultipleBytesPerSec(), 400e6 * 0.1, fit.toString());
        assertTrue(fit.rSquared() > 0.95, fit.toString());
    }

    @Test
    void shouldTellOneLinkFromAStoreThatScalesOut() {
        Calibration.Fit direct = Calibration.fit(synthetic(0.00034, 400e6, 400e6, 0.05, 7));
        assertEquals(400e6, direct.bandwidthMultipleBytesPerSec(), 400e6 * 0.1, direct.toString());
        Calibration.Fit s3 = Calibration.fit(synthetic(0.0404, 50e6, Double.POSITIVE_INFINITY, 0.05, 9));
        assertTrue(s3.bandwidthMultipleBytesPerSec() >= 8 * 50e6 * 0.9, s3.toString());
        assertEquals(0.0404, s3.overheadSeconds(), 0.0404 * 0.1, s3.toString());
    }

    @Test
    void shouldPredictHeldOutSizes() {
        List<List<Calibration.Sample>> split = Calibration.split(synthetic(0.0052, 100e6, 400e6, 0.03, 3), Set.of(1L << 17, 1L << 23));
        Calibration.Fit fit = Calibration.fit(split.get(0));
        assertEquals(3 * 2 * SHAPES.length, split.get(1).size());
        for (Calibration.Sample s : split.get(1)) {
            double predicted = fit.predictSeconds(s.producers(), s.consumers(), s.bytes());
            assertEquals(s.seconds(), predicted, 0.15 * s.seconds(), s.toString());
        }
        assertTrue(Calibration.rSquared(split.get(1), fit) > 0.95);
    }

    @Test
    void shouldReportAPoorFitOnSamplesTheModelCannotExplain() {
        List<Calibration.Sample> random = new ArrayList<>();
        Random r = new Random(5);
        for (int i = 0; i < 50; i++) {
            random.add(new Calibration.Sample(1, 1, (long) (r.nextDouble() * 1e6), 0.01 + r.nextDouble()));
        }
        assertTrue(Calibration.fit(random).rSquared() < 0.5);
    }

    @Test
    void shouldRefuseTooFewSamples() {
        assertThrows(IllegalArgumentException.class, () -> Calibration.fit(List.of(new Calibration.Sample(1, 1, 1, 0.1))));
        assertThrows(IllegalArgumentException.class, () -> new Calibration.Sample(1, 1, 1, 0));
    }
}
