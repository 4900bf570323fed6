package io.fmi.examples.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.fmi.Communicator;
import io.fmi.FmiConfig;
import io.fmi.FmiException;
import io.fmi.Operation;
import io.fmi.ReduceOp;
import io.fmi.examples.kmeans.KMeans;
import io.fmi.examples.kmeans.KMeansData;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Lambda function that joins a communicator and runs a job: distributed K-means (the FMI
 * paper's case study) or a single allreduce as a connectivity check. Deploy it with the FMI layer
 * (see docs/deployment.md); invoke N copies at once with events from {@link JobRequest}.
 *
 * <p>Every deadline comes from {@link Context#getRemainingTimeInMillis()}: the communicator's
 * lifetime is the remaining time less a safety margin, so an operation that cannot finish fails
 * with a clear {@link io.fmi.FmiTimeoutException} and the function still returns a report rather
 * than being killed mid-operation. The configuration is parsed once per warm container; channel
 * clients (event loops, Redis and AWS clients) are shared by the channels across invocations.
 *
 * <p>Returns a map: {@code rank}, {@code size}, {@code channel}, {@code ok}, per-epoch
 * {@code compute_ms} and {@code communication_ms} medians, {@code centroids} (K-means) or
 * {@code sum} (allreduce), or {@code error} with the exception's message.
 */
public final class FmiHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final Logger log = LoggerFactory.getLogger(FmiHandler.class);
    /** Parsed configuration, reused while the container stays warm. */
    private static volatile CachedConfig cached;

    private static final class CachedConfig {
        final String source;
        final FmiConfig config;

        CachedConfig(String source, FmiConfig config) {
            this.source = source;
            this.config = config;
        }
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        long started = System.nanoTime();
        Map<String, Object> out = new LinkedHashMap<>();
        JobRequest req;
        try {
            req = JobRequest.from(event);
        } catch (FmiException e) {
            out.put("ok", false);
            out.put("error", e.getMessage());
            return out;
        }
        out.put("rank", req.rank);
        out.put("size", req.size);
        long lifetimeMs = context.getRemainingTimeInMillis() - req.safetyMarginMs;
        if (lifetimeMs <= 0) {
            out.put("ok", false);
            out.put("error", "only " + context.getRemainingTimeInMillis() + " ms left, less than the safety margin of "
                    + req.safetyMarginMs + " ms");
            return out;
        }
        try (Communicator comm = Communicator.builder()
                .config(config(req))
                .name(req.name)
                .runId(req.runId)
                .rank(req.rank)
                .size(req.size)
                .hint(req.hint)
                .functionMemoryMiB(context.getMemoryLimitInMB())
                .lifetime(Duration.ofMillis(lifetimeMs))
                .build()) {
            if (req.job.equals("allreduce")) {
                long[] sum = new long[1];
                comm.allreduce(new long[] {req.rank + 1}, sum, ReduceOp.SUM);
                out.put("channel", comm.channelFor(Operation.ALLREDUCE, 8));
                out.put("sum", sum[0]);
            } else {
                runKMeans(comm, req, out);
            }
            out.put("ok", true);
        } catch (FmiException e) {
            log.warn("[comm={} rank={}/{}] job failed: {}", req.name, req.rank, req.size, e.getMessage());
            out.put("ok", false);
            out.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        out.put("elapsed_ms", (System.nanoTime() - started) / 1_000_000);
        return out;
    }

    private static void runKMeans(Communicator comm, JobRequest req, Map<String, Object> out) {
        KMeans km = new KMeans(req.k, req.dims);
        double[] points = KMeansData.partition(req.seed, req.rank, req.points, req.k, req.dims);
        KMeans.Result r = km.run(comm, points, KMeans.initialCentroids(req.seed, req.k, req.dims), req.epochs);
        double[] compute = r.epochs.stream().mapToDouble(e -> e.computeNanos / 1e6).sorted().toArray();
        double[] comms = r.epochs.stream().mapToDouble(e -> e.communicationNanos / 1e6).sorted().toArray();
        out.put("channel", r.channel);
        out.put("epochs", req.epochs);
        out.put("compute_ms", compute[compute.length / 2]);
        out.put("communication_ms", comms[comms.length / 2]);
        out.put("centroids", Arrays.stream(r.centroids).boxed().toArray());
    }

    private static FmiConfig config(JobRequest req) {
        String source = req.configJson != null ? req.configJson
                : "env:" + System.getenv("FMI_CONFIG_JSON") + "|" + System.getenv("FMI_CONFIG");
        CachedConfig c = cached;
        if (c == null || !c.source.equals(source)) {
            c = new CachedConfig(source, req.config());
            cached = c;
        }
        return c.config;
    }
}
