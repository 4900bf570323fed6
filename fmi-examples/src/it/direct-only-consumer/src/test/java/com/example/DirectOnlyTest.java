package com.example;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fmi.Communicator;
import io.fmi.FmiConfig;
import io.fmi.ReduceOp;
import io.fmi.tcpunch.RendezvousServer;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two peers in two threads of this JVM, a rendezvous server on loopback, one allreduce over Direct. */
class DirectOnlyTest {
    @Test
    @Timeout(60)
    void shouldAllreduceOverDirectWithOnlyTheDirectChannel() throws Exception {
        String secret = "consumer-test-secret";
        try (RendezvousServer server = RendezvousServer.builder()
                .bindAddress(InetAddress.getLoopbackAddress()).port(0)
                .secret(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .build().start()) {
            FmiConfig config = FmiConfig.fromJson("{\"backends\": {\"Direct\": {\"enabled\": true, \"host\": \"127.0.0.1\","
                    + " \"port\": " + server.port() + ", \"secret\": \"" + secret + "\", \"nat_probe\": false}}}");
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Future<int[]>> results = new ArrayList<>();
            for (int rank = 0; rank < 2; rank++) {
                int r = rank;
                results.add(pool.submit(() -> {
                    try (Communicator comm = Communicator.builder().config(config)
                            .name("consumer").runId("it-1").rank(r).size(2).build()) {
                        assertEquals("direct", comm.channelFor(io.fmi.Operation.ALLREDUCE, 12));
                        int[] out = new int[3];
                        comm.allreduce(new int[] {r + 1, 10 * r, -r}, out, ReduceOp.SUM);
                        return out;
                    }
                }));
            }
            for (Future<int[]> f : results) {
                assertArrayEquals(new int[] {3, 10, -1}, f.get(50, TimeUnit.SECONDS));
            }
            pool.shutdown();
        }
    }
}
