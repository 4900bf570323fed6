package io.fmi.examples.storage;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * An {@link ObjectStore} in this JVM's memory, for the workers of a test that run as threads:
 * {@link #await} blocks until the key is put, up to a deadline. Counts puts and reads, so tests
 * can check the exchange has the shape its documentation states. Thread-safe.
 */
public final class InMemoryObjectStore implements ObjectStore {
    private final Map<String, byte[]> objects = new HashMap<>();
    private final Duration deadline;
    private long puts;
    private long reads;

    /** @param deadline how long {@link #await} waits for a key before it fails */
    public InMemoryObjectStore(Duration deadline) {
        this.deadline = deadline;
    }

    @Override
    public synchronized void put(String key, byte[] value) {
        if (objects.putIfAbsent(key, value.clone()) != null) {
            throw new IllegalStateException("put " + key + ": the key exists (expected: every object written once)");
        }
        puts++;
        notifyAll();
    }

    @Override
    public synchronized byte[] await(String key) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!objects.containsKey(key)) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException("await " + key + ": not put within " + deadline);
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("await " + key + ": interrupted", e);
            }
        }
        reads++;
        return objects.get(key);
    }

    /** Objects written so far. */
    public synchronized long puts() {
        return puts;
    }

    /** Objects read so far. */
    public synchronized long reads() {
        return reads;
    }
}
