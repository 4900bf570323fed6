package io.fmi.channel.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The heap a peer needs per operation (docs/channels-direct.md, "Memory"), checked in JVMs of their
 * own with a small {@code -Xmx}: large messages are never copied by the channel, neither while the
 * connection opens nor when they arrive before their receive, and a receive of the wrong size
 * fails before any payload moves.
 */
@Timeout(120)
class DirectMemoryTest {
    @RegisterExtension
    static final DirectTesting server = new DirectTesting();

    private static void run(String heap, String mode, int bytes) throws Exception {
        String name = "mem-" + UUID.randomUUID();
        try (DirectPeerProcess.Peer a = DirectPeerProcess.start(List.of(heap), Integer.toString(server.port()),
                DirectTesting.SECRET, name, "0", "2", mode, Integer.toString(bytes));
             DirectPeerProcess.Peer b = DirectPeerProcess.start(List.of(heap), Integer.toString(server.port()),
                DirectTesting.SECRET, name, "1", "2", mode, Integer.toString(bytes))) {
            String ra = a.await("OK", 90);
            String rb = b.await("OK", 90);
            System.out.println(mode + " " + bytes + " with " + heap + ": rank 0 " + ra + "; rank 1 " + rb);
            assertTrue(a.process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && b.process.waitFor(30,
                    java.util.concurrent.TimeUnit.SECONDS), "the peers exit");
            assertEquals(0, a.process.exitValue());
            assertEquals(0, b.process.exitValue());
        }
    }

    /** 8 MiB of doubles: the caller's two arrays, their byte images, a ring chunk (docs: 4B + B/n + ~8 MiB). */
    @Test
    void shouldAllreduce8MiBInA48MiBHeap() throws Exception {
        run("-Xmx48m", "allreduce", 8 << 20);
    }

    /**
     * 64 MiB as the first message, while the connection opens (the sender copied it before), to a
     * receiver that first posts a 1 KiB receive (it staged and copied the whole message before).
     */
    @Test
    void shouldSend64MiBFirstAndRefuseA1KiBReceiveWithoutCopyingIt() throws Exception {
        run("-Xmx100m", "sendrecv", 64 << 20);
    }
}
