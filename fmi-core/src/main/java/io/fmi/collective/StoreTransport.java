package io.fmi.collective;

import io.fmi.channel.Buf;
import io.fmi.channel.OpContext;

/**
 * What the storage-shaped collective algorithms need of a mediated channel, for one collective
 * call: named objects scoped to the call (the channel prefixes them with the communicator, run and
 * sequence number), and an atomic counter where the store has one.
 *
 * <p>Objects with one reader are deleted by that reader once read; objects with several readers
 * are deleted by their writer once a later collective proves everyone has read them. Used by one
 * thread at a time.
 */
public interface StoreTransport {
    /**
     * This peer's rank.
     *
     * @return 0 to {@code size() - 1}
     */
    int rank();

    /**
     * The number of peers.
     *
     * @return at least 1
     */
    int size();

    /**
     * The collective call these objects belong to.
     *
     * @return the call, for its deadline and its errors
     */
    OpContext op();

    /** Writes object {@code name} that {@code readers} peers will read. */
    void put(String name, Buf data, int readers);

    /**
     * Waits for object {@code name}, written by {@code producer}, and reads it into {@code into}
     * (exact length). A single-reader object is deleted after it was read.
     */
    void get(String name, int producer, Buf into);

    /**
     * Waits for object {@code name}, written by {@code producer}, and returns it whatever its
     * length (up to the channel's {@code max_message_bytes}). A single-reader object is deleted
     * after it was read.
     *
     * @param name     the object's name within this call
     * @param producer the rank that writes it, for error messages
     * @return its bytes, an array the caller owns
     */
    byte[] getAny(String name, int producer);

    /** Whether the store has an atomic counter ({@link #increment}). */
    boolean hasCounters();

    /** Atomically adds one to counter {@code name} (created at 0) and returns the new value. */
    long increment(String name);

    /** Deletes counter {@code name}; called by the one peer that knows every other is done with it. */
    void deleteCounter(String name);
}
