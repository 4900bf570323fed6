package io.fmi.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.Communicator;
import io.fmi.FmiException;
import io.fmi.Operation;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The checks of {@link CollectiveContract} for messages whose receiver does not know their size
 * ({@code recvBytes}, {@code gatherBytes}, {@code allgatherBytes}, {@code alltoallBytes}) and for
 * objects (JSON by default): sizes 0, 1, odd and large, with zeros and one rank holding much more
 * than the others.
 */
final class AnySizeChecks {
    /** What the object checks send: a record, as users would. */
    public record Sample(String name, int rank, List<Double> values, Map<String, Integer> counts) {
    }

    private final CollectiveContract contract;

    AnySizeChecks(CollectiveContract contract) {
        this.contract = contract;
    }

    /** Deterministic bytes: {@code len} of them, for source {@code rank} and destination {@code to}. */
    static byte[] bytes(int rank, int to, int len, int salt) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) Reference.value(rank * 1000 + to, i, salt);
        }
        return b;
    }

    /** Length of rank {@code r}'s message in a collective: zeros, small, odd, and one rank far larger. */
    private int lengthOf(int r, int n) {
        int large = java.util.Arrays.stream(contract.lengths()).max().orElse(0) * 4;
        if (r == n - 1 && n > 1) {
            return large;
        }
        return new int[] {0, 1, 7, 0, 300}[r % 5];
    }

    void recvBytes(Communicator comm, int salt) {
        int n = comm.size();
        int r = comm.rank();
        int right = (r + 1) % n;
        int left = (r - 1 + n) % n;
        contract.expectChannel(comm, Operation.SEND, 0);
        int[] lengths = new int[contract.lengths().length];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = contract.lengths()[i] * 4;
        }
        // Receives of unknown size posted before the messages are sent, then received after.
        List<CompletableFuture<byte[]>> early = new ArrayList<>();
        for (int i = 0; i < lengths.length; i++) {
            early.add(comm.irecvBytes(left));
        }
        for (int len : lengths) {
            comm.send(bytes(r, right, len, salt + len), right);
        }
        for (int i = 0; i < lengths.length; i++) {
            assertArrayEquals(bytes(left, r, lengths[i], salt + lengths[i]), early.get(i).join(), "irecvBytes, message " + i);
        }
        // Sent before the receives are posted: non-blocking, since a channel may move a large message
        // only into a posted receive (as MPI_Send may above its eager limit; Direct's rendezvous_bytes).
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (int len : lengths) {
            sent.add(comm.isend(bytes(r, right, len, salt - len), right));
        }
        for (int len : lengths) {
            assertArrayEquals(bytes(left, r, len, salt - len), comm.recvBytes(left), "recvBytes after the message arrived");
        }
        sent.forEach(CompletableFuture::join);
        // Any typed send, received as its little-endian bytes; and a message to oneself.
        comm.send(new int[] {r, -1}, right);
        ByteBuffer typed = ByteBuffer.wrap(comm.recvBytes(left)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(8, typed.remaining());
        assertEquals(left, typed.getInt());
        assertEquals(-1, typed.getInt());
        comm.send(bytes(r, r, 5, salt), r);
        assertArrayEquals(bytes(r, r, 5, salt), comm.recvBytes(r), "recvBytes from oneself");
    }

    void bytesCollectives(Communicator comm, int salt) {
        int n = comm.size();
        int r = comm.rank();
        byte[] mine = bytes(r, -1, lengthOf(r, n), salt);
        byte[] mineCopy = mine.clone();
        for (int root : contract.roots(n)) {
            contract.expectChannel(comm, Operation.GATHERV, 0);
            List<byte[]> gathered = comm.gatherBytes(mine, root);
            if (r == root) {
                assertEquals(n, gathered.size());
                for (int p = 0; p < n; p++) {
                    assertArrayEquals(bytes(p, -1, lengthOf(p, n), salt), gathered.get(p), "gatherBytes from rank " + p + " at root " + root);
                }
            } else {
                assertNull(gathered, "gatherBytes off the root");
            }
        }
        contract.expectChannel(comm, Operation.ALLGATHERV, 0);
        List<byte[]> all = comm.allgatherBytes(mine);
        assertEquals(n, all.size());
        for (int p = 0; p < n; p++) {
            assertArrayEquals(bytes(p, -1, lengthOf(p, n), salt), all.get(p), "allgatherBytes from rank " + p);
        }
        List<byte[]> out = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            out.add(bytes(r, j, (r + j) % 3 == 0 ? 0 : (r == n - 1 ? lengthOf(r, n) : 1 + r + 2 * j), salt));
        }
        contract.expectChannel(comm, Operation.ALLTOALLV, 0);
        List<byte[]> in = comm.alltoallBytes(out);
        assertEquals(n, in.size());
        for (int i = 0; i < n; i++) {
            assertArrayEquals(bytes(i, r, (i + r) % 3 == 0 ? 0 : (i == n - 1 ? lengthOf(i, n) : 1 + i + 2 * r), salt), in.get(i),
                    "alltoallBytes from rank " + i);
        }
        assertArrayEquals(mineCopy, mine, "a byte operation modified the caller's array");
        // Non-blocking twins, in call order.
        CompletableFuture<List<byte[]>> g = comm.igatherBytes(mine, 0);
        CompletableFuture<List<byte[]>> a = comm.iallgatherBytes(bytes(r, -2, r, salt));
        CompletableFuture<List<byte[]>> t = comm.ialltoallBytes(out);
        CompletableFuture.allOf(g, a, t).join();
        if (r == 0) {
            assertArrayEquals(bytes(n - 1, -1, lengthOf(n - 1, n), salt), g.join().get(n - 1));
        }
        assertArrayEquals(bytes(n - 1, -2, n - 1, salt), a.join().get(n - 1));
        assertEquals(n, t.join().size());
    }

    private static Sample sample(int r, int salt) {
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < r % 4; i++) {
            values.add(Reference.value(r, i, salt) / 4.0);
        }
        return new Sample("rank-" + r + "-\u00e9\u4e2d", r, values, Map.of("r", r, "salt", salt % 1000));
    }

    void objects(Communicator comm, int salt) {
        int n = comm.size();
        int r = comm.rank();
        int right = (r + 1) % n;
        int left = (r - 1 + n) % n;
        comm.sendObject(sample(r, salt), right);
        assertEquals(sample(left, salt), comm.recvObject(left, Sample.class), "recvObject");
        CompletableFuture<Sample> early = comm.irecvObject(left, Sample.class);
        comm.isendObject(sample(r, salt + 1), right).join();
        assertEquals(sample(left, salt + 1), early.join(), "irecvObject posted first");
        for (int root : contract.roots(n)) {
            Sample b = comm.bcastObject(r == root ? sample(root, salt) : null, root, Sample.class);
            assertEquals(sample(root, salt), b, "bcastObject from " + root);
            List<Sample> all = comm.gatherObjects(sample(r, salt + root), root, Sample.class);
            if (r == root) {
                for (int p = 0; p < n; p++) {
                    assertEquals(sample(p, salt + root), all.get(p), "gatherObjects from " + p);
                }
            } else {
                assertNull(all);
            }
        }
        // Null, strings and generic containers; a non-blocking bcast.
        assertNull(comm.bcastObject(null, 0, Sample.class), "bcastObject of null");
        @SuppressWarnings("unchecked")
        Map<String, Object> m = comm.ibcastObject(r == 0 ? Map.of("k", List.of(1, 2)) : null, 0, Map.class).join();
        assertEquals(Map.of("k", List.of(1, 2)), m);
        List<String> names = comm.igatherObjects("r" + r, n - 1, String.class).join();
        if (r == n - 1) {
            for (int p = 0; p < n; p++) {
                assertEquals("r" + p, names.get(p));
            }
        }
        // What cannot be decoded as the type asked for is an error naming the operation and the type.
        comm.sendObject("not a sample", right);
        FmiException e = assertThrows(FmiException.class, () -> comm.recvObject(left, Sample.class));
        assertTrue(e.getMessage().contains("recvObject") && e.getMessage().contains("Sample"), e.getMessage());
    }

    /** A receive of unknown size longer than {@code max_message_bytes} fails naming the limit; run with a limit of 100 bytes. */
    void limit(Communicator comm, int salt) {
        if (comm.size() < 2 || comm.rank() > 1) {
            return;
        }
        if (comm.rank() == 0) {
            comm.send(bytes(0, 1, 50, salt), 1);
            comm.send(bytes(0, 1, 500, salt), 1);
        } else {
            assertArrayEquals(bytes(0, 1, 50, salt), comm.recvBytes(0), "a message within the limit");
            FmiException e = assertThrows(FmiException.class, () -> comm.recvBytes(0));
            assertTrue(e.getMessage().contains("max_message_bytes") && e.getMessage().contains("100"), e.getMessage());
        }
    }
}
