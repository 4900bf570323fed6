package io.fmi.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.DataType;
import io.fmi.FmiConfig;
import io.fmi.FmiException;
import io.fmi.Hint;
import io.fmi.Operation;
import io.fmi.PeerFailedException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Matching by (source, communicator, tag), receives of any size, and closing one communicator's messages: one thread, no timing. */
@Timeout(10)
class MailboxTest {
    private final Mailbox mailbox = new Mailbox();

    @AfterEach
    void close() {
        mailbox.close("test over");
    }

    private static ChannelContext context() {
        FmiConfig cfg = FmiConfig.defaults().withOnly("Local");
        return new ChannelContext("job", "run", 0, 8, cfg, cfg.backend("Local").orElseThrow(), "local",
                Duration.ofSeconds(30), 1024, Hint.FAST, Runnable::run, null);
    }

    private static OpContext op(ChannelContext c) {
        return new OpContext(Operation.SEND, "recv", OpContext.P2P_SEQ, Deadline.after(Duration.ofSeconds(30)), c);
    }

    private static Buf buf(int n) {
        return Buf.wrap(DataType.BYTE, new byte[n], 0, n);
    }

    private static byte[] contents(Buf b) {
        return java.util.Arrays.copyOfRange(b.array(), b.offset(), b.offset() + b.byteLength());
    }

    private static Throwable failure(CompletableFuture<?> f) throws Exception {
        try {
            f.get(1, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + f.join());
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    @Test
    void shouldNeverMatchAMessageOfAnotherCommunicatorWithTheSameSourceAndTag() {
        OpContext op = op(context());
        mailbox.deliver(3, 7, 1, ByteBuffer.wrap(new byte[] {70}));
        mailbox.deliver(3, 0, 1, ByteBuffer.wrap(new byte[] {1}));
        Buf five = buf(1);
        CompletableFuture<Void> onFive = mailbox.post(3, 5, 1, five, op);
        assertFalse(onFive.isDone(), "nothing was sent on communicator 5");
        Buf seven = buf(1);
        Buf zero = buf(1);
        assertTrue(mailbox.post(3, 7, 1, seven, op).isDone());
        assertTrue(mailbox.post(3, 0, 1, zero, op).isDone());
        assertArrayEquals(new byte[] {70}, contents(seven));
        assertArrayEquals(new byte[] {1}, contents(zero));
        mailbox.deliver(3, 5, 1, ByteBuffer.wrap(new byte[] {50}));
        assertTrue(onFive.isDone());
        assertArrayEquals(new byte[] {50}, contents(five));
        assertEquals(0, mailbox.queuedMessages());
    }

    @Test
    void shouldHandAReceiveOfAnySizeTheQueuedArrayItselfAndAnArrivingOneWithoutACopy() {
        OpContext op = op(context());
        byte[] early = {1, 2, 3};
        mailbox.deliverOwned(2, 0, OpContext.P2P_SEQ, early);
        assertSame(early, mailbox.postAny(2, 0, OpContext.P2P_SEQ, 100, op).join(), "the queued private copy, not another one");
        CompletableFuture<byte[]> waiting = mailbox.postAny(2, 0, OpContext.P2P_SEQ, 100, op);
        byte[] late = new byte[77];
        mailbox.deliverOwned(2, 0, OpContext.P2P_SEQ, late);
        assertSame(late, waiting.join());
        CompletableFuture<byte[]> empty = mailbox.postAny(2, 0, OpContext.P2P_SEQ, 100, op);
        mailbox.deliver(2, 0, OpContext.P2P_SEQ, ByteBuffer.allocate(0));
        assertEquals(0, empty.join().length, "an empty message is a message");
    }

    @Test
    void shouldRefuseAMessageOverTheLimitNamingItAndKeepTheMessage() throws Exception {
        OpContext op = op(context());
        mailbox.deliver(4, 0, OpContext.P2P_SEQ, ByteBuffer.wrap(new byte[20]));
        Throwable t = failure(mailbox.postAny(4, 0, OpContext.P2P_SEQ, 10, op));
        assertTrue(t instanceof FmiException && t.getMessage().contains("20 bytes") && t.getMessage().contains("limit of 10 bytes")
                && t.getMessage().contains("backends.Local.max_message_bytes") && t.getMessage().contains("kept"), t.getMessage());
        // A receive posted first fails the same way when the message arrives.
        CompletableFuture<byte[]> small = mailbox.postAny(4, 0, 9, 10, op);
        mailbox.deliver(4, 0, 9, ByteBuffer.wrap(new byte[11]));
        assertTrue(failure(small).getMessage().contains("limit of 10 bytes"));
        assertEquals(2, mailbox.queuedMessages(), "both messages kept");
        assertEquals(20, mailbox.postAny(4, 0, OpContext.P2P_SEQ, 20, op).join().length);
    }

    @Test
    void shouldLetAFrameReaderStreamIntoAReceiveOfAnySize() {
        OpContext op = op(context());
        CompletableFuture<byte[]> f = mailbox.postAny(1, 9, 4, 1000, op);
        assertNull(mailbox.claim(1, 9, 4, 1001), "over the limit: not claimed");
        Mailbox.Claim c = mailbox.claim(1, 9, 4, 6);
        assertEquals(6, c.buffer().byteLength());
        c.buffer().array()[c.buffer().offset() + 5] = 42;
        assertFalse(f.isDone());
        c.complete();
        assertEquals(42, f.join()[5]);
    }

    @Test
    void shouldCloseOneCommunicatorsReceivesAndMessagesOnly() throws Exception {
        OpContext op = op(context());
        CompletableFuture<Void> sub = mailbox.post(1, 6, 2, buf(1), op);
        CompletableFuture<Void> parent = mailbox.post(1, 0, 2, buf(1), op);
        mailbox.deliver(1, 6, 3, ByteBuffer.wrap(new byte[] {9}));
        mailbox.closeComm(6, "communicator job.d2 closed");
        assertTrue(failure(sub).getMessage().contains("job.d2 closed"));
        assertFalse(parent.isDone(), "the parent's receive goes on");
        assertEquals(0, mailbox.queuedMessages(), "the closed communicator's message is dropped");
        mailbox.deliver(1, 6, 4, ByteBuffer.wrap(new byte[] {9}));
        assertEquals(0, mailbox.queuedMessages(), "and so is one arriving later");
        mailbox.deliver(1, 0, 2, ByteBuffer.wrap(new byte[] {8}));
        assertTrue(parent.isDone() && !parent.isCompletedExceptionally());
    }

    @Test
    void shouldNameAFailedPeerByItsRankInTheSubCommunicatorWaitingForIt() throws Exception {
        // Sub-communicator of channel ranks 5 and 2: channel rank 2 is its rank 1.
        ChannelContext sub = context().subgroup("job.s4c0", "s4c0", 11, new int[] {5, 2}, 0);
        CompletableFuture<Void> f = mailbox.post(2, 11, OpContext.P2P_SEQ, buf(1), op(sub));
        mailbox.failPeer(2, new IllegalStateException("connection reset"));
        Throwable t = failure(f);
        assertTrue(t instanceof PeerFailedException, String.valueOf(t));
        assertTrue(t.getMessage().contains("rank 1 failed") && t.getMessage().contains("comm=job.s4c0 rank=0/2"), t.getMessage());
    }
}
