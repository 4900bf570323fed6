package io.fmi.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The receive matching's side of a rendezvous protocol, without a channel: announcements take
 * their message's place, bind a receive of their size, refuse one of another size and stay, can
 * be withdrawn, and a receive bound to one that is withdrawn waits again first in line.
 */
@Timeout(10)
class MailboxAnnounceTest {
    private static final ChannelContext CONTEXT = context();
    private final Mailbox mailbox = new Mailbox();

    private static ChannelContext context() {
        FmiConfig cfg = FmiConfig.fromJson("{\"backends\": {\"Local\": {\"enabled\": true}}}");
        return new ChannelContext("t", "r", 0, 2, cfg, cfg.backend("Local").orElseThrow(), "test",
                Duration.ofSeconds(30), 1024, Hint.FAST, Runnable::run, null);
    }

    private static OpContext op(Duration timeout) {
        return new OpContext(Operation.SEND, "recv", OpContext.P2P_SEQ, Deadline.after(timeout), CONTEXT);
    }

    private static Buf bytes(int n) {
        return Buf.wrap(DataType.BYTE, new byte[n], 0, n);
    }

    /** Records the claims an announcement binds. */
    private static final class Binder implements Consumer<Mailbox.Claim> {
        final List<Mailbox.Claim> claims = new ArrayList<>();

        @Override
        public void accept(Mailbox.Claim c) {
            claims.add(c);
        }
    }

    @AfterEach
    void close() {
        mailbox.close("test over");
    }

    @Test
    void shouldBindAReceivePostedLaterAndFillItThroughTheClaim() throws Exception {
        Binder b = new Binder();
        mailbox.announce(1, 0, 0, 4, b);
        assertEquals(1, mailbox.queuedMessages(), "the announcement holds the message's place");
        Buf dst = bytes(4);
        CompletableFuture<Void> r = mailbox.post(1, 0, dst, op(Duration.ofSeconds(5)));
        assertEquals(1, b.claims.size(), "bound at once");
        assertFalse(r.isDone(), "done when the payload is in");
        Mailbox.Claim c = b.claims.get(0);
        assertSame(dst, c.buffer());
        System.arraycopy(new byte[] {1, 2, 3, 4}, 0, dst.array(), dst.offset(), 4);
        c.complete();
        r.get();
        assertEquals(0, mailbox.queuedMessages());
    }

    @Test
    void shouldBindAReceiveAlreadyPostedWhenTheAnnouncementComes() {
        CompletableFuture<Void> r = mailbox.post(1, 0, bytes(8), op(Duration.ofSeconds(5)));
        Binder b = new Binder();
        mailbox.announce(1, 0, 0, 8, b);
        assertEquals(1, b.claims.size());
        assertEquals(0, mailbox.queuedMessages());
        b.claims.get(0).complete();
        assertTrue(r.isDone() && !r.isCompletedExceptionally());
    }

