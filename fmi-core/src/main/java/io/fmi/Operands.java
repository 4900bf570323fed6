package io.fmi;

import java.nio.ByteBuffer;

/**
 * What the generated whole-array overloads of {@link Communicator} wrap their arguments with:
 * {@link Buffer#of} that lets null through, so that a null array reaches the communicator, which
 * accepts it where the operation ignores the buffer (a non-root's receive buffer of a gather) and
 * otherwise raises an error naming the operation instead of a bare {@code NullPointerException}.
 */
final class Operands {
    private Operands() {
    }

    static Buffer of(byte[] a) {
        return a == null ? null : Buffer.of(a);
    }

    static Buffer of(int[] a) {
        return a == null ? null : Buffer.of(a);
    }

    static Buffer of(long[] a) {
        return a == null ? null : Buffer.of(a);
    }

    static Buffer of(float[] a) {
        return a == null ? null : Buffer.of(a);
    }

    static Buffer of(double[] a) {
        return a == null ? null : Buffer.of(a);
    }

    static Buffer of(ByteBuffer b) {
        return b == null ? null : Buffer.of(b);
    }
}
