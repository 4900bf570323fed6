package io.fmi.channel;

import static io.fmi.channel.MailboxTest.buf;
import static io.fmi.channel.MailboxTest.failure;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.CollectiveMismatchException;
import io.fmi.FmiConfig;
import io.fmi.Hint;
import io.fmi.Operation;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the mailbox does with the code and root a collective's messages carry: one thread, no
 * timing, every order of message and receive.
 */
@Timeout(10)
class MailboxMismatchTest {
    private static final int BCAST = OpCodes.of("bcast");
    private static final int ALLREDUCE = OpCodes.of("allreduce");

    private final Mailbox mailbox = new Mailbox();
    private final ChannelContext context = context();

    @AfterEach
    void close() {
        mailbox.close("test over");
    }

    private static ChannelContext context() {
        FmiConfig cfg = FmiConfig.defaults().withOnly("Local");
        return new ChannelContext("job", "run", 1, 4, cfg, cfg.backend("Local").orElseThrow(), "local",
                Duration.ofSeconds(30), 1024, Hint.FAST, Runnable::run, null);
    }

    private OpContext allreduce(long seq) {
        return new OpContext(Operation.ALLREDUCE, "allreduce", seq, Deadline.after(Duration.ofSeconds(30)), context);
    }

    private OpContext bcast(long seq, int root) {
        return new OpContext(Operation.BCAST, "bcast", seq, root, Deadline.after(Duration.ofSeconds(30)), context);
    }

