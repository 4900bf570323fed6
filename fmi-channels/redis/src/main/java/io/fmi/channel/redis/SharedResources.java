package io.fmi.channel.redis;

import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Lettuce {@link ClientResources} (event loops, timer, reconnect back-off of 10 ms doubling to
 * 1 s) that FMI creates for the Redis channels given neither resources nor a client by the caller.
 * Reference-counted: the first such channel creates them, every one open at the same time shares
 * them (as Lettuce recommends: event loops serve any number of clients), and the last one to
 * close shuts them down, so no Lettuce thread outlives the communicators. A channel opened after
 * that creates new ones.
 *
 * <p>Shared rather than one set per channel: on the 2-core test machine a set of its own cost a
 * channel 1.1-1.3 ms more to create and about 3 ms more to close (client and resources against the
 * client alone, medians of 29 and 60 after warm-up; connecting took 9-10 ms either way), and its
 * own event loop and timer threads for each peer a JVM runs at once. With one communicator at a
 * time, as in a Lambda invocation, both come to the same.
 *
 * <p>Thread-safe: {@link #acquire} and {@link #release} count under one lock; the shutdown runs
 * outside it, bounded by {@value #SHUTDOWN_TIMEOUT_SECONDS} s.
 */
final class SharedResources {
    private static final Logger log = LoggerFactory.getLogger(SharedResources.class);
    static final int SHUTDOWN_TIMEOUT_SECONDS = 2;
    private static final Object LOCK = new Object();

    /** The resources in use, null when no channel holds them; guarded by {@link #LOCK}. */
    private static ClientResources current;
    /** Channels holding {@link #current}; guarded by {@link #LOCK}. */
    private static int users;

    private SharedResources() {
    }

    /** The shared resources, created if no channel holds them; give them back with {@link #release}. */
    static ClientResources acquire() {
        synchronized (LOCK) {
            if (current == null) {
                current = DefaultClientResources.builder()
                        .ioThreadPoolSize(Math.max(2, Runtime.getRuntime().availableProcessors()))
                        .computationThreadPoolSize(2)
                        .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                        .build();
                log.debug("created the Redis client resources");
            }
            users++;
            return current;
        }
    }

    /** Gives back resources from {@link #acquire}, once per call; the last user shuts them down. */
    static void release(ClientResources resources) {
        synchronized (LOCK) {
            if (resources != current || users <= 0) {
                throw new IllegalStateException("released Redis client resources that are not held: " + resources);
            }
            if (--users > 0) {
                return;
            }
            current = null;
        }
        try {
            resources.shutdown(0, SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS).get(SHUTDOWN_TIMEOUT_SECONDS + 1, TimeUnit.SECONDS);
            log.debug("shut down the Redis client resources");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.debug("interrupted while shutting down the Redis client resources; their threads end on their own");
        } catch (ExecutionException | TimeoutException e) {
            log.debug("shutting down the Redis client resources did not complete: {}", e.toString());
        }
    }

    /** The resources in use, or null: for tests. */
    static ClientResources current() {
        synchronized (LOCK) {
            return current;
        }
    }
}
