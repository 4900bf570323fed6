package io.fmi.internal;

import io.fmi.Buffer;
import io.fmi.FmiException;
import io.fmi.ReduceOp;
import io.fmi.channel.Buf;
import java.util.Arrays;

/**
 * The argument checks of one communicator: every error names the operation, what is wrong with
 * which argument, what was expected, and the communicator and rank ({@code logPrefix}). A check
 * that fails throws before the operation takes a sequence number, so a rejected call never
 * desynchronises the ranks. Immutable and thread-safe.
 */
final class Checks {
    /** Counts arrays longer than this are shown abbreviated in messages. */
    private static final int SHOWN_COUNTS = 16;

    private final int size;
    private final String logPrefix;

    Checks(int size, String logPrefix) {
        this.size = size;
        this.logPrefix = logPrefix;
    }

    FmiException error(String verb, String message) {
        return new FmiException(verb + ": " + message + " " + logPrefix);
    }

    /** A send operand as bytes; null only where {@code optional}. */
    Buf in(String verb, String role, Buffer b, boolean optional) {
        if (b == null) {
            if (optional) {
                return null;
            }
            throw error(verb, role + " buffer is null");
        }
        return Buf.source(b);
    }

    /** A receive operand as bytes; null only where {@code optional}. */
    Buf out(String verb, String role, Buffer b, boolean optional) {
        if (b == null) {
            if (optional) {
                return null;
            }
            throw error(verb, role + " buffer is null");
        }
        if (b.isReadOnly()) {
            throw error(verb, role + " buffer is a read-only ByteBuffer");
        }
        return Buf.sink(b);
    }

    void rank(String verb, String what, int r) {
        if (r < 0 || r >= size) {
            throw error(verb, what + " rank " + r + " out of range (expected: 0 <= rank < size = " + size + ")");
        }
    }

    void sameType(String verb, Buf a, Buf b) {
        if (a.type() != b.type()) {
            throw error(verb, "buffers of " + a.type().label() + " and " + b.type().label() + " elements");
        }
    }

    /** {@code big} must hold {@code n} blocks of {@code small.count()} elements. */
    void blocks(String verb, String what, Buf big, Buf small, int n) {
        sameType(verb, small, big);
        if ((long) small.count() * n != big.count()) {
            throw error(verb, what + " buffer holds " + big.count() + " elements (expected: size * block = "
                    + n + " * " + small.count() + " = " + (long) small.count() * n + ")");
        }
    }

    void reduce(String verb, Buf send, Buf recv, ReduceOp op) {
        reduceOp(verb, send, op);
        sameType(verb, send, recv);
        if (send.count() != recv.count()) {
            throw error(verb, "send buffer holds " + send.count() + " elements, receive buffer " + recv.count() + " (expected: equal)");
        }
    }

    void reduceOp(String verb, Buf send, ReduceOp op) {
        if (op == null) {
            throw error(verb, "reduce op is null");
        }
        op.checkSupports(send.type(), verb);
    }

    /**
     * {@code counts} has one non-negative entry per rank; returns their sum. The message shows
     * the counts, this rank and the limit broken.
     */
    long counts(String verb, String name, int[] counts) {
        if (counts == null) {
            throw error(verb, name + " is null (expected: " + size + " counts, one per rank)");
        }
        if (counts.length != size) {
            throw error(verb, name + " has " + counts.length + " entries " + show(counts) + " (expected: size = " + size + ")");
        }
        long sum = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] < 0) {
                throw error(verb, name + "[" + i + "] = " + counts[i] + " in " + show(counts) + " (expected: >= 0)");
            }
            sum += counts[i];
        }
        return sum;
    }

    /** {@code b} holds exactly {@code expected} elements, {@code why} saying where that number comes from. */
    void length(String verb, String role, Buf b, long expected, String why) {
        if (b.count() != expected) {
            throw error(verb, role + " buffer holds " + b.count() + " elements (expected: " + why + " = " + expected + ")");
        }
    }

    /** {@code [3, 0, 5]}, or the first entries and the total count when long. */
    static String show(int[] counts) {
        if (counts.length <= SHOWN_COUNTS) {
            return Arrays.toString(counts);
        }
        String head = Arrays.toString(Arrays.copyOf(counts, SHOWN_COUNTS));
        return head.substring(0, head.length() - 1) + ", ... (" + counts.length + " entries)]";
    }

    /** {@code "sum of counts [3, 0, 5]"}, for messages. */
    static String sumOf(String name, int[] counts) {
        return "sum of " + name + " " + show(counts);
    }
}
