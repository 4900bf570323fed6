package io.fmi.local;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An in-memory key-value store with blocking reads and atomic counters: the store behind the
 * {@code LocalStore} channel, which runs the mediated family's algorithms without a server.
 * Thread-safe.
 */
public final class LocalStore {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<String, byte[]> objects = new HashMap<>();
    private final Map<String, Long> counters = new HashMap<>();
    private long writes;

    /**
     * Stores {@code value} under {@code key}, replacing what was there, and wakes the readers waiting for it.
     *
     * @param key the object's name
     * @param value the bytes, not copied: the caller hands them over
     */
    public void put(String key, byte[] value) {
        lock.lock();
        try {
            writes++;
            objects.put(key, value);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The object under {@code key}, waiting up to {@code waitNanos} for it; {@code null} if absent. */
    public byte[] get(String key, long waitNanos) throws InterruptedException {
        long left = waitNanos;
        lock.lock();
        try {
            while (true) {
                byte[] v = objects.get(key);
                if (v != null || left <= 0) {
                    return v;
                }
                left = changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes the objects and counters under {@code keys}; absent ones are ignored.
     *
     * @param keys the names to remove
     */
    public void delete(Collection<String> keys) {
        lock.lock();
        try {
            for (String k : keys) {
                objects.remove(k);
                counters.remove(k);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Adds one to the counter under {@code key}, creating it at zero.
     *
     * @param key the counter's name
     * @return the counter's value after the increment
     */
    public long increment(String key) {
        lock.lock();
        try {
            return counters.merge(key, 1L, Long::sum);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Number of objects written so far, the requests a store would bill for writes (tests count
     * what an algorithm writes with it).
     *
     * @return puts since the store was made
     */
    public long writes() {
        lock.lock();
        try {
            return writes;
        } finally {
            lock.unlock();
        }
    }

    /** Number of objects and counters held (tests check clean-up with it). */
    public int size() {
        lock.lock();
        try {
            return objects.size() + counters.size();
        } finally {
            lock.unlock();
        }
    }

    /** Keys currently held that start with {@code prefix}. */
    public java.util.List<String> keys(String prefix) {
        lock.lock();
        try {
            java.util.List<String> out = new java.util.ArrayList<>();
            objects.keySet().stream().filter(k -> k.startsWith(prefix)).forEach(out::add);
            counters.keySet().stream().filter(k -> k.startsWith(prefix)).forEach(out::add);
            java.util.Collections.sort(out);
            return out;
        } finally {
            lock.unlock();
        }
    }
}
