package io.fmi.channel;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the bytes of payload that FMI's own passes over typed data touch: encoding a typed array
 * into bytes and decoding back ({@link TypedArrays}), reductions ({@code ReduceOp.combine},
 * {@code combineInto}) and whole-buffer copies ({@link Buf#copyFrom}). Divided by an operation's
 * payload it gives the passes per byte an algorithm makes (a copy or a reduction of every byte
 * once is one pass). Copies made by the JDK or the kernel while a channel moves bytes are not
 * FMI's passes and are not counted.
 *
 * <p>Off unless the JVM runs with {@code -Dfmi.passes.count=true} (the benchmarks' {@code ONLY=passes}):
 * the check is a constant, which the JIT removes from the hot paths when it is false. Thread-safe.
 */
public final class PassCounter {
    /** Whether counting is on: {@code -Dfmi.passes.count=true}. */
    public static final boolean ON = Boolean.getBoolean("fmi.passes.count");
    private static final LongAdder BYTES = new LongAdder();

    private PassCounter() {
    }

    /**
     * One pass touched {@code bytes} bytes of payload (counted only when {@link #ON}).
     *
     * @param bytes the payload bytes the pass read or wrote (each once)
     */
    public static void add(long bytes) {
        if (ON) {
            BYTES.add(bytes);
        }
    }

    /** @return payload bytes counted since the last {@link #reset()} */
    public static long bytes() {
        return BYTES.sum();
    }

    /** Starts counting from zero. */
    public static void reset() {
        BYTES.reset();
    }
}
