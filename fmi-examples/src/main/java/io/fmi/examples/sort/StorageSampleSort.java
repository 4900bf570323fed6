package io.fmi.examples.sort;

import io.fmi.examples.Phases;
import io.fmi.examples.storage.ObjectStore;
import java.util.Arrays;

/**
 * The sample sort of {@link SampleSort} as serverless jobs write it without FMI (PyWren-style
 * shuffle through storage): every worker writes its samples as one object and reads everyone's,
 * writes one object per destination worker, then reads the objects addressed to it. Kept for
 * comparison: sampling, splitters, partition and the local sort are {@link SampleSort}'s; only
 * the exchange differs (see docs/workloads.md for the two side by side). The sizes travel with
 * the objects, so there is no count exchange; in exchange every worker makes {@code 2n} writes and
 * {@code 2n} reads, and someone has to delete the objects afterwards.
 *
 * <p>Immutable and thread-safe.
 */
public final class StorageSampleSort {
    private final int samples;

    /** @param samplesPerWorker how many elements each worker samples, at least 1 */
    public StorageSampleSort(int samplesPerWorker) {
        this.samples = SampleSort.requireSamples(samplesPerWorker);
    }

    /** Worker {@code rank} of {@code size} sorts its part of the job {@code job} through {@code store}. */
    public SampleSort.Result run(ObjectStore store, String job, int rank, int size, long[] data) {
        return run(store, job, rank, size, data, new Phases());
    }

    /** As {@link #run(ObjectStore, String, int, int, long[])}, recording the phases in {@code phases} (its clock running). */
    public SampleSort.Result run(ObjectStore store, String job, int rank, int size, long[] data, Phases phases) {
        store.putLongs(job + "/samples/" + rank, SampleSort.sample(data, samples, rank));
        long[] all = new long[(samples + 1) * size];
        for (int r = 0; r < size; r++) {
            System.arraycopy(store.awaitLongs(job + "/samples/" + r), 0, all, r * (samples + 1), samples + 1);
        }
        long[] splitters = SampleSort.splitters(all, samples, size);
        phases.lap("sample");
        int[] sendCounts = new int[size];
        long[] send = SampleSort.partition(data, splitters, sendCounts);
        phases.lap("partition");
        int from = 0;
        for (int d = 0; d < size; d++) {
            store.putLongs(job + "/shuffle/" + rank + "-" + d, Arrays.copyOfRange(send, from, from + sendCounts[d]));
            from += sendCounts[d];
        }
        long[][] blocks = new long[size][];
        int[] recvCounts = new int[size];
        for (int s = 0; s < size; s++) {
            blocks[s] = store.awaitLongs(job + "/shuffle/" + s + "-" + rank);
            recvCounts[s] = blocks[s].length;
        }
        long[] recv = new long[SampleSort.sum(recvCounts, "received elements")];
        int at = 0;
        for (long[] b : blocks) {
            System.arraycopy(b, 0, recv, at, b.length);
            at += b.length;
        }
        phases.lap("shuffle");
        Arrays.sort(recv);
        phases.lap("sort");
        return new SampleSort.Result(recv, sendCounts, phases, "storage");
    }
}