    private static ByteBuffer bytes(int... v) {
        byte[] a = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            a[i] = (byte) v[i];
        }
        return ByteBuffer.wrap(a);
    }

    @Test
    void shouldRefuseAMessageOfAnotherCollectiveThatArrivedFirstAndKeepIt() throws Exception {
        mailbox.deliver(2, 0, 7, BCAST, 0, bytes(1, 2, 3, 4));
        Throwable e = failure(mailbox.post(2, 0, 7, buf(4), allreduce(7)));
        assertInstanceOf(CollectiveMismatchException.class, e);
        assertEquals("allreduce #7: rank 2 sent a message of bcast #7 (root 0) (expected: every rank calls the same collective "
                + "with the same root as its collective #7) (channel=local, comm=job rank=1/4)", e.getMessage());
        assertEquals(1, mailbox.queuedMessages(), "the message stays queued, as one of the wrong size does");
        Buf right = buf(4);
        assertTrue(mailbox.post(2, 0, 7, right, bcast(7, 0)).isDone(), "a receive of that collective takes it");
        assertArrayEquals(new byte[] {1, 2, 3, 4}, right.array());
    }

    @Test
    void shouldFailAWaitingReceiveWhenAMessageOfAnotherRootArrives() throws Exception {
        CompletableFuture<Void> r = mailbox.post(0, 0, 3, buf(2), bcast(3, 1));
        assertFalse(r.isDone());
        mailbox.deliver(0, 0, 3, BCAST, 0, bytes(9, 9));
        Throwable e = failure(r);
        assertInstanceOf(CollectiveMismatchException.class, e);
        assertTrue(e.getMessage().startsWith("bcast #3 (root 1): rank 0 sent a message of bcast #3 (root 0)"), e.getMessage());
        assertEquals(1, mailbox.queuedMessages());
    }

    @Test
    void shouldMatchMessagesOfTheSameCollectiveAndRootAndAnyMessageWithoutACode() throws Exception {
        Buf a = buf(1);
        CompletableFuture<Void> ra = mailbox.post(3, 0, 5, a, bcast(5, 2));
        mailbox.deliver(3, 0, 5, BCAST, 2, bytes(7));
        assertTrue(ra.isDone() && !ra.isCompletedExceptionally());
        mailbox.deliver(3, 0, 6, bytes(8)); // a channel whose wire carries no code: not checked
        Buf b = buf(1);
        assertTrue(mailbox.post(3, 0, 6, b, allreduce(6)).isDone());
        assertArrayEquals(new byte[] {8}, b.array());
        mailbox.deliver(3, 0, OpContext.P2P_SEQ, BCAST, 0, bytes(5)); // a point-to-point receive states no code
        assertTrue(mailbox.post(3, 0, OpContext.P2P_SEQ, buf(1),
                new OpContext(Operation.SEND, "recv", OpContext.P2P_SEQ, Deadline.after(Duration.ofSeconds(30)), context)).isDone());
    }

    @Test
    void shouldFailAReceiveFromOnePeerWhenAnotherPeerSentAMessageOfAnotherCollectiveUnderItsNumber() throws Exception {
        // Rank 0 took the tree of root 0 and sent here; this rank took the tree of root 2 and waits for rank 3.
        mailbox.deliver(0, 0, 4, BCAST, 0, bytes(1));
        Throwable before = failure(mailbox.post(3, 0, 4, buf(1), bcast(4, 2)));
        assertTrue(before.getMessage().startsWith("bcast #4 (root 2): rank 0 sent a message of bcast #4 (root 0)"), before.getMessage());

        CompletableFuture<Void> waiting = mailbox.post(3, 0, 8, buf(1), bcast(8, 2));
        assertFalse(waiting.isDone());
        mailbox.deliver(0, 0, 8, BCAST, 0, bytes(1));
        Throwable after = failure(waiting);
        assertTrue(after.getMessage().startsWith("bcast #8 (root 2): rank 0 sent a message of bcast #8 (root 0)"), after.getMessage());
    }

    @Test
    void shouldFailEveryReceiveOfASourceAndTagOnANoticeAndKeepTheNotice() throws Exception {
        CompletableFuture<Void> waiting = mailbox.post(2, 0, 9, buf(4), allreduce(9));
        mailbox.deliver(2, 0, 9, OpCodes.NOTICE, OpCodes.NO_ROOT, ByteBuffer.wrap("allreduce #9: rank 0 sent a message of bcast #9 (root 0)"
                .getBytes(StandardCharsets.UTF_8)));
        Throwable now = failure(waiting);
        assertInstanceOf(CollectiveMismatchException.class, now);
        assertEquals("allreduce #9: rank 2 gave up this collective: allreduce #9: rank 0 sent a message of bcast #9 (root 0) "
                + "(channel=local, comm=job rank=1/4)", now.getMessage());
        Throwable later = failure(mailbox.post(2, 0, 9, buf(4), allreduce(9)));
        assertEquals(now.getMessage(), later.getMessage(), "a receive posted later fails the same way");
        assertNotNull(mailbox.noticeFrom(2, 0, allreduce(9)));
        assertNull(mailbox.noticeFrom(2, 0, allreduce(10)));
        assertEquals(0, mailbox.queuedMessages(), "a notice is no message");
    }

    @Test
    void shouldFailReceivesOfTheCollectiveFromOtherSourcesOnANotice() throws Exception {
        // This rank waits for rank 3, which completed its part under another root and moved on; rank 2 gave up.
        CompletableFuture<Void> waiting = mailbox.post(3, 0, 4, buf(4), bcast(4, 1));
        mailbox.deliver(2, 0, 4, OpCodes.NOTICE, OpCodes.NO_ROOT, ByteBuffer.wrap("bcast #4 (root 1): rank 0 sent ..."
                .getBytes(StandardCharsets.UTF_8)));
        failsNowAndLater(waiting, () -> mailbox.post(1, 0, 4, buf(4), bcast(4, 1)),
                "bcast #4 (root 1): rank 2 gave up this collective: bcast #4 (root 1): rank 0 sent");
        CompletableFuture<Void> next = mailbox.post(3, 0, 5, buf(4), allreduce(5));
        assertFalse(next.isDone(), "the next collective waits as usual");
    }

    @Test
    void shouldFailAReceiveFromARankThatAlreadySentALaterCollective() throws Exception {
        // Messages from one rank arrive in order: its collective #6 before #5 means #5 sends nothing here.
        CompletableFuture<Void> waiting = mailbox.post(1, 0, 5, buf(4), bcast(5, 1));
        mailbox.deliver(1, 0, 6, OpCodes.of("barrier"), OpCodes.NO_ROOT, bytes());
        failsNowAndLater(waiting, () -> mailbox.post(1, 0, 5, buf(4), bcast(5, 1)),
                "bcast #5 (root 1): rank 1 sent a message of collective #6 before any of collective #5");
        assertEquals(1, mailbox.queuedMessages(), "the later collective's message stays for its receive");
    }

    /** {@code waiting} failed with a mismatch starting with {@code prefix}, and so does the receive {@code later} posts. */
    private static void failsNowAndLater(CompletableFuture<Void> waiting, java.util.function.Supplier<CompletableFuture<Void>> later,
                                         String prefix) throws Exception {
        Throwable now = failure(waiting);
        assertInstanceOf(CollectiveMismatchException.class, now);
        assertTrue(now.getMessage().startsWith(prefix), now.getMessage());
        assertEquals(now.getMessage(), failure(later.get()).getMessage(), "a receive of that collective that starts waiting later fails too");
    }

    @Test
    void shouldClaimOnlyAFrameOfTheWaitingCollective() {
        CompletableFuture<Void> r = mailbox.post(1, 0, 2, buf(3), allreduce(2));
        assertNull(mailbox.claim(1, 0, 2, BCAST, 0, 3), "a frame of another collective is delivered, not streamed into the buffer");
        assertNull(mailbox.claim(1, 0, 2, OpCodes.NOTICE, OpCodes.NO_ROOT, 3));
        Mailbox.Claim c = mailbox.claim(1, 0, 2, ALLREDUCE, OpCodes.NO_ROOT, 3);
        assertNotNull(c);
        c.complete();
        assertTrue(r.isDone() && !r.isCompletedExceptionally());
    }
}
