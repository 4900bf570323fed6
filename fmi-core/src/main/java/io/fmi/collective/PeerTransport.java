package io.fmi.collective;

import io.fmi.channel.Buf;
import io.fmi.channel.OpContext;

/**
 * What the peer-to-peer collective algorithms need of a channel, for one collective call: send a
 * tagged message to a peer and receive one from a peer. Messages are tagged with the call's
 * sequence number, so concurrent point-to-point traffic and earlier or later collectives never
 * mix with this one.
 *
 * <p>{@link #send} is eager: it returns once the bytes were copied out of {@code data}, so an
 * algorithm may overwrite a buffer right after sending it. {@link #recv} blocks until the message
 * arrived or the call's deadline passed. Used by one thread at a time.
 */
public interface PeerTransport {
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
     * The collective call these messages belong to.
     *
     * @return the call, for its deadline and its errors
     */
    OpContext op();

    /** Sends {@code data} to {@code dest}; returns once the bytes left {@code data}. */
    void send(int dest, Buf data);

    /** Receives the next message of this call from {@code src} into {@code into} (exact length). */
    void recv(int src, Buf into);

    /**
     * Receives the next message of this call from {@code src}, whatever its length (up to the
     * channel's {@code max_message_bytes}).
     *
     * @param src the sending rank
     * @return the message, an array the caller owns
     */
    byte[] recvAny(int src);

    /**
     * {@link #sendRecv} with a receive of any length.
     *
     * @param dest the receiving rank
     * @param out  the message to send
     * @param src  the sending rank
     * @return the message received, an array the caller owns
     */
    default byte[] sendRecvAny(int dest, Buf out, int src) {
        send(dest, out);
        return recvAny(src);
    }

    /**
     * Sends {@code out} to {@code dest} and receives the next message from {@code src} into
     * {@code in} (which must not overlap {@code out}). A channel may post the receive first, so
     * the incoming message lands in {@code in} while {@code out} is still being written.
     */
    default void sendRecv(int dest, Buf out, int src, Buf in) {
        send(dest, out);
        recv(src, in);
    }

    /**
     * Posts a receive of this call's next message from {@code src} into {@code into} and returns
     * at once, so that the message can arrive while the caller works (reduces the previous one,
     * sends the next); {@link #awaitRecv} waits for it. Receives posted for one source take that
     * source's messages in the order they were posted. The default posts nothing and
     * {@code awaitRecv} receives then: no overlap, and no deadlock either.
     *
     * @param src  the sending rank
     * @param into receives the message (exact length); not touched by the caller until awaited
     * @return what to pass to {@link #awaitRecv} or {@link #cancelRecv}
     */
    default Object postRecv(int src, Buf into) {
        return null;
    }

    /**
     * Waits for a receive {@link #postRecv posted} earlier, until the call's deadline.
     *
     * @param posted what {@code postRecv} returned
     * @param src    the sending rank it was posted for
     * @param into   the buffer it was posted with
     */
    default void awaitRecv(Object posted, int src, Buf into) {
        recv(src, into);
    }

    /**
     * Gives up a receive {@link #postRecv posted} and not awaited (the call failed): a message
     * arriving later no longer lands in its buffer.
     *
     * @param posted what {@code postRecv} returned
     */
    default void cancelRecv(Object posted) {
    }

    /** Announces the peers this call will talk to, so a channel may open connections to them in parallel. */
    default void prepare(int... peers) {
    }

    /** Waits until every send of this call has left the process, surfacing transport errors. */
    default void flush() {
    }
}
