package io.fmi.examples.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import io.fmi.Communicator;
import io.fmi.FmiException;
import io.fmi.Operation;
import io.fmi.ReduceOp;
import io.fmi.examples.Phases;
import io.fmi.examples.kmeans.KMeans;
import io.fmi.examples.kmeans.KMeansData;
import io.fmi.examples.sgd.LogisticSgd;
import io.fmi.examples.sgd.SgdData;
import io.fmi.examples.sgd.StorageSgd;
import io.fmi.examples.sort.SampleSort;
import io.fmi.examples.sort.SortData;
import io.fmi.examples.sort.StorageSampleSort;
import io.fmi.examples.storage.RedisObjectStore;
import io.fmi.lambda.FmiJsonHandler;
import io.fmi.lambda.FmiLambda;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Lambda function that joins a communicator and runs a job: distributed K-means (the FMI
 * paper's case study), a distributed sort ({@link SampleSort}), data-parallel SGD
 * ({@link LogisticSgd}), or a single allreduce as a connectivity check. Deploy it with the FMI layer
 * (see docs/deployment.md); start N copies at once with {@link io.fmi.examples.launch.AwsLauncher}.
 *
 * <p>{@link FmiLambda} builds the communicator from the event ({@code rank}, {@code size},
 * {@code run_id}, ...), the configuration and the {@link Context}: an operation that cannot finish
 * fails with a clear {@link io.fmi.FmiTimeoutException} before the function runs out of time, and
 * the function still returns a report. The example's own keys are those of {@link JobRequest}.
 *
 * <p>The sort and SGD jobs also return, per job:
 * <ul>
 *   <li>sort: {@code phases_ms} (generate, sample, partition, counts, shuffle, sort), {@code connect_ms},
 *       {@code count}, {@code sent} (elements sent to other functions), and the check of
 *       {@link SampleSort.Check}: {@code offset}, {@code fingerprint}, {@code sorted}, {@code first}, {@code last};</li>
 *   <li>sgd: {@code phases_ms} (median per step: gradient, reduce_scatter, update, allgatherv),
 *       {@code total_ms} (per phase over all steps), {@code connect_ms}, the global {@code loss}
 *       and {@code accuracy} on the training data, {@code test_accuracy} on held-out examples,
 *       {@code weights_hash}, and {@code weights} from rank 0 when the event asks.</li>
 * </ul>
 * With {@code "exchange": "storage"} they exchange their data through Redis without FMI
 * ({@link StorageSampleSort}, {@link StorageSgd}); the communicator still lines the functions up
 * before the job and checks the result after it.
 *
 * <p>Returns a map: {@code rank}, {@code size}, {@code channel}, {@code ok}, per-epoch
 * {@code compute_ms} and {@code communication_ms} medians, {@code centroids} (K-means) or
 * {@code sum} (allreduce), {@code first_op_end_ms} (the wall-clock time, epoch milliseconds, at
 * which the job's first collective returned: where a cold start ends), or {@code error} with the
 * exception's message.
 */
public final class FmiHandler extends FmiJsonHandler {
    private static final Logger log = LoggerFactory.getLogger(FmiHandler.class);

    /** Runs the job the event names and returns its report; public for launchers and tests that call it in-process. */
    @Override
    public Map<String, Object> handle(Map<String, Object> event, Context context) {
        long started = System.nanoTime();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rank", event == null ? null : event.get(FmiLambda.RANK));
        try {
            JobRequest req = JobRequest.from(event);
            try (Communicator comm = FmiLambda.communicator(event, context)) {
                out.put("size", comm.size());
                if (req.job.equals("sort")) {
                    runSort(comm, req, event, context, out);
                } else if (req.job.equals("sgd")) {
                    runSgd(comm, req, event, context, out);
                } else if (req.job.equals("allreduce")) {
                    long[] sum = new long[1];
                    comm.allreduce(new long[] {comm.rank() + 1}, sum, ReduceOp.SUM);
                    out.put("first_op_end_ms", System.currentTimeMillis());
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
        out.put("first_op_end_ms", r.firstExchangeEndMillis);
        out.put("epochs", req.epochs);
        out.put("compute_ms", compute[compute.length / 2]);
        out.put("communication_ms", comms[comms.length / 2]);
        out.put("centroids", Arrays.stream(r.centroids).boxed().toArray());
    }

    /**
     * Waits for every function and opens every connection the job will use (a barrier and an
     * alltoall of one int), so that the phases after it time the work, not the start-up.
     */
    private static double connect(Communicator comm) {
        long t0 = System.nanoTime();
        comm.barrier();
        comm.alltoall(new int[comm.size()], new int[comm.size()]);
        return (System.nanoTime() - t0) / 1e6;
    }

    /**
     * The storage of the storage-exchange twins: the Redis of {@code "store"}, objects under the
     * job's name and run id, waiting no longer than the function has left.
     */
    private static RedisObjectStore store(JobRequest req, Context context) {
        return new RedisObjectStore(req.store, Duration.ofMillis(Math.max(1, context.getRemainingTimeInMillis() - 2_000)));
    }

    private static String storeKey(Map<String, Object> event) {
        return "fmi-twin/" + event.get(FmiLambda.NAME) + "/" + event.get(FmiLambda.RUN_ID);
    }

    private static void runSort(Communicator comm, JobRequest req, Map<String, Object> event, Context context, Map<String, Object> out) {
        Phases phases = new Phases();
        long[] mine = SortData.partition(req.seed, req.longs, comm.size(), comm.rank());
        phases.lap("generate");
        out.put("connect_ms", connect(comm));
        phases.restart();
        SampleSort.Result r;
        if (req.exchange.equals("storage")) {
            try (RedisObjectStore store = store(req, context)) {
                r = new StorageSampleSort(req.samples).run(store, storeKey(event), comm.rank(), comm.size(), mine, phases);
            }
        } else {
            r = new SampleSort(req.samples).run(comm, mine, phases);
        }
        SampleSort.Check check = SampleSort.check(comm, r.sorted);
        out.put("channel", r.channel);
        out.put("phases_ms", r.phases.totalMillis());
        out.put("count", r.sorted.length);
        out.put("sent", mine.length - r.sendCounts[comm.rank()]);
        out.put("offset", check.offset);
        out.put("fingerprint", check.fingerprint);
        out.put("sorted", check.sorted);
        out.put("first", check.first);
        out.put("last", check.last);
    }

    private static void runSgd(Communicator comm, JobRequest req, Map<String, Object> event, Context context, Map<String, Object> out) {
        SgdData.Examples mine = SgdData.partition(req.seed, comm.rank(), req.points, req.dims, req.nnz);
        out.put("connect_ms", connect(comm));
        LogisticSgd.Result r;
        if (req.exchange.equals("storage")) {
            try (RedisObjectStore store = store(req, context)) {
                r = new StorageSgd(req.dims, req.batch, req.learningRate).run(store, storeKey(event), comm.rank(), comm.size(), mine, req.steps);
            }
        } else {
            LogisticSgd sgd = new LogisticSgd(req.dims, req.batch, req.learningRate, req.exact ? LogisticSgd.RANK_ORDER_SUM : ReduceOp.SUM);
            r = sgd.run(comm, mine, req.steps);
        }
        // Quality, summed over the functions: on the training data, and on examples no function trained on.
        SgdData.Examples heldOut = SgdData.partition(req.seed, comm.size() + comm.rank(), req.points, req.dims, req.nnz);
        double[] local = LogisticSgd.evaluate(mine, r.weights);
        double[] test = LogisticSgd.evaluate(heldOut, r.weights);
        double[] global = new double[6];
        comm.allreduce(new double[] {local[0], local[1], local[2], test[0], test[1], test[2]}, global, ReduceOp.SUM);
        out.put("channel", r.channel);
        out.put("steps", req.steps);
        out.put("phases_ms", r.phases.medianMillis());
        out.put("total_ms", r.phases.totalMillis());
        out.put("loss", global[0] / global[2]);
        out.put("accuracy", global[1] / global[2]);
        out.put("test_accuracy", global[4] / global[5]);
        out.put("weights_hash", LogisticSgd.hash(r.weights));
        if (req.reportWeights && comm.rank() == 0) {
            out.put("weights", r.weights);
        }
    }
}
