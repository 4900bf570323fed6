package io.fmi.channel.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fmi.ReduceOp;
import io.fmi.local.LocalCluster;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Many peers in one JVM on loopback: 256 peers share the JVM's Direct event loops. */
@ExtendWith(LeakCheck.class)
class DirectLargeClusterTest {
    @RegisterExtension
    static final DirectTesting server = new DirectTesting();

    @Test
    @Timeout(120)
    void shouldAllreduceAcross256Peers() {
        int n = 256;
        // Spinning 256 waiting threads on 2 cores would starve the event loops: park at once.
        List<long[]> times = LocalCluster.run(server.config(d -> d.put("spin_us", 0).put("max_timeout", 90_000)), n,
                b -> b.timeout(Duration.ofSeconds(90)), comm -> {
                    long[] out = new long[1];
                    long t0 = System.nanoTime();
                    comm.allreduce(new long[] {comm.rank()}, out, ReduceOp.SUM); // opens the connections
                    long t1 = System.nanoTime();
                    assertEquals((long) n * (n - 1) / 2, out[0]);
                    comm.barrier(); // opens the barrier's connections too
                    comm.barrier();
                    long[] op = new long[5];
                    for (int i = 0; i < op.length; i++) {
                        long t2 = System.nanoTime();
                        comm.allreduce(new long[] {1}, out, ReduceOp.SUM);
                        op[i] = System.nanoTime() - t2;
                        assertEquals(n, out[0]);
                    }
                    java.util.Arrays.sort(op);
                    return new long[] {t1 - t0, op[op.length / 2]};
                });
        long setup = times.stream().mapToLong(t -> t[0]).max().orElseThrow();
        long op = times.stream().mapToLong(t -> t[1]).max().orElseThrow();
        System.out.printf("256-peer allreduce on loopback: first call (connections included) %d ms, then %.2f ms per call (median of 5, max over ranks)%n",
                setup / 1_000_000, op / 1e6);
    }
}
