package io.fmi.examples.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.fmi.Communicator;
import io.fmi.FmiException;
import io.fmi.Operation;
import io.fmi.ReduceOp;
import io.fmi.examples.kmeans.KMeans;
import io.fmi.examples.kmeans.KMeansData;
import io.fmi.lambda.FmiLambda;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Lambda function that joins a communicator and runs a job: distributed K-means (the FMI
 * paper's case study) or a single allreduce as a connectivity check. Deploy it with the FMI layer
 * (see docs/deployment.md); start N copies at once with {@link io.fmi.examples.launch.AwsLauncher}.
 *
 * <p>{@link FmiLambda} builds the communicator from the event ({@code rank}, {@code size},
 * {@code run_id}, ...), the configuration and the {@link Context}: an operation that cannot finish
 * fails with a clear {@link io.fmi.FmiTimeoutException} before the function runs out of time, and
 * the function still returns a report. The example's own keys are those of {@link JobRequest}.
 *
 * <p>Returns a map: {@code rank}, {@code size}, {@code channel}, {@code ok}, per-epoch
 * {@code compute_ms} and {@code communication_ms} medians, {@code centroids} (K-means) or
 * {@code sum} (allreduce), or {@code error} with the exception's message.
 */
public final class FmiHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final Logger log = LoggerFactory.getLogger(FmiHandler.class);

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        long started = System.nanoTime();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rank", event == null ? null : event.get(FmiLambda.RANK));
        try {
            JobRequest req = JobRequest.from(event);
            try (Communicator comm = FmiLambda.communicator(event, context)) {
                out.put("size", comm.size());
                if (req.job.equals("allreduce")) {
                    long[] sum = new long[1];
                    comm.allreduce(new long[] {comm.rank() + 1}, sum, ReduceOp.SUM);
                    out.put("channel", comm.channelFor(Operation.ALLREDUCE, 8));
                    out.put("sum", sum[0]);
                } else {
                    runKMeans(comm, req, out);
                }
                out.put("ok", true);
            }
        } catch (FmiException e) {
            log.warn("[rank={}] job failed: {}", out.get("rank"), e.getMessage());
            out.put("ok", false);
            out.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        out.put("elapsed_ms", (System.nanoTime() - started) / 1_000_000);
        return out;
    }

    private static void runKMeans(Communicator comm, JobRequest req, Map<String, Object> out) {
        KMeans km = new KMeans(req.k, req.dims);
        double[] points = KMeansData.partition(req.seed, comm.rank(), req.points, req.k, req.dims);
        KMeans.Result r = km.run(comm, points, KMeans.initialCentroids(req.seed, req.k, req.dims), req.epochs);
        double[] compute = r.epochs.stream().mapToDouble(e -> e.computeNanos / 1e6).sorted().toArray();
        double[] comms = r.epochs.stream().mapToDouble(e -> e.communicationNanos / 1e6).sorted().toArray();
        out.put("channel", r.channel);
        out.put("epochs", req.epochs);
        out.put("compute_ms", compute[compute.length / 2]);
        out.put("communication_ms", comms[comms.length / 2]);
        out.put("centroids", Arrays.stream(r.centroids).boxed().toArray());
    }
}
