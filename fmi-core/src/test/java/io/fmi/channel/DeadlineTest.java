package io.fmi.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DeadlineTest {
    @Test
    void shouldCountTimeLeftBeforeAndTimeOverdueAfter() throws InterruptedException {
        Deadline future = Deadline.after(Duration.ofSeconds(60));
        assertFalse(future.expired());
        assertTrue(future.remainingNanos() > TimeUnit.SECONDS.toNanos(59));
        assertEquals(0, future.overdueNanos());

        Deadline past = Deadline.after(Duration.ofMillis(20));
        Thread.sleep(70);
        assertTrue(past.expired());
        assertEquals(0, past.remainingNanos(), "remaining time never goes negative");
        assertTrue(past.overdueNanos() >= TimeUnit.MILLISECONDS.toNanos(50), "overdue: " + past.overdueNanos());
    }
}
