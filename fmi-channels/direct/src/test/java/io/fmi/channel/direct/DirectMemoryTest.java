package io.fmi.channel.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The heap a peer needs per operation (docs/channels-direct.md, "Heap a peer needs"), checked in
 * JVMs of their own whose {@code -Xmx} is the stated need plus the JVM's own baseline, measured
 * first: the same operation at 256 KiB in a JVM of the same options, then a full GC, and the heap
 * still in use (the larger of the two ranks'). The JVMs run the serial collector (the one a JVM
 * picks on a Lambda function below two vCPUs) with a young generation of {@value #YOUNG_MIB} MiB,
 * which the heap adds, so that the old generation holds what the test says. A copy of a large
 * message (the sender's while its connection opens, the receiver's when the message arrives
 * before its receive) does not fit: the operation runs out of memory.
 */
@Timeout(180)
class DirectMemoryTest {
    private static final int MIB = 1 << 20;
    private static final int YOUNG_MIB = 4;
    private static final java.util.Map<String, Integer> BASELINES = new java.util.HashMap<>();

    @RegisterExtension
    static final DirectTesting server = new DirectTesting();

    private static List<String> jvm(String... more) {
        List<String> args = new ArrayList<>(List.of("-XX:+UseSerialGC", "-Xmn" + YOUNG_MIB + "m"));
        args.addAll(List.of(more));
        return args;
    }

    /** Runs {@code mode} on two ranks, each in a JVM started with {@code jvmArgs}; returns their lines starting with {@code ok}. */
    private static String[] run(List<String> jvmArgs, String mode, String arg, String ok) throws Exception {
        String name = "mem-" + UUID.randomUUID();
        try (DirectPeerProcess.Peer a = peer(jvmArgs, name, 0, mode, arg);
             DirectPeerProcess.Peer b = peer(jvmArgs, name, 1, mode, arg)) {
            String[] lines = {a.await(ok, 120), b.await(ok, 120)};
            assertTrue(a.process.waitFor(30, TimeUnit.SECONDS) && b.process.waitFor(30, TimeUnit.SECONDS), "the peers exit");
            assertEquals(0, a.process.exitValue());
            assertEquals(0, b.process.exitValue());
            return lines;
        }
    }

    private static DirectPeerProcess.Peer peer(List<String> jvmArgs, String name, int rank, String mode, String arg)
            throws Exception {
        return DirectPeerProcess.start(jvmArgs, Integer.toString(server.port()), DirectTesting.SECRET, name,
                Integer.toString(rank), "2", mode, arg);
    }

    /** The JVM's own heap in use besides {@code mode}'s arrays, in MiB rounded up: the larger rank's. Measured once per mode. */
    private static synchronized int baselineMiB(String mode) throws Exception {
        Integer known = BASELINES.get(mode);
        if (known != null) {
            return known;
        }
        long most = 0;
        for (String ok : run(jvm("-Xmx64m", "-XX:SoftRefLRUPolicyMSPerMB=0"), "baseline", mode, "OK baseline ")) {
            most = Math.max(most, Long.parseLong(ok.substring("OK baseline ".length()).trim()));
        }
        int mib = (int) ((most + MIB - 1) / MIB);
        BASELINES.put(mode, mib);
        return mib;
    }

    /** {@code mode} with {@code bytes} in a heap of its stated need ({@code needMiB}) plus the baseline and the young generation. */
    private static void checkNeed(String mode, int bytes, int needMiB) throws Exception {
        int baseline = baselineMiB(mode);
        int heap = YOUNG_MIB + baseline + needMiB;
        String[] ok = run(jvm("-Xmx" + heap + "m"), mode, Integer.toString(bytes), "OK");
        System.out.printf("%s of %d MiB: -Xmx%dm = young %d + baseline %d + need %d MiB: %s; %s%n", mode, bytes / MIB,
                heap, YOUNG_MIB, baseline, needMiB, ok[0], ok[1]);
    }

    /** Allreduce of B bytes of {@code byte[]} over 2 ranks: the caller's two arrays (2B) and 1 MiB. */
    @Test
    void shouldAllreduce8MiBOfBytesIn2BPlus1MiB() throws Exception {
        int b = 8 * MIB;
        checkNeed("allreduce-bytes", b, 2 * b / MIB + 1);
    }

    /** Of {@code double[]}: the same 2B + 1 MiB, the ring encoding and decoding segment by segment. */
    @Test
    void shouldAllreduce8MiBOfDoublesIn2BPlus1MiB() throws Exception {
        int b = 8 * MIB;
        checkNeed("allreduce", b, 2 * b / MIB + 1);
    }

    /**
     * 64 MiB as the first message, while the connection opens, to a receiver that first posts a
     * 1 KiB receive, which fails with the size error before any payload moves: B + 1 MiB on each
     * side, so neither may copy the message.
     */
    @Test
    void shouldSend64MiBFirstAndRefuseA1KiBReceiveInBPlus1MiB() throws Exception {
        int b = 64 * MIB;
        checkNeed("sendrecv", b, b / MIB + 1);
    }

    /**
     * The check can fail: with every message eager ({@code rendezvous_bytes} above the message),
     * the sender copies its first message while the connection opens and the receiver keeps a
     * copy of the message its 1 KiB receive refused; in the heap of the test above, one of them
     * runs out of memory.
     */
    @Test
    void shouldRunOutOfThatHeapWhenTheMessageIsCopied() throws Exception {
        int b = 64 * MIB;
        int heap = YOUNG_MIB + baselineMiB("sendrecv") + b / MIB + 1;
        String name = "mem-" + UUID.randomUUID();
        List<String> jvmArgs = jvm("-Xmx" + heap + "m");
        String[] args = {Integer.toString(server.port()), DirectTesting.SECRET, name, null, "2", "sendrecv",
            Integer.toString(b), "rendezvous_bytes=2147483647"};
        args[3] = "0";
        try (DirectPeerProcess.Peer a = DirectPeerProcess.start(jvmArgs, args.clone())) {
            args[3] = "1";
            try (DirectPeerProcess.Peer p = DirectPeerProcess.start(jvmArgs, args.clone())) {
                String failed = a.await("FAILED", 60).contains("OutOfMemoryError") ? "rank 0" : null;
                if (failed == null) {
                    failed = p.await("FAILED", 60).contains("OutOfMemoryError") ? "rank 1" : null;
                }
                System.out.println("every message eager, -Xmx" + heap + "m: " + failed + " ran out of memory");
                assertTrue(failed != null, "a copy of 64 MiB fit in " + heap + " MiB");
            }
        }
    }
}
