package io.fmi.examples.sort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.FmiConfig;
import io.fmi.channels.testing.RedisServer;
import io.fmi.examples.DirectLoopback;
import io.fmi.examples.storage.InMemoryObjectStore;
import io.fmi.examples.storage.RedisObjectStore;
import io.fmi.local.LocalCluster;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The sample sort, small, on several peer counts over the in-memory channels, Direct and a real Redis, checked against one process. */
@Timeout(60)
class SampleSortTest {
    static final long SEED = 42;
    static final long LONGS = 100_000;

    /** What a run must produce: the input of {@code n} workers sorted in one process. */
    static long[] singleProcess(IntFunction<long[]> input, int n) {
        return Arrays.stream(LongStream.range(0, n).mapToObj(r -> input.apply((int) r)).flatMapToLong(Arrays::stream).toArray())
                .sorted().toArray();
    }

    /** Sorts {@code input(rank)} on {@code n} workers over {@code config} and checks the ranges and each worker's {@link SampleSort.Check}. */
    static void sortAndCheck(FmiConfig config, int n, IntFunction<long[]> input, String what) {
        List<Object[]> out = LocalCluster.run(config, n, comm -> {
            SampleSort.Result r = new SampleSort(SampleSort.DEFAULT_SAMPLES).run(comm, input.apply(comm.rank()));
            return new Object[] {r.sorted, SampleSort.check(comm, r.sorted), r.phases};
        });
        long[] expected = singleProcess(input, n);
        long[] concatenated = out.stream().flatMapToLong(o -> Arrays.stream((long[]) o[0])).toArray();
        assertArrayEquals(expected, concatenated, what + ": the ranges in rank order are the single-process sort");
        long offset = 0;
        long fingerprint = 0;
        for (Object[] o : out) {
            SampleSort.Check c = (SampleSort.Check) o[1];
            assertEquals(offset, c.offset, what);
            assertTrue(c.sorted, what);
            offset += c.count;
            fingerprint += c.fingerprint;
            assertEquals(List.of("sample", "partition", "counts", "shuffle", "sort"),
                    List.copyOf(((io.fmi.examples.Phases) o[2]).totalMillis().keySet()), what);
        }
        assertEquals(SampleSort.fingerprint(expected, 0), fingerprint, what + ": the fingerprints add up to the single-process one");
    }

    static IntFunction<long[]> generated(int n) {
        return r -> SortData.partition(SEED, LONGS, n, r);
    }

    @ParameterizedTest(name = "{0} peers")
    @ValueSource(ints = {1, 2, 3, 4, 5, 8})
    void shouldSortLikeOneProcessOverTheInMemoryChannels(int n) {
        for (String channel : new String[] {"Local", "LocalStore"}) {
            sortAndCheck(FmiConfig.defaults().withOnly(channel), n, generated(n), channel + ", " + n + " peers");
        }
    }

    @ParameterizedTest(name = "{0} peers")
    @ValueSource(ints = {2, 3, 5})
    void shouldSortLikeOneProcessOverDirectOnLoopback(int n) throws Exception {
        try (DirectLoopback direct = new DirectLoopback()) {
            sortAndCheck(direct.config(), n, generated(n), "direct, " + n + " peers");
        }
    }

    @Test
    void shouldSortLikeOneProcessOverARealRedis() {
        FmiConfig redis = FmiConfig.defaults().withOnly("Redis").withBackend("Redis", RedisServer.shared().backend());
        sortAndCheck(redis, 3, generated(3), "redis, 3 peers");
    }

