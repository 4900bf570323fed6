package io.fmi.channel.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.Communicator;
import io.fmi.FmiConfig;
import io.fmi.PeerFailedException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Peer liveness against a real process (rank 1, {@link DirectPeerProcess}) that this test kills,
 * stops or leaves idle in user code, while rank 0 here waits in a receive with a 30 s deadline:
 * a dead or closed peer is reported at once, a frozen one within the liveness window, and an idle
 * one (alive, not in any FMI call) never.
 */
@ExtendWith(LeakCheck.class)
@Timeout(90)
class DirectLivenessTest {
    private static final int LIVENESS_MS = 1500;

    @RegisterExtension
    static final DirectTesting server = new DirectTesting();

    /** Rank 1 in its own JVM, connected to rank 0 (this JVM) by a barrier; then {@code mode}. */
    private static DirectPeerProcess.Peer peer(String name, String mode, String arg) throws Exception {
        return DirectPeerProcess.start(List.of("-Xmx64m"), Integer.toString(server.port()), DirectTesting.SECRET, name,
                "1", "2", mode, arg, "liveness_ms=" + LIVENESS_MS);
    }

    private static Communicator rank0(String name) {
        FmiConfig cfg = server.config(d -> d.put("liveness_ms", LIVENESS_MS));
        return Communicator.builder().config(cfg).name(name).rank(0).size(2).timeout(Duration.ofSeconds(30)).build();
    }

    private static long ms(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    @Test
    void shouldReportAKilledPeerAtOnce() throws Exception {
        String name = "kill-" + UUID.randomUUID();
        try (DirectPeerProcess.Peer p = peer(name, "idle", "60000"); Communicator c = rank0(name)) {
            c.barrier();
            p.await("CONNECTED", 30);
            Thread killer = new Thread(() -> {
                try {
                    Thread.sleep(300); // rank 0 waits in its receive by then
                    p.signal("KILL");
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            long t0 = System.nanoTime();
            killer.start();
            PeerFailedException e = assertThrows(PeerFailedException.class, () -> c.recv(new int[1], 1));
            long took = ms(t0) - 300;
            System.out.println("kill -9 of rank 1 reported after " + took + " ms: " + e.getMessage());
            assertEquals(1, e.peer());
            assertTrue(took < 2_000, "reported " + took + " ms after the kill (deadline 30000 ms)");
            killer.join();
        }
    }

    @Test
    void shouldReportAStoppedPeerWithinTheLivenessWindow() throws Exception {
        String name = "stop-" + UUID.randomUUID();
        try (DirectPeerProcess.Peer p = peer(name, "idle", "60000"); Communicator c = rank0(name)) {
            c.barrier();
            p.await("CONNECTED", 30);
            p.signal("STOP"); // as a Lambda sandbox frozen after its handler returned
            try {
                long t0 = System.nanoTime();
                PeerFailedException e = assertThrows(PeerFailedException.class, () -> c.recv(new int[1], 1));
                long took = ms(t0);
                System.out.println("SIGSTOP of rank 1 reported after " + took + " ms: " + e.getMessage());
                assertEquals(1, e.peer());
                assertTrue(took >= LIVENESS_MS - 200 && took < 3 * LIVENESS_MS + 1_000,
                        "reported after " + took + " ms (liveness " + LIVENESS_MS + " ms, deadline 30000 ms)");
                assertTrue(e.getMessage().contains("sent nothing") && e.getMessage().contains("liveness_ms"), e.getMessage());
            } finally {
                p.signal("CONT");
            }
        }
    }

    @Test
    void shouldNotMistakeAPeerBusyInUserCodeForAFrozenOne() throws Exception {
        String name = "idle-" + UUID.randomUUID();
        try (DirectPeerProcess.Peer p = peer(name, "idle", Integer.toString(3 * LIVENESS_MS)); Communicator c = rank0(name)) {
            c.barrier();
            int[] got = new int[1];
            long t0 = System.nanoTime();
            c.recv(got, 1); // waits through three liveness windows: the peer's background thread says it is alive
            assertTrue(ms(t0) >= 2 * LIVENESS_MS, "the peer was idle for " + 3 * LIVENESS_MS + " ms");
            assertEquals(42, got[0]);
            c.send(new int[] {7}, 1);
            assertTrue(p.await("OK", 30).contains("reply 7"));
        }
    }

    @Test
    void shouldReportAPeerThatClosedAtOnce() throws Exception {
        String name = "closed-" + UUID.randomUUID();
        try (DirectPeerProcess.Peer p = peer(name, "close", "0"); Communicator c = rank0(name)) {
            c.barrier();
            p.await("CLOSED", 30);
            long t0 = System.nanoTime();
            PeerFailedException e = assertThrows(PeerFailedException.class, () -> c.recv(new int[1], 1));
            assertEquals(1, e.peer());
            assertTrue(ms(t0) < 1_000, "after " + ms(t0) + " ms");
            assertTrue(e.getMessage().contains("closed its communicator"), e.getMessage());
        }
    }
}
