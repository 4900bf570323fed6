package io.fmi.channel.direct;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.ChannelException;
import io.fmi.Communicator;
import io.fmi.FmiConfig;
import io.fmi.FmiException;
import io.fmi.FmiTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A message to a peer whose connection never comes up is never dropped silently: a large one (the
 * rendezvous protocol) fails its send, blocking or not; an eager one, whose send returned once it
 * was copied, makes {@code close()} throw, naming the rank, the count, the bytes and the cause.
 */
@ExtendWith(LeakCheck.class)
@Timeout(60)
class DirectNoSilentLossTest {
    private static final int LARGE = 1 << 20;

    @RegisterExtension
    static final DirectTesting server = new DirectTesting();

    private static long ms(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    @Test
    void shouldFailLargeSendsAndReportEagerOnesAtCloseWhenTheSecretIsWrong() throws Exception {
        FmiConfig cfg = server.config(d -> d.put("secret", "not-the-servers"));
        Communicator c = Communicator.builder().config(cfg).name("wrong-secret").rank(0).size(2)
                .timeout(Duration.ofSeconds(30)).build();
        // eager: both return once copied, before the server has answered
        c.send(new int[] {1}, 1);
        CompletableFuture<Void> eager = c.isend(new long[] {2}, 1);
        eager.get(5, TimeUnit.SECONDS);
        // large: the sends themselves fail, at once
        long t0 = System.nanoTime();
        ChannelException blocking = assertThrows(ChannelException.class, () -> c.send(new byte[LARGE], 1));
        assertTrue(ms(t0) < 3_000, "after " + ms(t0) + " ms");
        assertTrue(blocking.getMessage().contains("AUTH_FAILED"), blocking.getMessage());
        CompletionException nonBlocking = assertThrows(CompletionException.class, () -> c.isend(new byte[LARGE], 1).join());
        assertInstanceOf(ChannelException.class, nonBlocking.getCause());
        assertTrue(nonBlocking.getCause().getMessage().contains("AUTH_FAILED"), nonBlocking.getCause().getMessage());

        long t1 = System.nanoTime();
        FmiException e = assertThrows(FmiException.class, c::close);
        assertTrue(ms(t1) < 1_000, "close() took " + ms(t1) + " ms");
        for (String s : List.of("close", "2 messages (12 bytes) to rank 1", "AUTH_FAILED", "not delivered")) {
            assertTrue(e.getMessage().contains(s), s + " in: " + e.getMessage());
        }
    }

    @Test
    void shouldFailLargeSendsAndReportEagerOnesAtCloseWhenThePeerNeverStarts() throws Exception {
        Communicator c = Communicator.builder().config(server.config()).name("never").rank(0).size(2)
                .timeout(Duration.ofMillis(1500)).build();
        c.send(new int[] {1}, 1);
        c.isend(new int[] {2, 3}, 1).get(5, TimeUnit.SECONDS);
        long t0 = System.nanoTime();
        FmiTimeoutException blocking = assertThrows(FmiTimeoutException.class, () -> c.send(new byte[LARGE], 1));
        long took = ms(t0);
        assertTrue(took >= 1_400 && took < 4_000, "after " + took + " ms (deadline 1500 ms)");
        assertTrue(blocking.getMessage().contains("no connection to rank 1 yet"), blocking.getMessage());
        CompletionException nonBlocking = assertThrows(CompletionException.class, () -> c.isend(new byte[LARGE], 1).join());
        assertInstanceOf(FmiTimeoutException.class, nonBlocking.getCause());

        long t1 = System.nanoTime();
        FmiException e = assertThrows(FmiException.class, c::close);
        assertTrue(ms(t1) < 2_000, "close() took " + ms(t1) + " ms");
        for (String s : List.of("2 messages (12 bytes) to rank 1", "did not register")) {
            assertTrue(e.getMessage().contains(s), s + " in: " + e.getMessage());
        }
    }
}
