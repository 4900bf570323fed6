package io.fmi.local;

import io.fmi.PeerFailedException;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.OpContext;
import io.fmi.channel.PeerToPeerChannel;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * The peer-to-peer family in memory: a send copies the bytes into the receiver's mailbox. Runs
 * every peer-to-peer collective algorithm without sockets; the channel of {@link LocalCluster}.
 * Thread-safe.
 */
public final class LocalChannel extends PeerToPeerChannel {
    private final LocalFabric.Group group;

    LocalChannel(ChannelContext context, LocalFabric.Group group) {
        super(context, group.mailbox(context.rank()));
        this.group = group;
    }

    @Override
    protected CompletableFuture<Void> transmit(int dest, int comm, long tag, ByteBuffer data, OpContext op) {
        Throwable gone = group.gone(dest);
        if (gone != null) {
            return CompletableFuture.failedFuture(op.peerFailed(op.channel().rankOf(dest), "it left the communicator: " + gone.getMessage(), gone));
        }
        byte[] copy = new byte[data.remaining()];
        data.get(copy);
        group.mailbox(dest).deliverOwned(rank(), comm, tag, copy);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void abort(Throwable cause) {
        group.depart(rank(), new PeerFailedException(rank(), "rank " + rank() + " failed: " + cause, cause));
        mailbox.close("communicator aborted");
    }

    @Override
    public void close() {
        group.depart(rank(), new PeerFailedException(rank(), "rank " + rank() + " closed its communicator"));
        mailbox.close("communicator closed");
    }
}
