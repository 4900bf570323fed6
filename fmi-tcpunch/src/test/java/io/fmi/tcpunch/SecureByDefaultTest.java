package io.fmi.tcpunch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.tcpunch.internal.ErrorCode;
import io.fmi.tcpunch.internal.Message;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A rendezvous server needs a shared secret unless it is made insecure on purpose. */
@Timeout(30)
class SecureByDefaultTest {
    private static final byte[] SECRET = "the job's secret".getBytes(StandardCharsets.UTF_8);

    @Test
    void shouldRefuseToBuildWithoutASecretNamingEveryWayToGiveOne() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> RendezvousServer.builder().build());
        for (String hint : new String[] {"secret(byte[])", "--secret-file", "FMI_SECRET", "insecure(true)", "--insecure"}) {
            assertTrue(e.getMessage().contains(hint), "'" + hint + "' missing from: " + e.getMessage());
        }
        IllegalStateException both = assertThrows(IllegalStateException.class,
                () -> RendezvousServer.builder().secret(SECRET).insecure(true).build());
        assertTrue(both.getMessage().contains("expected: one of them"), both.getMessage());
    }

    @Test
    void shouldKeepAStrangerWithoutTheSecretOutOfAWaitingPairing() throws Exception {
        try (RendezvousServer server = RendezvousServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0)
                .secret(SECRET).build().start()) {
            InetSocketAddress addr = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
            try (WireClient rank0 = WireClient.connect(WireClient.loopback(1), addr, SECRET, 10_000);
                 WireClient stranger = WireClient.connect(WireClient.loopback(9), addr, null, 10_000);
                 WireClient rank1 = WireClient.connect(WireClient.loopback(1), addr, SECRET, 10_000)) {
                rank0.register("victim/0:0:1", "0", "1");
                assertInstanceOf(Message.Registered.class, rank0.read());
                // the server replies before it counts the registration as pending
                long end = System.nanoTime() + 10_000_000_000L;
                while (server.stats().pendingRegistrations() != 1 && System.nanoTime() < end) {
                    Thread.sleep(5);
                }
                assertEquals(1, server.stats().pendingRegistrations(), "rank 0 is pending");

                // finding: without a secret a third client registering as rank 1 received rank 0's data
                stranger.register("victim/0:0:1", "1", "0");
                Message.Error refused = assertInstanceOf(Message.Error.class, stranger.read());
                assertEquals(ErrorCode.AUTH_FAILED, refused.code(), refused.text());
                assertTrue(stranger.closedByServer());
                assertEquals(1, server.stats().pendingRegistrations(), "rank 0 still waits");

                rank1.register("victim/0:0:1", "1", "0");
                assertInstanceOf(Message.Registered.class, rank1.read());
                Message.Peer toRank1 = assertInstanceOf(Message.Peer.class, rank1.read());
                Message.Peer toRank0 = assertInstanceOf(Message.Peer.class, rank0.read());
                assertEquals("0", toRank1.peerId());
                assertEquals("1", toRank0.peerId());
            }
        }
    }

    @Test
    void shouldServeAnyoneWhenInsecureOnPurpose() throws Exception {
        try (RendezvousServer server = RendezvousServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0)
                .insecure(true).build().start()) {
            InetSocketAddress addr = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
            try (WireClient a = WireClient.connect(WireClient.loopback(1), addr, null, 10_000);
                 WireClient b = WireClient.connect(WireClient.loopback(2), addr, null, 10_000)) {
                a.register("open/0:0:1", "0", "1");
                b.register("open/0:0:1", "1", "0");
                assertInstanceOf(Message.Registered.class, a.read());
                assertInstanceOf(Message.Peer.class, a.read());
                assertInstanceOf(Message.Registered.class, b.read());
                assertInstanceOf(Message.Peer.class, b.read());
            }
        }
    }
}
