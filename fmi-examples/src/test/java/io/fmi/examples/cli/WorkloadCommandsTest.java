package io.fmi.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.channels.testing.RedisServer;
import io.fmi.examples.sort.SampleSort;
import io.fmi.examples.sort.SortData;
import io.fmi.local.LocalCluster;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** {@code ./fmi sort} and {@code ./fmi sgd} end to end: peer processes, a rendezvous server or a real Redis, the checks. */
@Timeout(120)
class WorkloadCommandsTest {

    /** Runs {@code command} as {@code ./fmi} would and returns its exit code and output. */
    private static Object[] run(Callable<Integer> command, JobOptions options, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        options.out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int code = new CommandLine(command).execute(args);
        return new Object[] {code, bytes.toString(StandardCharsets.UTF_8)};
    }

    /** Runs {@code command} as {@code ./fmi} would, checks that it succeeded, and returns its output. */
    private static String runOk(Callable<Integer> command, JobOptions options, String... args) {
        Object[] r = run(command, options, args);
        assertEquals(0, r[0], (String) r[1]);
        return (String) r[1];
    }

    @Test
    void shouldSortOnThreeProcessesOverDirectAndCheckTheResult() {
        SortCommand sort = new SortCommand();
        String out = runOk(sort, sort.options, "--longs", "100000", "--peers", "3", "--model-peers", "3,128");
        assertTrue(out.contains("channel used:  direct"), out);
        assertTrue(out.contains("check:         every range sorted, ranges in order, same longs at the same places as a single-process sort"), out);
        for (String phase : List.of("generate", "sample", "partition", "counts", "shuffle", "sort")) {
            assertTrue(out.contains("\n  " + phase + " "), phase + " missing:\n" + out);
        }
        assertTrue(out.contains("(3 functions of 1024 MiB") && out.contains("(128 functions of 1024 MiB"), out);
    }

    @Test
    void shouldSortOnTwoProcessesOverARealRedis() {
        SortCommand sort = new SortCommand();
        String out = runOk(sort, sort.options, "--longs", "50000", "--peers", "2", "--channel", "Redis", "--redis", RedisServer.shared().uri());
        assertTrue(out.contains("channel used:  redis"), out);
        assertTrue(out.contains("check:         every range sorted"), out);
    }

    @Test
    void shouldFindEveryKindOfWrongSort() {
        SortCommand sort = new SortCommand();
        sort.longs = 20_000;
        sort.options.seed = 5;
        sort.options.peers = 3;
        List<Map<String, Object>> reports = LocalCluster.run(3, comm -> {
            long[] sorted = new SampleSort(16).run(comm, SortData.partition(5, 20_000, 3, comm.rank())).sorted;
            SampleSort.Check c = SampleSort.check(comm, sorted);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rank", comm.rank());
            m.put("count", c.count);
            m.put("offset", c.offset);
            m.put("fingerprint", c.fingerprint);
            m.put("sorted", c.sorted);
            m.put("first", c.first);
            m.put("last", c.last);
            return m;
        });
        assertEquals(List.of(), sort.check(reports));
        reports.get(1).put("fingerprint", (Long) reports.get(1).get("fingerprint") + 1);
        assertEquals(List.of("the fingerprints do not add up to that of a single-process sort"), sort.check(reports));
        reports.get(2).put("sorted", false);
        reports.get(2).put("first", Long.MIN_VALUE);
        List<String> problems = sort.check(reports);
        assertTrue(problems.contains("rank 2 is not sorted"), problems.toString());
        assertTrue(problems.contains("rank 2 starts below the end of the range before it"), problems.toString());
        reports.remove(2);
        assertTrue(sort.check(reports).stream().anyMatch(p -> p.endsWith("longs in all (expected: 20000)")), sort.check(reports).toString());
    }

    @Test
    void shouldTrainOnTwoProcessesThroughARealRedisWithoutFmiAndMatchOneProcessBitForBit() {
        SgdCommand sgd = new SgdCommand();
        String out = runOk(sgd, sgd.options, "--peers", "2", "--steps", "4", "--dims", "2000", "--points", "300", "--batch", "30",
                "--channel", "Redis", "--redis", RedisServer.shared().uri(), "--exchange", "storage");
        assertTrue(out.contains("channel used:  storage"), out);
        assertTrue(out.contains("same weights on every process: yes; against one process: bit-identical"), out);
    }

    @Test
    void shouldRefuseAStorageExchangeWithoutRedis() {
        SortCommand sort = new SortCommand();
        java.io.PrintStream err = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            assertEquals(2, run(sort, sort.options, "--exchange", "storage", "--channel", "Direct")[0]);
            assertEquals(2, run(sort, sort.options, "--exchange", "s3")[0]);
        } finally {
            System.setErr(err);
        }
        String msg = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(msg.contains("--exchange storage with --channel Direct (expected: --channel Redis"), msg);
        assertTrue(msg.contains("--exchange s3 (expected: fmi or storage)"), msg);
    }

    @Test
    void shouldTrainOnTwoProcessesOverDirectAndMatchOneProcess() {
        // by SUM, within the tolerance; in rank order (bit for bit) is the storage test's and LogisticSgdTest's
        SgdCommand sgd = new SgdCommand();
        String out = runOk(sgd, sgd.options, "--peers", "2", "--steps", "5", "--dims", "10000", "--points", "500", "--batch", "50");
        assertTrue(out.contains("channel used:  direct"), out);
        assertTrue(out.contains("same weights on every process: yes; against one process: within tolerance"), out);
        for (String phase : List.of("gradient", "reduce_scatter", "update", "allgatherv")) {
            assertTrue(out.contains("\n  " + phase + " "), phase + " missing:\n" + out);
        }
    }
}
