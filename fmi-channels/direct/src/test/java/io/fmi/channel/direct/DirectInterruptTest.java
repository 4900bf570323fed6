package io.fmi.channel.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.FmiException;
import io.fmi.ReduceOp;
import io.fmi.local.LocalCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A thread blocked in a Direct operation that is interrupted gets an FmiException at once; the channel stays usable. */
@ExtendWith(LeakCheck.class)
@Timeout(60)
class DirectInterruptTest {
    @RegisterExtension
    static final DirectTesting server = new DirectTesting();

    /** What an interrupted call raised, how long after the interrupt, and whether the flag was still set. */
    private static final class Outcome {
        final AtomicReference<Throwable> error = new AtomicReference<>();
        volatile long millisAfterInterrupt = -1;
        volatile boolean flagSet;
    }

    private static Outcome interruptWhile(Runnable blocked) {
        Outcome o = new Outcome();
        long[] interruptedAt = new long[1];
        Thread t = new Thread(() -> {
            try {
                blocked.run();
            } catch (Throwable e) {
                o.error.set(e);
                o.millisAfterInterrupt = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - interruptedAt[0]);
                o.flagSet = Thread.currentThread().isInterrupted();
            }
        });
        t.start();
        try {
            Thread.sleep(500); // blocked by then
            interruptedAt[0] = System.nanoTime();
            t.interrupt();
            t.join(10_000);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return o;
    }

    private static void check(Outcome o, String what) {
        Throwable e = o.error.get();
        assertTrue(e instanceof FmiException && e.getMessage().contains("interrupted"), what + ": " + e);
        assertTrue(o.millisAfterInterrupt >= 0 && o.millisAfterInterrupt < 1_000,
                what + " raised " + o.millisAfterInterrupt + " ms after the interrupt (deadline 30000 ms)");
        assertTrue(o.flagSet, what + ": the interrupt flag is still set");
    }

    @Test
    void shouldRaiseAtOnceWhenInterruptedAndStayUsableForOtherThreads() {
        List<Boolean> ok = LocalCluster.run(server.config(), 2, b -> b.timeout(Duration.ofSeconds(30)), comm -> {
            int other = 1 - comm.rank();
            comm.barrier(); // connected
            if (comm.rank() == 1) {
                check(interruptWhile(() -> comm.recv(new int[1], 0)), "a receive nobody sends to");
                check(interruptWhile(() -> comm.send(new byte[1 << 20], 0)), "a large send nobody receives");
            }
            comm.barrier(); // rank 0 idled meanwhile
            // the interrupted calls left nothing behind: the next messages match, collectives run
            int[] got = new int[1];
            CompletableFuture<Void> s = comm.isend(new int[] {comm.rank() + 100}, other);
            comm.recv(got, other);
            s.join();
            assertEquals(other + 100, got[0]);
            byte[] big = new byte[1 << 20];
            if (comm.rank() == 0) {
                big[big.length - 1] = 9;
                comm.send(big, 1);
            } else {
                comm.recv(big, 0);
                assertEquals(9, big[big.length - 1], "the withdrawn large message did not take this receive");
            }
            int[] sum = new int[1];
            comm.allreduce(new int[] {1}, sum, ReduceOp.SUM);
            assertEquals(2, sum[0]);
            return true;
        });
        assertEquals(List.of(true, true), ok);
    }
}
