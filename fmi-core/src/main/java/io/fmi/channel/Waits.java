package io.fmi.channel;

import io.fmi.ChannelException;
import io.fmi.FmiException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Bounded waits on operation futures, with FMI's exception translation: the one place where a
 * blocking call turns into "poll while the channel's {@link IdleStrategy} says so, park until the
 * deadline, rethrow as an FMI exception".
 */
public final class Waits {
    /** Extra wait past the deadline for a channel that enforces the deadline itself and completes the future. */
    public static final long GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(4L * Mailbox.SWEEP_MILLIS + 1000);

    private Waits() {
    }

    /** Polls {@code f} while {@code idle} says so; false when it is not done then (the caller parks). */
    private static boolean poll(CompletableFuture<?> f, IdleStrategy idle) {
        if (f.isDone()) {
            return true;
        }
        IdleStrategy.Wait w = IdleStrategy.Wait.begin();
        while (!f.isDone()) {
            if (!w.idle(idle)) {
                return false; // blocked: the strategy hears of it from the next wait's mark, not from the park
            }
        }
        w.end(idle);
        return true;
    }

    /**
     * Waits for {@code f}: polls it while {@code idle} says so, then parks until the operation's deadline
     * plus {@link #GRACE_NANOS}. Raises {@link io.fmi.FmiTimeoutException} naming {@code what} and
     * {@code peer} (-1: none) on timeout, the FMI exception the future failed with, or a
     * {@link ChannelException} for any other failure; an interrupt re-sets the flag. Messages say
     * "{@code what} of {@code bytes} bytes" ({@code bytes} -1: just {@code what}), a string built
     * only when there is a failure.
     */
    public static void await(CompletableFuture<?> f, OpContext op, int peer, String what, int bytes, IdleStrategy idle) {
        poll(f, idle);
        get(f, op, peer, what, bytes, op.deadline().remainingNanos() + GRACE_NANOS);
    }

    /**
     * The outcome of a wait that ended: returns if {@code f} completed normally, raises what
     * {@link #await} would (a timeout when {@code f} is not done yet).
     */
    public static void outcome(CompletableFuture<?> f, OpContext op, int peer, String what, int bytes) {
        get(f, op, peer, what, bytes, 0);
    }

    private static void get(CompletableFuture<?> f, OpContext op, int peer, String what, int bytes, long nanos) {
        if (f.isDone() && !f.isCompletedExceptionally()) {
            return; // the common case, without the timed get's bookkeeping
        }
        try {
            f.get(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw op.error("interrupted while waiting for " + describe(what, bytes) + (peer >= 0 ? " from rank " + peer : ""));
        } catch (TimeoutException e) {
            throw op.timeout(peer, describe(what, bytes));
        } catch (ExecutionException e) {
            throw translate(e.getCause(), op, describe(what, bytes));
        }
    }

    private static String describe(String what, int bytes) {
        return bytes < 0 ? what : what + " of " + bytes + " bytes";
    }

    /** The exception a caller sees for {@code t}, thrown while doing {@code what}. */
    private static RuntimeException translate(Throwable t, OpContext op, String what) {
        if (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof FmiException) {
            return (FmiException) t;
        }
        if (t instanceof Error) {
            throw (Error) t;
        }
        if (t instanceof IllegalArgumentException || t instanceof IndexOutOfBoundsException) {
            return op.error(t.getMessage());
        }
        return new ChannelException(op.label() + ": " + what + " failed: " + t + " " + op.where(), t);
    }
}
