package io.fmi.examples.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.examples.kmeans.KMeans;
import io.fmi.tcpunch.netlab.NatLab;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Lambda lab on what {@code ./mvnw package} built (the layer zip, the runtime interface
 * client's jars, fmi-examples' jar as the function): four functions behind four NATs, each
 * started by AWS's runtime client under Lambda's CPU share and memory cap, run K-means over
 * Direct; and a function killed in the middle of a job is reported by its peers. Needs root,
 * iproute2 and iptables (skipped without them, failed under {@code CI=true}).
 */
@Timeout(120)
class LabIT {
    private static final Path TARGET = Path.of(System.getProperty("fmi.lab.target", "target"));

    @BeforeAll
    static void requireLab() {
        NatLab.assumeAvailable();
    }

    @AfterAll
    static void cleanUp() {
        NatLab.cleanLeftovers();
    }

    private static Lab.Options.Builder options() {
        return Lab.Options.builder().functions(4).channel("Direct")
                .layer(TARGET.resolve("lab").resolve(LabLayout.LAYER_ZIP))
                .runtime(TARGET.resolve("lab").resolve("runtime"))
                .function(LabLayout.defaultFunction(TARGET));
    }

    private static Lab.Job kmeans(int epochs, int points, double[] expected) {
        Map<String, Object> keys = new LinkedHashMap<>();
        keys.put("job", "kmeans");
        keys.put("epochs", epochs);
        keys.put("points", points);
        return new Lab.Job("kmeans", keys, r -> {
            List<?> c = (List<?>) r.get("centroids");
            for (int i = 0; i < expected.length; i++) {
                if (Math.abs(((Number) c.get(i)).doubleValue() - expected[i]) > 1e-9 * Math.max(1, Math.abs(expected[i]))) {
                    return "coordinate " + i + ": " + c.get(i) + " (expected: " + expected[i] + ")";
                }
            }
            return null;
        });
    }

    @Test
    void shouldRunFourFunctionsOfKMeansAsLambdaRunsThem() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Lab.Report report = new Lab(options().memoryMiB(512).build(), new PrintStream(buf, true, StandardCharsets.UTF_8))
                .run(kmeans(5, 1000, KMeans.sequential(42, 4, 1000, 3, 28, 5)));
        String out = buf.toString(StandardCharsets.UTF_8);
        System.out.print(out);

        assertTrue(report.notEmulated.isEmpty(), () -> "as root everything is emulated: " + report.notEmulated + "\n" + out);
        assertTrue(out.contains("each function in its own network namespace behind its own NAT"), out);
        assertTrue(out.contains("0.289 vCPU and 512 MiB per function"), out);
        String[] lines = out.strip().split("\n");
        assertEquals(report.summaryLine(), lines[lines.length - 1]);
        assertTrue(lines[lines.length - 1].matches("lab: 4/4 functions ok, cold start median \\d+ ms, max RSS \\d+ MiB"), out);
        for (Lab.FunctionReport f : report.functions) {
            assertTrue(f.ok, () -> "rank " + f.rank + ": " + f.outcome + "\n" + out);
            assertEquals("direct", f.channel);
            // the runtime client asked for its event (init), got it, and answered (duration); the
            // first allreduce came after both the init and the event
            assertTrue(f.initMs > 0 && f.durationMs > 0 && f.coldStartMs > f.initMs, () -> "rank " + f.rank + "\n" + out);
            assertTrue(f.maxRssBytes > (16L << 20) && f.maxRssBytes < (512L << 20), () -> "RSS under the cap\n" + out);
            // a JVM starting on 0.29 of a CPU is held back by its quota
            assertTrue(f.throttledMs > 0, () -> "rank " + f.rank + " never throttled\n" + out);
        }
    }

    @Test
    void shouldRunFunctionsOf128MbWithinLambdasMetaspace() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        // Lambda's smallest size: 12.8 MB of metaspace and 0.072 vCPU; the example handler extends FmiJsonHandler
        Lab.Report report = new Lab(options().functions(2).memoryMiB(128).logLevel("debug").build(),
                new PrintStream(buf, true, StandardCharsets.UTF_8))
                .run(kmeans(2, 100, KMeans.sequential(42, 2, 100, 3, 28, 2)));
        String out = buf.toString(StandardCharsets.UTF_8);
        System.out.print(out);

        assertTrue(out.contains("0.072 vCPU and 128 MiB per function"), out);
        assertEquals(2L, report.ok(), out);
        // the function's package carries its logging binding; asked for DEBUG, FMI's lifecycle shows
        assertTrue(out.contains("log of rank 0, DEBUG and above"), out);
        assertTrue(out.contains("DEBUG io.fmi.lambda.FmiLambda - [comm=lab-kmeans rank=1/2]"), out);
    }

    @Test
    void shouldReportAKilledFunctionOnEveryPeer() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        long opTimeoutMs = 8000;
        // enough epochs to outlast the kill: a job of minutes
        Lab.Report report = new Lab(options().memoryMiB(1769).kill(1, 8).operationTimeoutMs(opTimeoutMs)
                .timeout(Duration.ofSeconds(90)).build(), new PrintStream(buf, true, StandardCharsets.UTF_8))
                .run(kmeans(1_000_000, 100, new double[0]));
        String out = buf.toString(StandardCharsets.UTF_8);
        System.out.print(out);

        assertTrue(out.contains("injected: --kill 1@8.0 (SIGKILL"), out);
        assertEquals("lab: 0/4 functions ok", out.strip().substring(out.strip().lastIndexOf('\n') + 1).split(",")[0]);
        Lab.FunctionReport victim = report.functions.get(1);
        assertFalse(victim.ok);
        assertEquals("killed by --kill 1@8.0", victim.outcome);
        boolean someoneNamesIt = false;
        for (Lab.FunctionReport f : report.functions) {
            if (f.rank == 1) {
                continue;
            }
            assertFalse(f.ok, () -> "rank " + f.rank + " finished a job whose rank 1 was killed\n" + out);
            // each peer returns a report naming what it waited for: the dead peer at once, or a
            // peer that gave up because of it, within its operation deadline; never the function's timeout
            assertTrue(f.outcome.startsWith("PeerFailedException: ") || f.outcome.startsWith("FmiTimeoutException: "),
                    () -> "rank " + f.rank + ": " + f.outcome);
            assertTrue(f.durationMs < 8000 + 2 * opTimeoutMs + 20_000, () -> "rank " + f.rank + " waited " + f.durationMs + " ms\n" + out);
            someoneNamesIt |= f.outcome.contains("rank 1");
            // and logs it at WARN, which the lab shows
            assertTrue(out.contains("log of rank " + f.rank + ", WARN and above"), out);
        }
        assertTrue(someoneNamesIt, out);
        assertTrue(out.contains("WARN io.fmi.examples.lambda.FmiHandler - [rank="), out);
    }
}
