package io.fmi.collective;

import io.fmi.DataType;
import io.fmi.ReduceOp;
import io.fmi.channel.Buf;
import io.fmi.channel.TypedArrays;

/**
 * The large allreduce of a commutative operator on the caller's arrays: the bandwidth-optimal ring
 * (reduce-scatter, then allgather; Patarasuk and Yuan 2009) cut into segments, as Open MPI's
 * {@code ompi_coll_base_allreduce_intra_ring_segmented} is, so that the transfer of one segment
 * overlaps the reduction of the one before, and so that the only memory besides the caller's two
 * arrays is a few segments of staging.
 *
 * <h2>Passes over the data</h2>
 * The caller's arrays are never converted as a whole. Each segment that leaves is encoded from the
 * caller's array into a staging segment (cache-sized, so the channel's copy reads it from the
 * cache); each segment that arrives is reduced straight from the received bytes into the caller's
 * receive array ({@link ReduceOp#combineInto}: {@code recv = in ∘ send}, one pass, no copy of the
 * local operand first) or, in the allgather, decoded into it. So each element of the send array is
 * read once, each element of the receive array written once, and a {@code byte[]} operand moves
 * without staging at all. The segmentation does not change the arithmetic: every rank ends with
 * bit-identical results, the same as the unsegmented ring's.
 *
 * <h2>Overlap</h2>
 * Up to {@value #WINDOW} receives are posted ahead ({@link PeerTransport#postRecv}), each into its
 * own staging segment, so the next segments arrive while this rank reduces the current one; the
 * sends of a step run {@value #LEAD} segments ahead of its receives. Posted receives are withdrawn
 * if the call fails.
 *
 * <p>Stateless; one call per thread.
 */
final class PipelinedRing {
    /**
     * Bytes per segment: large enough that a message's fixed cost is small, small enough to stay in
     * the cache, and just below 64 KiB, the Direct channel's default {@code rendezvous_bytes}, so
     * that a segment goes eagerly into the receive posted for it instead of waiting for a
     * clear-to-send (with 128 KiB segments a 16 MiB allreduce took 4.7x as long; docs/benchmarks.md).
     */
    static final int SEGMENT_BYTES = 64 * 1024 - 8;
    /** Receives posted ahead. */
    static final int WINDOW = 4;
    /**
     * Segments a step sends ahead of the one it waits for: fewer than {@link #WINDOW}, so that they
     * land in receives the peer has posted. Sending one, then waiting for one, kept both ranks in
     * lockstep; over 300 iterations of a 1 MiB allreduce at 2 ranks the lead measured 352-395 µs
     * against 384-400 µs without it (a small gain, within run-to-run spread at 16 MiB).
     */
    static final int LEAD = WINDOW - 2;

    private PipelinedRing() {
    }

    /** Whether {@link #allreduce} applies: both operands are the caller's arrays, and the operator commutes. */
    static boolean applies(Buf send, Buf recv, ReduceOp op, int n) {
        return op.isCommutative() && op.isAssociative() && recv.count() >= n && send.type() == recv.type()
                && send.elements() != null && recv.elements() != null;
    }

    static void allreduce(PeerTransport t, Buf send, Buf recv, ReduceOp op) {
        allreduce(t, send, recv, op, SEGMENT_BYTES);
    }

    /** With segments of {@code segmentBytes} (for tests of many segments on small arrays). */
    static void allreduce(PeerTransport t, Buf send, Buf recv, ReduceOp op, int segmentBytes) {
        new Run(t, send, recv, op, Math.max(1, segmentBytes / recv.type().sizeBytes())).run();
    }

    /** One call's state. */
    private static final class Run {
        final PeerTransport t;
        final ReduceOp op;
        final DataType type;
        final int n;
        final int rank;
        final int count;
        final int segElems;
        final int esize;
        final Object src;
        final int srcOff;
        final Object dst;
        final int dstOff;
        final Buf recvBuf;
        /** Staging: {@link #WINDOW} receive segments, then one send segment (unused for bytes, which leave from the caller's array). */
        final Buf stage;
        final Object[] posted = new Object[WINDOW];
        final Buf[] into = new Buf[WINDOW];
        /** Receives posted so far and taken so far (in the global order: step-major, segment-minor). */
        int postedCount;
        int takenCount;
        /** For posting ahead: the step and segment of the next receive to post. */
        int postStep;
        int postSeg;

        Run(PeerTransport t, Buf send, Buf recv, ReduceOp op, int segElems) {
            this.t = t;
            this.op = op;
            this.type = recv.type();
            this.n = t.size();
            this.rank = t.rank();
            this.count = recv.count();
            this.segElems = segElems;
            this.esize = type.sizeBytes();
            this.src = send.elements();
            this.srcOff = send.elementsOffset();
            this.dst = recv.elements();
            this.dstOff = recv.elementsOffset();
            this.recvBuf = recv;
            this.stage = Buf.scratch(DataType.BYTE, (WINDOW + 1) * segElems * esize, false);
        }

