package io.fmi.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.Operation;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class OperationModelTest {
    private static OperationModel.Plan p2p(Operation op, long bytes, int n) {
        return OperationModel.plan(op, bytes, n, Family.PEER_TO_PEER);
    }

    private static OperationModel.Plan store(Operation op, long bytes, int n) {
        return OperationModel.plan(op, bytes, n, Family.MEDIATED);
    }

    @Test
    void shouldRunBinomialTreesInCeilLog2Rounds() {
        assertEquals(0, p2p(Operation.BCAST, 8, 1).rounds());
        assertEquals(1, p2p(Operation.BCAST, 8, 2).rounds());
        assertEquals(3, p2p(Operation.BCAST, 8, 5).rounds());
        assertEquals(3, p2p(Operation.REDUCE, 8, 8).rounds());
        assertEquals(4, p2p(Operation.BARRIER, 0, 9).rounds());
        assertEquals("binomial tree", p2p(Operation.BCAST, 8, 5).algorithm());
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 5, 8, 13, 16, 64})
    void shouldMoveEveryBlockButTheRootsOnceThroughABinomialGather(int n) {
        long blocks = p2p(Operation.GATHER, 1, n).steps().stream()
                .mapToLong(s -> s.rounds() * s.pattern().bytes()).sum();
        assertEquals(n - 1, blocks, "the root's link carries n-1 blocks");
    }

    @Test
    void shouldSwitchAllreduceBetweenRecursiveDoublingRabenseifnerAndRingAsPeerCollectivesDoes() {
        OperationModel.Plan small = p2p(Operation.ALLREDUCE, 8191, 8);
        assertEquals("recursive doubling", small.algorithm());
        assertEquals(3, small.rounds());
        OperationModel.Plan odd = p2p(Operation.ALLREDUCE, 672, 6);
        assertEquals(2 + 2, odd.rounds(), "4 = 2^2 doubling rounds plus MPICH's pre and post step");
        OperationModel.Plan halving = p2p(Operation.ALLREDUCE, 65536, 8);
        assertEquals("rabenseifner", halving.algorithm());
        assertEquals(6, halving.rounds(), "3 halving rounds, 3 doubling rounds");
        assertEquals(32768, halving.steps().get(0).pattern().bytes());
        assertEquals(8192, halving.steps().get(2).pattern().bytes());
        OperationModel.Plan halvingOdd = p2p(Operation.ALLREDUCE, 65536, 6);
        assertEquals(4 + 2, halvingOdd.rounds(), "2 + 2 rounds plus the pre and post step");
        assertEquals(65536, halvingOdd.steps().get(0).pattern().bytes());
        OperationModel.Plan twoRanks = p2p(Operation.ALLREDUCE, 65536, 2);
        assertEquals("ring", twoRanks.algorithm(), "below 4 ranks the ring from 64 KiB");
        OperationModel.Plan large = p2p(Operation.ALLREDUCE, 2 << 20, 8);
        assertEquals("ring", large.algorithm());
        assertEquals(14, large.rounds());
        assertEquals(262144, large.steps().get(0).pattern().bytes());
    }

    @Test
    void shouldUseRingAllgatherOnlyForNonPowersOfTwo() {
        assertEquals("recursive doubling", p2p(Operation.ALLGATHER, 10, 8).algorithm());
        assertEquals("ring", p2p(Operation.ALLGATHER, 10, 6).algorithm());
        assertEquals(5, p2p(Operation.ALLGATHER, 10, 6).rounds());
        assertEquals(7, p2p(Operation.ALLTOALL, 800, 8).rounds());
        assertEquals(100, p2p(Operation.ALLTOALL, 800, 8).steps().get(0).pattern().bytes());
    }

    @Test
    void shouldFanInAndOutThroughAStore() {
        OperationModel.Plan bcast = store(Operation.BCAST, 100, 8);
        assertEquals(TransferPattern.of(1, 7, 100), bcast.steps().get(0).pattern());
        OperationModel.Plan allreduce = store(Operation.ALLREDUCE, 100, 8);
        assertEquals(2, allreduce.steps().size());
        long writes = allreduce.steps().stream().mapToLong(s -> s.pattern().writes()).sum();
        long reads = allreduce.steps().stream().mapToLong(s -> s.pattern().reads()).sum();
        assertEquals(8, writes, "7 operands and one result");
        assertEquals(14, reads, "the root reads 7, then 7 peers read the result");
        OperationModel.Plan alltoall = store(Operation.ALLTOALL, 800, 8);
        assertEquals(56, alltoall.steps().get(0).pattern().writes());
        assertEquals(100, alltoall.steps().get(0).pattern().bytes());
        assertEquals(TransferPattern.personalized(1, 7, 100), store(Operation.SCATTER, 100, 8).steps().get(0).pattern());
        assertEquals(800, store(Operation.ALLGATHER, 100, 8).steps().get(1).pattern().bytes());
    }

    @Test
    void shouldPlanEveryOperationOnBothFamilies() {
        for (Operation op : Operation.values()) {
            for (int n : new int[] {1, 2, 5, 16}) {
                assertTrue(p2p(op, 1000, n).rounds() >= (n == 1 && op != Operation.SEND ? 0 : 1), op + " on " + n);
                assertTrue(store(op, 1000, n).rounds() >= (n == 1 && op != Operation.SEND ? 0 : 1), op + " on " + n);
            }
        }
    }

    @Test
    void shouldModelTheVariableSizeCollectivesAsTheAlgorithmsRun() {
        assertEquals(TransferPattern.of(7, 1, 100), p2p(Operation.GATHERV, 100, 8).steps().get(0).pattern(), "linear gatherv");
        assertEquals(TransferPattern.personalized(1, 7, 100), p2p(Operation.SCATTERV, 100, 8).steps().get(0).pattern());
        assertEquals("recursive doubling", p2p(Operation.ALLGATHERV, 100, 8).algorithm());
        assertEquals("ring", p2p(Operation.ALLGATHERV, 100, 6).algorithm());
        assertEquals("ring", p2p(Operation.ALLGATHERV, 65536 / 8, 8).algorithm(), "8 KiB blocks of 8 ranks: 64 KiB in all");
        assertEquals(7, p2p(Operation.ALLTOALLV, 800, 8).rounds());
        assertEquals(3, p2p(Operation.EXSCAN, 8, 5).rounds());
        OperationModel.Plan halving = p2p(Operation.REDUCE_SCATTER, 8000, 8);
        assertEquals("recursive halving", halving.algorithm());
        assertEquals(3, halving.rounds());
        assertEquals(4000, halving.steps().get(0).pattern().bytes(), "the first step sends half the vector");
        assertEquals(1000, halving.steps().get(halving.steps().size() - 1).pattern().bytes());
        assertEquals(2 + 2, p2p(Operation.REDUCE_SCATTER, 8000, 6).rounds(), "4 = 2^2 halving rounds plus MPICH's pre and post step");
        OperationModel.Plan ring = p2p(Operation.REDUCE_SCATTER, 80_000, 8);
        assertEquals("ring", ring.algorithm());
        assertEquals(7, ring.rounds());
        assertEquals(10_000, ring.steps().get(0).pattern().bytes());
    }

    @Test
    void shouldModelTheVariableSizeCollectivesOnAStoreAsTheirObjects() {
        OperationModel.Plan rs = store(Operation.REDUCE_SCATTER, 800, 8);
        assertEquals(TransferPattern.of(7, 1, 800), rs.steps().get(0).pattern(), "reduce to rank 0");
        assertEquals(TransferPattern.personalized(1, 7, 100), rs.steps().get(1).pattern(), "one block per rank");
        assertEquals(56, store(Operation.ALLTOALLV, 800, 8).steps().get(0).pattern().writes(), "one object per destination");
        assertEquals(TransferPattern.of(1, 7, 800), store(Operation.ALLGATHERV, 100, 8).steps().get(1).pattern());
        assertEquals(2, store(Operation.EXSCAN, 100, 8).steps().size());
        assertEquals(TransferPattern.of(7, 1, 100), store(Operation.GATHERV, 100, 8).steps().get(0).pattern());
    }

    @Test
    void shouldPlanAPointToPointMessageEvenForOnePeer() {
        assertEquals(1, p2p(Operation.SEND, 10, 1).rounds());
        assertEquals(1, store(Operation.SEND, 10, 1).rounds());
        assertTrue(store(Operation.ALLREDUCE, 10, 1).steps().isEmpty());
    }
}
