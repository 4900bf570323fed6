package io.fmi.examples.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lab's options, faults, JVM flags and summary line, without running anything. */
class LabOptionsTest {
    @Test
    void shouldParseFaultsAndNameTheOptionWhenWrong() {
        Lab.Fault f = Lab.Fault.parse(Lab.Fault.Kind.FREEZE, "2@1.5");
        assertEquals(2, f.rank);
        assertEquals(1.5, f.seconds);
        assertEquals("--freeze 2@1.5", f.toString());
        for (String bad : List.of("2", "x@1", "-1@2", "1@-2", "1@2@3", "1@Infinity", "")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Lab.Fault.parse(Lab.Fault.Kind.KILL, bad));
            assertTrue(e.getMessage().startsWith("--kill: '" + bad + "' (expected: RANK@SECONDS"), e.getMessage());
        }
    }

    @Test
    void shouldRefuseWhatLambdaWouldNot() {
        assertEquals("--memory: 64 MiB (expected: 128..10240, Lambda's range)",
                assertThrows(IllegalArgumentException.class, () -> Lab.Options.builder().memoryMiB(64).build()).getMessage());
        assertEquals("--channel: 'kafka' (expected: Direct, Redis, S3 or DynamoDB)",
                assertThrows(IllegalArgumentException.class, () -> Lab.Options.builder().channel("kafka").build()).getMessage());
        assertEquals("--kill 4@1.0: rank 4 (expected: 0..3)",
                assertThrows(IllegalArgumentException.class, () -> Lab.Options.builder().functions(4).kill(4, 1).build()).getMessage());
        assertEquals("DynamoDB", Lab.canonicalChannel("dynamodb"));
    }

    @Test
    void shouldStartTheJvmAsTheManagedRuntimeDoes() {
        assertEquals(List.of("-XX:MaxHeapSize=445644k", "-XX:MaxMetaspaceSize=52428k", "-XX:ReservedCodeCacheSize=26214k",
                "-XX:+UseSerialGC", "-Xshare:auto", "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-Djava.net.preferIPv4Stack=true"),
                Lab.jvmOptions(512, true));
        assertTrue(Lab.jvmOptions(512, false).stream().noneMatch(o -> o.contains("Tiered")));
    }

    @Test
    void shouldTellWhichMemoryLimitAFunctionHit(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("rank-0.log");
        Files.writeString(log, "Metaspace: java.lang.OutOfMemoryError\njava.lang.OutOfMemoryError: Metaspace\n\tat java.base/...\n");
        String metaspace = Lab.outOfMemory(log, 128);
        assertTrue(metaspace.startsWith("OutOfMemoryError: Metaspace: the function loaded more classes than the 12.8 MB of metaspace"
                + " Lambda gives a function of 128 MB (10 % of its memory)"), metaspace);
        assertTrue(metaspace.endsWith("extend FmiJsonHandler or give the function more memory (--memory)"), metaspace);
        Files.writeString(log, "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space\n");
        assertEquals("OutOfMemoryError: the heap is 435 MB of the function's 512 MB (85 %); give it more memory (--memory)",
                Lab.outOfMemory(log, 512));
        Files.writeString(log, "SLF4J(W): No SLF4J providers were found.\n");
        assertNull(Lab.outOfMemory(log, 512));
        assertNull(Lab.outOfMemory(dir.resolve("none.log"), 512));
    }

    @Test
    void shouldShowAFunctionsLogFromTheLevelAskedFor(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("rank-2.log");
        Files.writeString(log, String.join("\n",
                "Picked up JAVA_TOOL_OPTIONS: -Dorg.slf4j.simpleLogger.log.io.fmi=debug",
                "[main] DEBUG io.fmi.lambda.FmiLambda - [comm=lab-kmeans rank=2/4] run r: lifetime 118000 ms",
                "[main] INFO io.fmi.channel.direct.DirectChannel - connected",
                "[main] WARN io.fmi.examples.lambda.FmiHandler - [rank=2] job failed: PeerFailedException: rank 1",
                "io.fmi.PeerFailedException: rank 1",
                "\tat io.fmi.internal.DefaultCommunicator.allreduce(DefaultCommunicator.java:1)",
                "Caused by: java.io.IOException: Connection reset",
                "END RequestId: 8f0c",
                "\tnot part of any entry") + "\n");
        assertEquals(List.of("log of rank 2, WARN and above (1 entries):",
                "  [main] WARN io.fmi.examples.lambda.FmiHandler - [rank=2] job failed: PeerFailedException: rank 1",
                "  io.fmi.PeerFailedException: rank 1",
                "  \tat io.fmi.internal.DefaultCommunicator.allreduce(DefaultCommunicator.java:1)",
                "  Caused by: java.io.IOException: Connection reset"), Lab.logExcerpt(2, log, "warn"));
        List<String> debug = Lab.logExcerpt(2, log, "debug");
        assertEquals("log of rank 2, DEBUG and above (3 entries):", debug.get(0));
        assertEquals(7, debug.size(), debug::toString);
        assertEquals(List.of(), Lab.logExcerpt(2, log, "error"));
        assertEquals(List.of(), Lab.logExcerpt(2, dir.resolve("none.log"), "warn"));
        assertEquals("--log-level: 'verbose' (expected: one of [trace, debug, info, warn, error])",
                assertThrows(IllegalArgumentException.class, () -> Lab.Options.builder().logLevel("verbose").build()).getMessage());
    }

    @Test
    void shouldSummariseInOneLine() {
        Lab.FunctionReport a = new Lab.FunctionReport(0, true, "direct", 900, 400, 600, 100L << 20, 1000, 10, "ok", Map.of());
        Lab.FunctionReport b = new Lab.FunctionReport(1, true, "direct", 1100, 500, 650, 120L << 20, 1100, 20, "ok", Map.of());
        Lab.FunctionReport c = new Lab.FunctionReport(2, false, "-", -1, 450, -1, 90L << 20, 300, 0, "killed by --kill 2@1.0", null);
        assertEquals("lab: 2/3 functions ok, cold start median 1000 ms, max RSS 120 MiB", new Lab.Report(List.of(a, b, c), List.of()).summaryLine());
        assertEquals("lab: 0/1 functions ok, cold start median n/a ms, max RSS 90 MiB", new Lab.Report(List.of(c), List.of()).summaryLine());
    }
}
