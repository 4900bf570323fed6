package io.fmi.channel.direct;

import io.fmi.Communicator;
import io.fmi.FmiConfig;
import io.fmi.ReduceOp;
import java.time.Duration;

/**
 * One peer of {@link DirectNatLabTest}, run in a lab namespace:
 * {@code NatLabPeer <server host> <port> <rank> <size> <name> <runId>}. Prints {@code result <sum>},
 * and logs the path of each connection (DEBUG of {@code DirectChannel}) to stderr.
 */
public final class NatLabPeer {
    /** The lab server's shared secret. */
    static final String SECRET = "nat-lab-secret";

    private NatLabPeer() {
    }

    public static void main(String[] args) {
        // The test reads the path of the connection from the channel's DEBUG line (before any logger exists).
        System.setProperty("org.slf4j.simpleLogger.log.io.fmi.channel.direct.DirectChannel", "debug");
        FmiConfig cfg = FmiConfig.defaults().withOnly("Direct").withBackend("Direct", FmiConfig.newObject()
                .put("enabled", true).put("host", args[0]).put("port", Integer.parseInt(args[1])).put("max_timeout", 30_000)
                .put("secret", SECRET));
        int rank = Integer.parseInt(args[2]);
        try (Communicator comm = Communicator.builder().config(cfg).name(args[4]).runId(args[5])
                .rank(rank).size(Integer.parseInt(args[3])).timeout(Duration.ofSeconds(30)).build()) {
            long[] out = new long[3];
            comm.allreduce(new long[] {rank + 1, 10L * rank, 7}, out, ReduceOp.SUM);
            int[] b = {rank == 0 ? 42 : 0};
            comm.bcast(b, 0);
            // A large message takes the rendezvous protocol (announce, clear to send, payload) over the same path.
            byte[] big = new byte[1 << 20];
            if (rank == 0) {
                java.util.Arrays.fill(big, (byte) 3);
            }
            comm.bcast(big, 0);
            long sum = 0;
            for (byte x : big) {
                sum += x;
            }
            comm.barrier();
            System.out.println("result " + out[0] + " " + out[1] + " " + out[2] + " bcast " + b[0] + " large " + sum);
            System.out.flush();
        }
    }
}
