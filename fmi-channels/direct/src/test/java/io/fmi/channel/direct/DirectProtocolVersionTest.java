package io.fmi.channel.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.ChannelException;
import io.fmi.Communicator;
import io.fmi.tcpunch.HolePunchClient;
import io.fmi.tcpunch.PunchedSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The version check of the Direct handshake over real sockets: rank 0 is a real communicator, rank 1
 * a peer that opens the same punched connection (fmi-tcpunch, same pairing name) and then speaks
 * another version of the format, or the unversioned one. Rank 0 must refuse it at once with a
 * {@link ChannelException} naming the peer, both versions and the channel, whatever it was doing.
 */
@ExtendWith(LeakCheck.class)
@Timeout(60)
class DirectProtocolVersionTest {
    @RegisterExtension
    static final DirectTesting server = new DirectTesting();
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    private static Communicator rank0(String name) {
        return Communicator.builder().config(server.config()).name(name).runId("r1").rank(0).size(2).timeout(DEADLINE).build();
    }

    /** Rank 1's end of the connection rank 0 opens for {@code name}: what the Direct channel would get. */
    private static PunchedSocket rank1(HolePunchClient client, String name) throws Exception {
        return client.connectSocket(name + "/r1:0:1", "1", "0", DEADLINE).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }

    private static HolePunchClient client() {
        return HolePunchClient.builder().server(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()))
                .secret(DirectTesting.SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8)).mappingProbe(false).build();
    }

    private static void write(SocketChannel s, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            s.write(b);
        }
    }

    /** Everything rank 0 sends until it closes the connection (within 10 s). */
    private static byte[] readToEnd(PunchedSocket s) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(FrameCodecTest.bytes(s.received()));
        SocketChannel c = s.socket();
        c.configureBlocking(true);
        c.socket().setSoTimeout(10_000);
        byte[] buf = new byte[256];
        int n;
        // the socket's stream honours SO_TIMEOUT, the channel's read would not
        while ((n = c.socket().getInputStream().read(buf)) >= 0) {
            all.write(buf, 0, n);
        }
        return all.toByteArray();
    }

    /** What rank 0 wrote is its version-1 preface, nothing else; decoded by the codec as rank 1 would. */
    private static void assertVersion1Preface(byte[] fromRank0) {
        FrameCodecTest.Recorder r = new FrameCodecTest.Recorder() {
            @Override
            public void onMessage(int src, long tag, ByteBuffer payload) {
                throw new AssertionError("rank 0 sent a message to a refused peer");
            }
        };
        FrameCodec c = new FrameCodec(r, 0, 2, Integer.MAX_VALUE - 8);
        assertNull(c.feed(ByteBuffer.wrap(fromRank0)));
        assertTrue(c.prefaceReceived(), "rank 0's preface");
        assertEquals(FrameCodec.PREFACE_BYTES, fromRank0.length, "rank 0 wrote its preface, then closed");
    }

    private static void assertRefusal(Throwable t, String... parts) {
        ChannelException e = assertInstanceOf(ChannelException.class, t);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' in: " + e.getMessage());
        }
        assertTrue(e.getMessage().contains("channel=direct"), e.getMessage());
    }

    @Test
    void shouldRefuseAPeerOfAnotherVersionNamingBothVersions() throws Exception {
        try (Communicator comm = rank0("version"); HolePunchClient client = client()) {
            CompletableFuture<Void> pending = comm.irecv(new int[1], 1); // opens the connection
            comm.isend(new int[] {7}, 1); // must never reach a peer of another version
            PunchedSocket s = rank1(client, "version");
            write(s.socket(), FrameCodec.preface(2, 0, 1, 2));
            write(s.socket(), ByteBuffer.wrap(FrameCodecTest.frame(FrameCodec.DATA, 0, new byte[4])));
            assertVersion1Preface(readToEnd(s));
            s.socket().close();

            ExecutionException e = assertThrows(ExecutionException.class, () -> pending.get(10, TimeUnit.SECONDS));
            assertRefusal(e.getCause(), "rank 1 speaks Direct protocol version 2, this peer version 1");
            // every later operation with rank 1 fails the same way, at once
            long t0 = System.nanoTime();
            assertRefusal(assertThrows(RuntimeException.class, () -> comm.recv(new int[1], 1)), "version 2");
            assertRefusal(assertThrows(RuntimeException.class, () -> comm.send(new int[1], 1)), "version 2");
            assertRefusal(assertThrows(RuntimeException.class, comm::barrier), "version 2");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms < 5_000, "refusals took " + ms + " ms (expected: at once, not at the deadline)");
        }
    }

    @Test
    void shouldRefuseAPeerOfTheUnversionedFormatWhileAReceiveWaitsForIt() throws Exception {
        try (Communicator comm = rank0("unversioned"); HolePunchClient client = client()) {
            CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> comm.recv(new int[1], 1));
            PunchedSocket s = rank1(client, "unversioned");
            // what an fmi-channel-direct without versions writes: length int32, tag int64, payload
            write(s.socket(), ByteBuffer.allocate(16).putInt(4).putLong(0).putInt(42).flip());
            assertVersion1Preface(readToEnd(s));
            s.socket().close();
            ExecutionException e = assertThrows(ExecutionException.class, () -> blocked.get(10, TimeUnit.SECONDS));
            assertRefusal(e.getCause(), "rank 1 did not open with the Direct preface", "without versions", "version 1");
        }
    }

    @Test
    void shouldRefuseAPeerOfAnotherCommunicatorSize() throws Exception {
        try (Communicator comm = rank0("size"); HolePunchClient client = client()) {
            CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> comm.recv(new int[1], 1));
            PunchedSocket s = rank1(client, "size");
            write(s.socket(), FrameCodec.preface(FrameCodec.VERSION, 0, 1, 3));
            assertVersion1Preface(readToEnd(s));
            s.socket().close();
            ExecutionException e = assertThrows(ExecutionException.class, () -> blocked.get(10, TimeUnit.SECONDS));
            assertRefusal(e.getCause(), "rank 1 is in a communicator of 3 ranks, this peer in one of 2");
        }
    }
}
