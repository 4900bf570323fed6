package io.fmi.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.Buffer;
import io.fmi.FmiConfig;
import io.fmi.FmiConfigException;
import io.fmi.ReduceOp;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The allreduce algorithms forced by {@code allreduce_algorithm}: the pipelined ring with segments far smaller than a rank's chunk (many segments, a
 * window of posted receives crossing from the reduce-scatter into the allgather, chunks of
 * unequal length), and Rabenseifner's reduce-scatter + allgather (rank counts with and without the
 * pre-step, blocks of unequal length, fewer elements than ranks), for every element type, against
 * the sequential fold: exact for integers, and for floating point the same bits on every rank.
 */
@Timeout(120)
class PipelinedAllreduceTest {
    /** Segments of 1 KiB: a 20,003-int chunk of a 2-rank run is 40 segments. */
    private static FmiConfig config(int segmentBytes) {
        return config(segmentBytes, "ring");
    }

    private static FmiConfig config(int segmentBytes, String algorithm) {
        return FmiConfig.defaults().withOnly("Local").withBackend("Local", FmiConfig.newObject().put("enabled", true)
                .put("allreduce_segment_bytes", segmentBytes).put("allreduce_algorithm", algorithm));
    }

    @Test
    void shouldReduceEveryTypeByRecursiveHalvingAndDoubling() {
        for (int n : new int[] {2, 3, 4, 5, 6, 7, 8, 13}) {
            for (int count : new int[] {n, 2_003, 16_384 + n * 7}) {
                check(config(1024, "rabenseifner"), n, count);
            }
        }
        check(config(1024, "rabenseifner"), 5, 3); // fewer elements than ranks: recursive doubling
    }

    @Test
    void shouldReduceEveryTypeByRecursiveDoublingWhenForced() {
        check(config(1024, "recursive_doubling"), 6, 20_003);
    }

    @Test
    void shouldRefuseAnUnknownAlgorithmNamingTheChoices() {
        FmiConfigException e = assertThrows(FmiConfigException.class,
                () -> LocalCluster.run(config(1024, "tree"), 2, comm -> {
                    comm.allreduce(new int[1], new int[1], ReduceOp.SUM);
                    return null;
                }));
        assertTrue(e.getMessage().contains("backends.Local.allreduce_algorithm: 'tree' (expected: one of auto, recursive_doubling,"
                + " rabenseifner, ring)"), e.getMessage());
    }

    @Test
    void shouldReduceEveryTypeInManySegments() {
        for (int n : new int[] {2, 3, 5, 8}) {
            for (int count : new int[] {20_003, 16_384 + n * 7}) {
                check(n, count, 1024);
            }
        }
        check(4, 40_000, 8); // one element per segment of longs and doubles, two of ints
    }

    private static void check(int n, int count, int segmentBytes) {
        check(config(segmentBytes), n, count);
    }

    private static void check(FmiConfig config, int n, int count) {
        List<String> out = LocalCluster.run(config, n, comm -> {
            int r = comm.rank();
            Random rnd = new Random(31L * r + count);
            int[] ints = rnd.ints(count).toArray();
            long[] longs = rnd.longs(count).toArray();
            double[] doubles = rnd.doubles(count).toArray();
            float[] floats = new float[count];
            byte[] bytes = new byte[count];
            rnd.nextBytes(bytes);
            for (int i = 0; i < count; i++) {
                floats[i] = (float) rnd.nextGaussian();
            }
            int[] intSum = new int[count];
            comm.allreduce(ints, intSum, ReduceOp.SUM);
            int[] intMax = new int[count];
            comm.allreduce(ints, intMax, ReduceOp.MAX);
            long[] longXor = new long[count];
            comm.allreduce(longs, longXor, ReduceOp.BXOR);
            byte[] byteOr = new byte[count];
            comm.allreduce(bytes, byteOr, ReduceOp.BOR);
            double[] dSum = new double[count];
            comm.allreduce(doubles, dSum, ReduceOp.SUM);
            float[] fMin = new float[count];
            comm.allreduce(floats, fMin, ReduceOp.MIN);
            // the reference: every rank's operand, rebuilt from its seed
            int[] wantSum = new int[count];
            int[] wantMax = new int[count];
            java.util.Arrays.fill(wantMax, Integer.MIN_VALUE);
            long[] wantXor = new long[count];
            byte[] wantOr = new byte[count];
            float[] wantMin = new float[count];
            java.util.Arrays.fill(wantMin, Float.POSITIVE_INFINITY);
            double[] approx = new double[count];
            for (int q = 0; q < n; q++) {
                Random g = new Random(31L * q + count);
                int[] i2 = g.ints(count).toArray();
                long[] l2 = g.longs(count).toArray();
                double[] d2 = g.doubles(count).toArray();
                byte[] b2 = new byte[count];
                g.nextBytes(b2);
                for (int i = 0; i < count; i++) {
                    wantSum[i] += i2[i];
                    wantMax[i] = Math.max(wantMax[i], i2[i]);
                    wantXor[i] ^= l2[i];
                    wantOr[i] |= b2[i];
                    approx[i] += d2[i];
                    wantMin[i] = Math.min(wantMin[i], (float) g.nextGaussian());
                }
            }
            assertArrayEquals(wantSum, intSum, "int sum, rank " + r);
            assertArrayEquals(wantMax, intMax, "int max, rank " + r);
            assertArrayEquals(wantXor, longXor, "long bxor, rank " + r);
            assertArrayEquals(wantOr, byteOr, "byte bor, rank " + r);
            assertArrayEquals(wantMin, fMin, "float min, rank " + r);
            for (int i = 0; i < count; i++) {
                assertEquals(approx[i], dSum[i], 1e-9 * n, "double sum, element " + i);
            }
            // bit-identical on every rank: gather a digest of the doubles' bits
            long digest = 0;
            for (double d : dSum) {
                digest = 31 * digest + Double.doubleToRawLongBits(d);
            }
            long[] all = new long[n];
            comm.allgather(new long[] {digest}, all);
            for (long d : all) {
                assertEquals(all[0], d, "every rank holds the same bits");
            }
            return "ok";
        });
        assertEquals(n, out.size());
    }

    @Test
    void shouldReduceInPlaceAndLeaveTheSendArrayUntouched() {
        LocalCluster.run(config(2048), 3, comm -> {
            double[] send = new double[30_001];
            java.util.Arrays.fill(send, comm.rank() + 1);
            double[] keep = send.clone();
            double[] recv = new double[send.length];
            comm.allreduce(send, recv, ReduceOp.SUM);
            assertArrayEquals(keep, send, "the send array is never written");
            for (double d : recv) {
                assertEquals(6.0, d);
            }
            comm.allreduce(Buffer.of(recv), Buffer.of(recv), ReduceOp.PROD);
            for (double d : recv) {
                assertEquals(216.0, d, "in place: each element from its own old value");
            }
            return null;
        });
    }

    @Test
    void shouldRefuseASegmentSizeOutOfRangeNamingTheKey() {
        FmiConfigException e = assertThrows(FmiConfigException.class,
                () -> LocalCluster.run(config(4), 2, comm -> {
                    comm.allreduce(new int[1], new int[1], ReduceOp.SUM);
                    return null;
                }));
        assertTrue(e.getMessage().contains("backends.Local.allreduce_segment_bytes: 4 (expected: 8 to 67108864 bytes)"), e.getMessage());
    }
}
