package io.fmi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fmi.local.LocalCluster;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every element type and buffer form, including offsets and direct ByteBuffers, on both in-memory families. */
@Timeout(60)
class DataTypesTest {

    @ParameterizedTest
    @ValueSource(strings = {"Local", "LocalStore"})
    void shouldReduceEveryElementType(String backend) {
        int n = 5;
        LocalCluster.run(FmiConfig.defaults().withOnly(backend), n, comm -> {
            int r = comm.rank();
            byte[] b = new byte[2];
            comm.allreduce(new byte[] {(byte) r, (byte) (1 << r)}, b, ReduceOp.BOR);
            assertArrayEquals(new byte[] {7, 31}, b);
            long[] l = new long[1];
            comm.allreduce(new long[] {1L << (40 + r)}, l, ReduceOp.SUM);
            assertEquals(31L << 40, l[0]);
            float[] f = new float[1];
            comm.allreduce(new float[] {r - 2.5f}, f, ReduceOp.MIN);
            assertEquals(-2.5f, f[0]);
            double[] d = new double[2];
            comm.allreduce(new double[] {r * 0.5, -r}, d, ReduceOp.MAX);
            assertArrayEquals(new double[] {2.0, 0.0}, d);
            double[] p = new double[1];
            comm.allreduce(new double[] {r + 1}, p, ReduceOp.PROD);
            assertEquals(120.0, p[0]);
            // A custom double op that is neither commutative nor associative: ((x0 - x1) - x2) ...
            double[] minus = new double[1];
            comm.allreduce(new double[] {r + 1}, minus, ReduceOp.ofDouble((x, y) -> x - y, false, false));
            assertEquals(1.0 - 2 - 3 - 4 - 5, minus[0]);
            long[] scan = new long[1];
            comm.scan(new long[] {r}, scan, ReduceOp.ofLong((x, y) -> x * 10 + y, false, false));
            long expect = 0;
            for (int i = 1; i <= r; i++) {
                expect = expect * 10 + i;
            }
            assertEquals(expect, scan[0]);
            return null;
        });
    }

