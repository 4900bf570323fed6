package io.fmi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fmi.local.LocalChannelProvider;
import io.fmi.local.LocalCluster;
import io.fmi.local.LocalFabric;
import io.fmi.local.LocalStoreChannelProvider;
import io.fmi.model.SelectionPolicy;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With several channels, all point-to-point messages of a communicator take one channel whatever
 * their size, so that messages between two peers cannot overtake each other on different
 * channels; collectives still follow the selector by size.
 */
@Timeout(30)
class PointToPointChannelTest {
    /** Messages of 1000 bytes and more over the store, smaller ones in memory. */
    private static final SelectionPolicy BY_SIZE = (op, bytes, size, hint, estimates) -> bytes >= 1000 ? "LocalStore" : "Local";

    @Test
    void shouldSendEveryPointToPointMessageOverOneChannelWhateverItsSize() {
        LocalFabric fabric = new LocalFabric();
        FmiConfig both = FmiConfig.defaults().withOnly("Local", "LocalStore");
        LocalCluster.run(both, 2, b -> b.selectionPolicy(BY_SIZE)
                .channelProvider(new LocalChannelProvider(fabric)).channelProvider(new LocalStoreChannelProvider(fabric)), comm -> {
            assertEquals("local-store", comm.channelFor(Operation.BCAST, 4000), "collectives follow the policy");
            assertEquals("local", comm.channelFor(Operation.BCAST, 8));
            assertEquals("local", comm.channelFor(Operation.SEND, 8));
            assertEquals("local", comm.channelFor(Operation.SEND, 1 << 20), "a large message takes the same channel as a small one");
            int[] sizes = {8, 100_000, 3, 5000, 0};
            for (int k = 0; k < sizes.length; k++) {
                byte[] m = new byte[sizes[k]];
                if (comm.rank() == 0) {
                    Arrays.fill(m, (byte) k);
                    comm.send(m, 1);
                } else {
                    comm.recv(m, 0);
                    byte[] expected = new byte[sizes[k]];
                    Arrays.fill(expected, (byte) k);
                    assertArrayEquals(expected, m, "message " + k);
                }
            }
            return null;
        });
        assertEquals(0, fabric.store().writes(), "no message went through the store");
    }
}