        int chunkStart(int i) {
            int base = count / n;
            return i * base + Math.min(i, count % n);
        }

        int chunkCount(int i) {
            return count / n + (i < count % n ? 1 : 0);
        }

        int segments(int chunk) {
            int c = chunkCount(chunk);
            return c == 0 ? 0 : (c + segElems - 1) / segElems;
        }

        /** The chunk arriving in {@code step}: reduce-scatter steps first, then allgather. */
        int inChunk(int step) {
            return step < n - 1 ? Math.floorMod(rank - step - 1, n) : Math.floorMod(rank - (step - (n - 1)), n);
        }

        int outChunk(int step) {
            return step < n - 1 ? Math.floorMod(rank - step, n) : Math.floorMod(rank + 1 - (step - (n - 1)), n);
        }

        void run() {
            int right = (rank + 1) % n;
            int left = (rank - 1 + n) % n;
            int steps = 2 * (n - 1);
            boolean ok = false;
            try {
                while (postedCount - takenCount < WINDOW && postNext(left, steps)) {
                    // fill the window
                }
                for (int step = 0; step < steps; step++) {
                    int out = outChunk(step);
                    int in = inChunk(step);
                    int outSegs = segments(out);
                    int inSegs = segments(in);
                    // Every segment this step sends is final when the step starts (the send array's,
                    // or what the step before reduced), so sends run up to LEAD segments ahead of
                    // the receives: the peer's posted receives take them, and neither side idles
                    // while the other writes.
                    int sent = 0;
                    for (int k = 0; k < inSegs; k++) {
                        while (sent < outSegs && sent <= k + LEAD) {
                            send(right, step, out, sent++);
                        }
                        take(left, step, in, k);
                        postNext(left, steps);
                    }
                    while (sent < outSegs) {
                        send(right, step, out, sent++);
                    }
                }
                ok = true;
            } finally {
                if (!ok) {
                    for (int q = takenCount; q < postedCount; q++) {
                        t.cancelRecv(posted[q % WINDOW]);
                    }
                }
            }
            t.flush();
            recvBuf.wroteElements();
            stage.release(); // not after a failure: a late receive might still land in it
        }

        /** Sends segment {@code k} of chunk {@code chunk}: the send array's in the first step, the result's after. */
        private void send(int right, int step, int chunk, int k) {
            int from = chunkStart(chunk) + k * segElems;
            int len = Math.min(segElems, chunkCount(chunk) - k * segElems);
            Object a = step == 0 ? src : dst;
            int off = (step == 0 ? srcOff : dstOff) + from;
            if (type == DataType.BYTE) {
                t.send(right, Buf.wrap(DataType.BYTE, (byte[]) a, off, len));
                return;
            }
            int at = stage.offset() + WINDOW * segElems * esize;
            TypedArrays.encode(type, a, off, len, stage.array(), at);
            t.send(right, Buf.wrap(type, stage.array(), at, len));
        }

        /** Posts the next receive of the global order, if any is left; its buffer is a staging slot (bytes: the result itself in the allgather). */
        private boolean postNext(int left, int steps) {
            while (postStep < steps && postSeg >= segments(inChunk(postStep))) {
                postStep++;
                postSeg = 0;
            }
            if (postStep >= steps) {
                return false;
            }
            int chunk = inChunk(postStep);
            int len = Math.min(segElems, chunkCount(chunk) - postSeg * segElems);
            int slot = postedCount % WINDOW;
            Buf b = type == DataType.BYTE && postStep >= n - 1
                    ? Buf.wrap(DataType.BYTE, (byte[]) dst, dstOff + chunkStart(chunk) + postSeg * segElems, len)
                    : Buf.wrap(type, stage.array(), stage.offset() + slot * segElems * esize, len);
            into[slot] = b;
            posted[slot] = t.postRecv(left, b);
            postedCount++;
            postSeg++;
            return true;
        }

        /** Waits for segment {@code k} of chunk {@code chunk} and reduces it into the result (or, in the allgather, keeps it). */
        private void take(int left, int step, int chunk, int k) {
            int slot = takenCount % WINDOW;
            Buf b = into[slot];
            t.awaitRecv(posted[slot], left, b);
            takenCount++;
            int at = chunkStart(chunk) + k * segElems;
            int len = b.count();
            if (step < n - 1) {
                op.combineInto(type, len, b.array(), b.offset(), src, srcOff + at, dst, dstOff + at, true);
            } else if (type != DataType.BYTE) {
                TypedArrays.decode(type, b.array(), b.offset(), dst, dstOff + at, len);
            }
            into[slot] = null;
            posted[slot] = null;
        }
    }
}
