package io.fmi.channel.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.channel.CpuBudget;
import io.fmi.channel.IdleStrategy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Ranks of one job on one host that outnumber its CPUs make the adaptive strategy's waits yield briefly, then block. */
@Timeout(60)
class DirectIoCrowdingTest {
    private static final DirectIo.Events EVENTS = new DirectIo.Events() {
        @Override
        public void onMessage(int src, long tag, ByteBuffer payload) {
        }

        @Override
        public void onGoodbye(int src, String abortReason) {
        }

        @Override
        public Throwable onConnectionLost(int peer, String protocolError, boolean refused, boolean prefaceReceived, Throwable cause) {
            return cause;
        }
    };

    @Test
    void shouldBlockOnceRanksOnThisHostOutnumberItsCpus() throws Exception {
        int cpus = CpuBudget.hostCpus();
        List<SocketChannel> open = new ArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             DirectIo adaptive = io(IdleStrategy.adaptive());
             DirectIo spin = io(IdleStrategy.spin(Duration.ofMillis(1)))) {
            for (int peer = 1; peer <= cpus; peer++) {
                assertFalse(adaptive.crowded(), peer + " ranks on " + cpus + " CPUs");
                add(adaptive, server, peer, cpus + 1, open);
                add(spin, server, peer, cpus + 1, open);
            }
            assertTrue(adaptive.crowded(), (cpus + 1) + " ranks on " + cpus + " CPUs: waits yield, then block");
            assertEquals("backoff(max_spins=0, max_yields=2147483647, max_poll_us=100)", DirectIo.CROWDED.toString());
            assertFalse(spin.crowded(), "a strategy the user chose is kept");
        } finally {
            for (SocketChannel s : open) {
                s.close();
            }
        }
    }

    @Test
    void shouldCountOnlyConnectionsThatStayOnThisHost() throws Exception {
        InetAddress mine = InetAddress.getByName("192.0.2.10");
        assertTrue(DirectIo.isLocal(InetAddress.getLoopbackAddress(), InetAddress.getLoopbackAddress()));
        assertTrue(DirectIo.isLocal(InetAddress.getByName("127.0.0.2"), mine), "all of 127/8 is loopback");
        assertTrue(DirectIo.isLocal(mine, mine), "two ends of one address: one host");
        assertFalse(DirectIo.isLocal(InetAddress.getByName("203.0.113.7"), mine), "another host (another NAT lab namespace)");
    }

    private static DirectIo io(IdleStrategy idle) throws Exception {
        return new DirectIo("[crowding test]", "fmi-direct-io-test", EVENTS, idle, TimeUnit.SECONDS.toNanos(30));
    }

    /** A connected loopback pair; its client end is handed to {@code io} as rank {@code peer}. */
    private static void add(DirectIo io, ServerSocketChannel server, int peer, int size, List<SocketChannel> open) throws Exception {
        SocketChannel client = SocketChannel.open(server.getLocalAddress());
        SocketChannel accepted = server.accept();
        open.add(client);
        open.add(accepted);
        client.configureBlocking(false);
        io.add(peer, client, new FrameCodec(EVENTS, peer, size, 1 << 20), FrameCodec.preface(0, size), null, List.of());
    }
}