    @Test
    void shouldRefuseAReceiveOfAnotherSizeBeforeAnyPayloadAndKeepTheAnnouncement() {
        Binder b = new Binder();
        mailbox.announce(1, 0, 0, 256 << 20, b);
        CompletableFuture<Void> small = mailbox.post(1, 0, bytes(1024), op(Duration.ofSeconds(5)));
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, small::get);
        assertInstanceOf(FmiException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains((256 << 20) + " bytes") && e.getCause().getMessage().contains("1024 bytes"),
                e.getCause().getMessage());
        assertTrue(b.claims.isEmpty(), "nothing asked for the payload");
        assertEquals(1, mailbox.queuedMessages(), "kept for a receive of the right size");
        // and a receive posted before the announcement, of the wrong size, fails when it comes
        Mailbox other = new Mailbox();
        try {
            CompletableFuture<Void> early = other.post(1, 0, bytes(3), op(Duration.ofSeconds(5)));
            Binder b2 = new Binder();
            other.announce(1, 0, 0, 5, b2);
            assertTrue(early.isCompletedExceptionally());
            assertTrue(b2.claims.isEmpty());
            assertEquals(1, other.queuedMessages());
        } finally {
            other.close("test over");
        }
    }

    @Test
    void shouldKeepFirstInFirstOutWithCopiedMessages() throws Exception {
        mailbox.deliver(1, 0, ByteBuffer.wrap(new byte[] {9}));
        Binder b = new Binder();
        mailbox.announce(1, 0, 0, 2, b);
        mailbox.deliver(1, 0, ByteBuffer.wrap(new byte[] {7, 7, 7}));
        Buf first = bytes(1);
        mailbox.post(1, 0, first, op(Duration.ofSeconds(5))).get();
        assertArrayEquals(new byte[] {9}, first.array());
        CompletableFuture<Void> second = mailbox.post(1, 0, bytes(2), op(Duration.ofSeconds(5)));
        assertEquals(1, b.claims.size(), "the announced message is second");
        b.claims.get(0).complete();
        second.get();
        Buf third = bytes(3);
        mailbox.post(1, 0, third, op(Duration.ofSeconds(5))).get();
        assertArrayEquals(new byte[] {7, 7, 7}, third.array());
    }

    @Test
    void shouldWithdrawAnAnnouncementNoReceiveTook() {
        Binder b = new Binder();
        mailbox.announce(1, 0, 0, 4, b);
        assertTrue(mailbox.withdrawAnnounced(1, 0, 0, b));
        assertFalse(mailbox.withdrawAnnounced(1, 0, 0, b), "once");
        assertEquals(0, mailbox.queuedMessages());
        CompletableFuture<Void> r = mailbox.post(1, 0, bytes(4), op(Duration.ofSeconds(5)));
        assertTrue(b.claims.isEmpty());
        assertFalse(r.isDone(), "waits for a message that will come");
    }

    @Test
    void shouldLetAReceiveBoundToAWithdrawnMessageWaitAgainFirstInLine() throws Exception {
        Binder b = new Binder();
        mailbox.announce(1, 0, 0, 4, b);
        Buf firstDst = bytes(4);
        CompletableFuture<Void> first = mailbox.post(1, 0, firstDst, op(Duration.ofSeconds(5)));
        CompletableFuture<Void> second = mailbox.post(1, 0, bytes(4), op(Duration.ofSeconds(5)));
        assertFalse(mailbox.withdrawAnnounced(1, 0, 0, b), "taken by the first receive");
        b.claims.get(0).giveBack();
        assertFalse(first.isDone());
        mailbox.deliver(1, 0, ByteBuffer.wrap(new byte[] {5, 6, 7, 8}));
        first.get();
        assertArrayEquals(new byte[] {5, 6, 7, 8}, firstDst.array(), "the given-back receive is still first");
        assertFalse(second.isDone());
    }

    @Test
    void shouldExpireAGivenBackReceiveAtItsOwnDeadline() {
        Binder b = new Binder();
        mailbox.announce(1, 0, 0, 4, b);
        CompletableFuture<Void> r = mailbox.post(1, 0, bytes(4), op(Duration.ofMillis(200)));
        b.claims.get(0).giveBack();
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, r::get);
        assertTrue(e.getCause() instanceof io.fmi.FmiTimeoutException, e.getCause().toString());
    }

    @Test
    void shouldFailWaitingReceivesNowOrForGood() throws Exception {
        CompletableFuture<Void> now = mailbox.post(1, 0, bytes(4), op(Duration.ofSeconds(5)));
        mailbox.failWaiting(1, new FmiException("the server is away"));
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, now::get);
        assertInstanceOf(PeerFailedException.class, e.getCause());
        CompletableFuture<Void> later = mailbox.post(1, 0, bytes(4), op(Duration.ofSeconds(5)));
        assertFalse(later.isDone(), "failWaiting does not mark the peer failed");
        Binder b = new Binder();
        mailbox.failPeer(1, new FmiException("gone"));
        assertTrue(later.isCompletedExceptionally());
        mailbox.announce(2, 0, 0, 4, b);
        mailbox.failPeer(2, new FmiException("gone too"));
        assertEquals(0, mailbox.queuedMessages(), "an announcement dies with its peer");
        assertTrue(mailbox.post(2, 0, bytes(4), op(Duration.ofSeconds(5))).isCompletedExceptionally());
        assertNull(mailbox.claim(2, 0, 4));
    }

    @Test
    void shouldBindASubCommunicatorsAnnouncementOnlyToAReceiveOfTheSameCommunicatorAndSequence() {
        Binder b = new Binder();
        mailbox.announce(1, 7, 3, 4, b);
        CompletableFuture<Void> parent = mailbox.post(1, 0, 3, bytes(4), op(Duration.ofSeconds(5)));
        CompletableFuture<Void> otherComm = mailbox.post(1, 8, 3, bytes(4), op(Duration.ofSeconds(5)));
        CompletableFuture<Void> otherSeq = mailbox.post(1, 7, 4, bytes(4), op(Duration.ofSeconds(5)));
        assertTrue(b.claims.isEmpty(), "no receive of another communicator or sequence takes it");
        assertFalse(parent.isDone() || otherComm.isDone() || otherSeq.isDone());
        CompletableFuture<Void> same = mailbox.post(1, 7, 3, bytes(4), op(Duration.ofSeconds(5)));
        assertEquals(1, b.claims.size(), "the receive of communicator 7, sequence 3 takes it");
        b.claims.get(0).complete();
        assertTrue(same.isDone() && !same.isCompletedExceptionally());
        assertFalse(mailbox.withdrawAnnounced(1, 7, 3, b), "taken");
    }

    @Test
    void shouldDropASubCommunicatorsAnnouncementWhenItCloses() {
        Binder b = new Binder();
        mailbox.announce(1, 7, 0, 4, b);
        mailbox.closeComm(7, "communicator t.s7 closed");
        assertEquals(0, mailbox.queuedMessages());
        mailbox.announce(1, 7, 1, 4, b);
        assertEquals(0, mailbox.queuedMessages(), "a closed communicator's announcements are dropped");
        assertFalse(mailbox.withdrawAnnounced(1, 7, 0, b));
    }

    @Test
    void shouldBindAReceiveOfAnySizeWithinItsLimitAndRefuseAnAnnouncementOverIt() throws Exception {
        Binder b = new Binder();
        mailbox.announce(1, 0, 2, 3, b);
        CompletableFuture<byte[]> any = mailbox.postAny(1, 0, 2, 16, op(Duration.ofSeconds(5)));
        assertEquals(1, b.claims.size());
        Mailbox.Claim c = b.claims.get(0);
        assertEquals(3, c.buffer().byteLength(), "a buffer of the announced length");
        System.arraycopy(new byte[] {4, 5, 6}, 0, c.buffer().array(), c.buffer().offset(), 3);
        c.complete();
        assertArrayEquals(new byte[] {4, 5, 6}, any.get());
        Binder big = new Binder();
        mailbox.announce(1, 0, 2, 17, big);
        CompletableFuture<byte[]> limited = mailbox.postAny(1, 0, 2, 16, op(Duration.ofSeconds(5)));
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, limited::get);
        assertTrue(e.getCause().getMessage().contains("17 bytes") && e.getCause().getMessage().contains("16 bytes"),
                e.getCause().getMessage());
        assertTrue(big.claims.isEmpty(), "nothing asked for the payload");
        assertEquals(1, mailbox.queuedMessages());
    }
}
