package io.fmi.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(120)
class BenchCommandTest {

    @Test
    void shouldMeasureEveryChannelAndWriteCsvAndPlots(@TempDir Path out) throws Exception {
        int code = new CommandLine(new Fmi()).execute("bench", "--channels", "Local,Direct", "--sizes", "8,4096",
                "--peers", "2,3", "--consumers", "2", "--iterations", "5", "--warmup", "5", "--out", out.toString());
        assertEquals(0, code);
        List<String> csv = Files.readAllLines(out.resolve("bench.csv"));
        assertEquals("channel,benchmark,peers,bytes,median_us,p99_us,bandwidth_MBps", csv.get(0));
        // per channel: 2 ping-pong sizes + 2 fan-out sizes + 2 peer counts x 4 collectives
        assertEquals(1 + 2 * (2 + 2 + 2 * 4), csv.size(), String.join("\n", csv));
        for (String row : csv.subList(1, csv.size())) {
            double median = Double.parseDouble(row.split(",")[4]);
            assertTrue(median > 0, "a measured time must be positive: " + row);
        }
        assertTrue(csv.stream().anyMatch(r -> r.startsWith("Direct,pingpong,2,4096,")), String.join("\n", csv));
        for (String png : List.of("latency-vs-size.png", "fanout-vs-size.png", "allreduce-vs-peers.png", "cost-per-channel.png")) {
            byte[] head = Files.readAllBytes(out.resolve(png));
            assertTrue(head.length > 1000 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G', png + " is not a PNG");
        }
        assertTrue(Files.readAllLines(out.resolve("cost.csv")).size() > 1);
    }

    @Test
    void shouldWriteOnlyTheCostModelsCsvAndPlotWhenAskedForCostOnly(@TempDir Path out) throws Exception {
        int code = new CommandLine(new Fmi()).execute("bench", "--cost-only", "--sizes", "8,1048576", "--consumers", "8", "--out", out.toString());
        assertEquals(0, code);
        try (java.util.stream.Stream<Path> files = Files.list(out)) {
            assertEquals(List.of("cost-per-channel.png", "cost.csv"), files.map(f -> f.getFileName().toString()).sorted().toList());
        }
        List<String> cost = Files.readAllLines(out.resolve("cost.csv"));
        assertEquals("channel,operation,peers,bytes,modelled_latency_ms,usd_per_1000", cost.get(0));
        // every priced channel at both sizes; S3 pays per request, so 1,000 broadcasts cost more than Direct's
        for (String ch : List.of("direct", "redis", "s3", "dynamodb")) {
            assertEquals(2, cost.stream().filter(r -> r.startsWith(ch + ",bcast,9,")).count(), String.join("\n", cost));
        }
        double direct = usd(cost, "direct,bcast,9,8,");
        double s3 = usd(cost, "s3,bcast,9,8,");
        assertTrue(s3 > direct && direct > 0, String.join("\n", cost));
    }

    private static double usd(List<String> csv, String prefix) {
        String row = csv.stream().filter(r -> r.startsWith(prefix)).findFirst().orElseThrow();
        return Double.parseDouble(row.split(",")[5]);
    }
}