    /** Large typed buffers reuse pooled conversion arrays from call to call; no call may see another's data. */
    @ParameterizedTest
    @ValueSource(strings = {"Local", "LocalStore"})
    void shouldKeepLargeTypedCallsApartWhileReusingTheirArrays(String backend) {
        int n = 3;
        int len = 40_001; // 320 KB of doubles: pooled
        LocalCluster.run(FmiConfig.defaults().withOnly(backend), n, comm -> {
            int r = comm.rank();
            double[] send = new double[len];
            double[] sum = new double[len];
            int[] bc = new int[len];
            long[] gathered = new long[n * len];
            for (int it = 0; it < 12; it++) {
                for (int i = 0; i < len; i++) {
                    send[i] = r * 1000 + it + i % 7;
                }
                comm.allreduce(send, sum, ReduceOp.SUM);
                for (int i = 0; i < len; i += 997) {
                    assertEquals(3000 + 3.0 * (it + i % 7), sum[i], "allreduce, call " + it + ", element " + i);
                }
                int root = it % n;
                if (r == root) {
                    Arrays.fill(bc, it * 31 + 1);
                } else {
                    Arrays.fill(bc, -7);
                }
                comm.bcast(bc, root);
                assertEquals(it * 31 + 1, bc[0]);
                assertEquals(it * 31 + 1, bc[len - 1]);
                long[] mine = new long[len];
                Arrays.fill(mine, 100L * it + r);
                Arrays.fill(gathered, -1);
                comm.gather(mine, gathered, root);
                if (r == root) {
                    for (int q = 0; q < n; q++) {
                        assertEquals(100L * it + q, gathered[q * len]);
                        assertEquals(100L * it + q, gathered[q * len + len - 1]);
                    }
                } else {
                    assertEquals(-1, gathered[0], "a non-root's receive buffer is left alone");
                }
                // Every other operation with a large typed receive buffer, on arrays the pool has dirtied.
                double[] prefix = new double[len];
                comm.scan(send, prefix, ReduceOp.SUM);
                double expectPrefix = 0;
                for (int q = 0; q <= r; q++) {
                    expectPrefix += q * 1000 + it + (len - 1) % 7;
                }
                assertEquals(expectPrefix, prefix[len - 1], "scan, call " + it);
                int[] all = new int[n * len];
                int[] own = new int[len];
                Arrays.fill(own, r + 10 * it);
                comm.allgather(own, all);
                for (int q = 0; q < n; q++) {
                    assertEquals(q + 10 * it, all[q * len + len / 2], "allgather, call " + it + ", block " + q);
                }
                long[] out = new long[n * len];
                long[] in = new long[n * len];
                for (int q = 0; q < n; q++) {
                    Arrays.fill(out, q * len, (q + 1) * len, 1000L * r + q + it);
                }
                comm.alltoall(out, in);
                for (int q = 0; q < n; q++) {
                    assertEquals(1000L * q + r + it, in[q * len + len - 1], "alltoall, call " + it + ", from " + q);
                }
                float[] parts = new float[n * len];
                for (int q = 0; q < n; q++) {
                    Arrays.fill(parts, q * len, (q + 1) * len, q + it * 0.5f);
                }
                float[] part = new float[len];
                comm.scatter(parts, part, root);
                assertEquals(r + it * 0.5f, part[len - 1], "scatter, call " + it);
                double[] reduced = new double[len];
                comm.reduce(send, reduced, root, ReduceOp.MAX);
                if (r == root) {
                    assertEquals(2000 + it + 3, reduced[3], "reduce, call " + it);
                }
                int[] msg = new int[len];
                if (r == 0) {
                    Arrays.fill(msg, 77 + it);
                    comm.send(msg, 1);
                } else if (r == 1) {
                    comm.recv(msg, 0);
                    assertEquals(77 + it, msg[len - 1], "recv, call " + it);
                }
            }
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"Local", "LocalStore"})
    void shouldHonourTheOffsetsAndLengthsOfBufferViews(String backend) {
        LocalCluster.run(FmiConfig.defaults().withOnly(backend), 3, comm -> {
            int r = comm.rank();
            double[] big = {-1, -1, r, r + 10, -1};
            double[] gathered = new double[8];
            comm.allgather(Buffer.of(big, 2, 2), Buffer.of(gathered, 1, 6));
            assertArrayEquals(new double[] {0, 0, 10, 1, 11, 2, 12, 0}, gathered);
            assertArrayEquals(new double[] {-1, -1, r, r + 10, -1}, big, "send buffer untouched");
            long[] buf = {7, 7, 7, 7};
            if (r == 1) {
                buf[1] = 100;
                buf[2] = 200;
            }
            comm.bcast(Buffer.of(buf, 1, 2), 1);
            assertArrayEquals(new long[] {7, 100, 200, 7}, buf);
            float[] red = new float[3];
            comm.reduce(Buffer.of(new float[] {9, r, 9}, 1, 1), Buffer.of(red, 2, 1), 0, ReduceOp.SUM);
            if (r == 0) {
                assertArrayEquals(new float[] {0, 0, 3}, red);
            }
            int[] sc = new int[4];
            comm.scatter(r == 2 ? Buffer.of(new int[] {0, 1, 2, 3, 4, 5}) : null, Buffer.of(sc, 1, 2), 2);
            assertArrayEquals(new int[] {0, 2 * r, 2 * r + 1, 0}, sc);
            byte[] msg = {1, 2, 3, 4, 5};
            int right = (r + 1) % 3;
            int left = (r + 2) % 3;
            CompletableFuture<Void> s = comm.isend(Buffer.of(msg, 1, 3), right);
            byte[] in = new byte[6];
            comm.recv(Buffer.of(in, 2, 3), left);
            s.join();
            assertArrayEquals(new byte[] {0, 0, 2, 3, 4, 0}, in);
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"Local", "LocalStore"})
    void shouldUseByteBuffersBetweenPositionAndLimitWithoutMovingThem(String backend) {
        LocalCluster.run(FmiConfig.defaults().withOnly(backend), 4, comm -> {
            int r = comm.rank();
            ByteBuffer send = ByteBuffer.allocateDirect(8);
            send.put(0, (byte) 99).put(1, (byte) r).put(2, (byte) (r * 2));
            send.position(1).limit(3);
            ByteBuffer recv = ByteBuffer.allocateDirect(10);
            recv.position(1).limit(9);
            comm.allgather(send, recv);
            assertEquals(1, send.position());
            assertEquals(1, recv.position());
            for (int i = 0; i < 4; i++) {
                assertEquals(i, recv.get(1 + 2 * i));
                assertEquals(2 * i, recv.get(2 + 2 * i));
            }
            ByteBuffer heap = ByteBuffer.allocate(3);
            heap.position(1);
            if (r == 3) {
                heap.put(1, (byte) 5).put(2, (byte) 6);
            }
            comm.bcast(heap, 3);
            assertEquals(5, heap.get(1));
            assertEquals(6, heap.get(2));
            ByteBuffer sum = ByteBuffer.allocate(1);
            comm.allreduce(ByteBuffer.wrap(new byte[] {(byte) (r + 1)}), sum, ReduceOp.SUM);
            assertEquals(10, sum.get(0));
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"Local", "LocalStore"})
    void shouldRunTheOperationsWithCountsOnEveryElementTypeAndBufferForm(String backend) {
        int n = 4;
        int[] counts = {2, 0, 1, 3};
        LocalCluster.run(FmiConfig.defaults().withOnly(backend), n, comm -> {
            int r = comm.rank();
            long[] mine = new long[counts[r]];
            Arrays.fill(mine, 10L + r);
            long[] all = new long[6];
            comm.allgatherv(mine, all, counts);
            assertArrayEquals(new long[] {10, 10, 12, 13, 13, 13}, all);
            float[] parts = {0.5f, 0.5f, 2.5f, 3.5f, 3.5f, 3.5f};
            float[] part = new float[counts[r]];
            comm.scatterv(r == 2 ? parts : null, counts, part, 2);
            for (float f : part) {
                assertEquals(r + 0.5f, f);
            }
            // Elements r*10+j for rank j, j+1 of them; a byte per element.
            int[] sc = {1, 2, 3, 4};
            int[] rc = {r + 1, r + 1, r + 1, r + 1};
            byte[] out = new byte[10];
            for (int j = 0, at = 0; j < n; j++) {
                for (int k = 0; k <= j; k++) {
                    out[at++] = (byte) (r * 10 + j);
                }
            }
            byte[] in = new byte[4 * (r + 1)];
            comm.alltoallv(out, sc, in, rc);
            for (int i = 0; i < n; i++) {
                assertEquals((byte) (i * 10 + r), in[i * (r + 1)], "alltoallv byte from rank " + i);
            }
            // A double operator neither commutative nor associative: block r of ((x0 - x1) - x2) - x3.
            double[] x = new double[6];
            Arrays.fill(x, r + 1);
            double[] block = new double[counts[r]];
            comm.reduceScatter(x, block, counts, ReduceOp.ofDouble((a, b) -> a - b, false, false));
            for (double d : block) {
                assertEquals(1.0 - 2 - 3 - 4, d);
            }
            // Views with offsets, and direct ByteBuffers between position and limit.
            long[] window = {-1, r + 1, -1};
            long[] prefix = {-5, -5, -5};
            comm.exscan(Buffer.of(window, 1, 1), Buffer.of(prefix, 2, 1), ReduceOp.PROD);
            assertArrayEquals(new long[] {-5, -5, r == 0 ? -5 : factorial(r)}, prefix);
            ByteBuffer send = ByteBuffer.allocateDirect(5);
            send.position(1).limit(1 + counts[r]);
            for (int i = 1; i < 1 + counts[r]; i++) {
                send.put(i, (byte) (r + 1));
            }
            ByteBuffer recv = ByteBuffer.allocateDirect(8);
            recv.position(1).limit(7);
            comm.gatherv(send, r == 3 ? recv : null, counts, 3);
            if (r == 3) {
                assertEquals(1, recv.position());
                byte[] got = new byte[6];
                recv.duplicate().get(got);
                assertArrayEquals(new byte[] {1, 1, 3, 4, 4, 4}, got);
            }
            double[] swapped = new double[2];
            comm.sendrecv(Buffer.of(new double[] {9, r, r * 2.0}, 1, 2), r ^ 1, Buffer.of(swapped), r ^ 1);
            assertArrayEquals(new double[] {r ^ 1, (r ^ 1) * 2.0}, swapped);
            return null;
        });
    }

    private static long factorial(int k) {
        long f = 1;
        for (int i = 2; i <= k; i++) {
            f *= i;
        }
        return f;
    }

    @Test
    void shouldRunEveryCollectiveOnASinglePeer() {
        LocalCluster.run(1, comm -> {
            int[] x = {4, 2};
            int[] y = new int[2];
            comm.allreduce(x, y, ReduceOp.SUM);
            assertArrayEquals(x, y);
            comm.scan(x, y, ReduceOp.PROD);
            assertArrayEquals(x, y);
            comm.gather(x, y, 0);
            assertArrayEquals(x, y);
            comm.reduceScatter(x, y, new int[] {2}, ReduceOp.MAX);
            assertArrayEquals(x, y);
            int[] untouched = {-1, -1};
            comm.exscan(x, untouched, ReduceOp.SUM);
            assertArrayEquals(new int[] {-1, -1}, untouched);
            comm.alltoallv(x, new int[] {2}, y, new int[] {2});
            assertArrayEquals(x, y);
            assertArrayEquals(new byte[] {1}, comm.allgatherBytes(new byte[] {1}).get(0));
            assertEquals("x", comm.bcastObject("x", 0, String.class));
            Communicator self = comm.split(0, 0);
            assertEquals(1, self.size());
            self.close();
            comm.barrier();
            comm.send(x, 0);
            comm.recv(y, 0);
            assertArrayEquals(x, y);
            return null;
        });
    }
}