    @Test
    void shouldSortRepeatedKeysEmptyWorkersAndAWorkerWithAllTheData() {
        // Three keys only, so splitters repeat; rank 1 has nothing, rank 3 almost everything.
        IntFunction<long[]> skewed = r -> LongStream.range(0, r == 1 ? 0 : r == 3 ? 20_000 : 7).map(i -> (i * 7 + r) % 3 - 1).toArray();
        sortAndCheck(FmiConfig.defaults().withOnly("Local"), 4, skewed, "repeated keys");
        sortAndCheck(FmiConfig.defaults().withOnly("Local"), 3, r -> new long[0], "no data at all");
        sortAndCheck(FmiConfig.defaults().withOnly("Local"), 3, r -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE, r}, "extremes");
    }

    @Test
    void shouldKeepTheRangesWithinAFewPercentOfTheMean() {
        int n = 8;
        List<Integer> counts = LocalCluster.run(n, comm ->
                new SampleSort(SampleSort.DEFAULT_SAMPLES).run(comm, generated(n).apply(comm.rank())).sorted.length);
        int largest = counts.stream().mapToInt(Integer::intValue).max().orElseThrow();
        // 256 samples per worker: a range is off the mean by about 1/16 of it; 25% would be a broken sampler
        assertTrue(largest < 1.25 * LONGS / n, "largest range " + largest + " of " + counts);
    }

    @Test
    void shouldGiveTheSameRangesOverAStorageExchange() {
        int n = 4;
        InMemoryObjectStore store = new InMemoryObjectStore(Duration.ofSeconds(30));
        List<long[]> viaStore = LocalCluster.run(n, comm ->
                new StorageSampleSort(SampleSort.DEFAULT_SAMPLES).run(store, "job", comm.rank(), n, generated(n).apply(comm.rank())).sorted);
        List<long[]> viaFmi = LocalCluster.run(n, comm ->
                new SampleSort(SampleSort.DEFAULT_SAMPLES).run(comm, generated(n).apply(comm.rank())).sorted);
        for (int r = 0; r < n; r++) {
            assertArrayEquals(viaFmi.get(r), viaStore.get(r), "rank " + r);
        }
        // samples and shuffle: one object per worker, then one per pair; each read by everyone / its addressee
        assertEquals(n + n * n, store.puts());
        assertEquals(n * n + n * n, store.reads());
    }

    @Test
    void shouldGiveTheSingleProcessSortThroughARealRedisWithoutFmi() {
        int n = 3;
        String job = "sort-twin-" + java.util.UUID.randomUUID();
        try (RedisObjectStore store = new RedisObjectStore(RedisServer.shared().uri(), Duration.ofSeconds(30))) {
            List<long[]> got = LocalCluster.run(n, comm ->
                    new StorageSampleSort(SampleSort.DEFAULT_SAMPLES).run(store, job, comm.rank(), n, generated(n).apply(comm.rank())).sorted);
            assertArrayEquals(singleProcess(generated(n), n), got.stream().flatMapToLong(Arrays::stream).toArray());
        }
    }

    @Test
    void shouldGenerateTheSameInputWhateverTheNumberOfWorkers() {
        long[] one = SortData.partition(SEED, 1001, 1, 0);
        long[] three = LongStream.range(0, 3).mapToObj(r -> SortData.partition(SEED, 1001, 3, (int) r)).flatMapToLong(Arrays::stream).toArray();
        assertArrayEquals(one, three);
        assertEquals(334, SortData.share(1001, 3, 0));
        assertEquals(333, SortData.share(1001, 3, 2));
        assertEquals(334, SortData.share(1001, 3, 1));
        assertEquals(668, SortData.start(1001, 3, 2));
        assertThrows(IllegalArgumentException.class, () -> SortData.partition(SEED, 10, 3, 3));
        assertThrows(IllegalArgumentException.class, () -> new SampleSort(0));
    }

    @Test
    void shouldChangeTheFingerprintWhenAnElementOrAPlaceIsWrong() {
        long[] sorted = singleProcess(generated(1), 1);
        long whole = SampleSort.fingerprint(sorted, 0);
        long[] pieces = {SampleSort.fingerprint(Arrays.copyOfRange(sorted, 0, 500), 0),
                SampleSort.fingerprint(Arrays.copyOfRange(sorted, 500, sorted.length), 500)};
        assertEquals(whole, pieces[0] + pieces[1]);
        long[] swapped = sorted.clone();
        swapped[10] = sorted[11];
        swapped[11] = sorted[10];
        assertTrue(whole != SampleSort.fingerprint(swapped, 0));
        assertTrue(whole != SampleSort.fingerprint(sorted, 1));
        long[] changed = sorted.clone();
        changed[99]++;
        assertTrue(whole != SampleSort.fingerprint(changed, 0));
    }
}
