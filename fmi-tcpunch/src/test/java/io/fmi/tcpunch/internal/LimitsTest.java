package io.fmi.tcpunch.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The pieces the server's limits are made of: the descriptor limit, the log throttle. */
class LimitsTest {
    @Test
    void shouldReadTheSoftOpenFileLimit() {
        String limits = "Limit                     Soft Limit           Hard Limit           Units     \n"
                + "Max processes             63704                63704                processes \n"
                + "Max open files            20000                524288               files     \n"
                + "Max locked memory         8388608              8388608              bytes     \n";
        assertEquals(OptionalLong.of(20000), OpenFileLimit.parse(limits));
        assertEquals(OptionalLong.empty(), OpenFileLimit.parse("Max open files            unlimited            unlimited            files\n"));
        assertEquals(OptionalLong.empty(), OpenFileLimit.parse(""));
        assertTrue(OpenFileLimit.current().isPresent(), "/proc/self/limits is readable on Linux");
    }

    @Test
    void shouldLetOneLinePerIntervalThroughAndCountTheRest() {
        AtomicLong now = new AtomicLong(1_000);
        LogThrottle t = new LogThrottle(Duration.ofSeconds(10), now::get);
        assertEquals(0, t.admit(), "the first line goes through at once");
        for (int i = 0; i < 5; i++) {
            assertEquals(-1, t.admit());
        }
        now.addAndGet(Duration.ofSeconds(10).toNanos() - 1);
        assertEquals(-1, t.admit(), "not before the interval has passed");
        now.addAndGet(1);
        assertEquals(6, t.admit(), "the next line counts the six held back");
        now.addAndGet(Duration.ofSeconds(30).toNanos());
        assertEquals(0, t.admit());
    }
}
