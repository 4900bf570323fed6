package io.fmi.examples.storage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The shared storage of the storage-exchange versions of the workloads
 * ({@link io.fmi.examples.sort.StorageSampleSort}, {@link io.fmi.examples.sgd.StorageSgd}): how
 * serverless data jobs exchange data without FMI (PyWren, LambdaML, the object-storage baseline of
 * "Punching Holes in the Cloud"). A worker writes an object under a key it makes up and waits for
 * the keys of the objects it needs, S3-, Redis- or DynamoDB-style.
 *
 * <pre>
 * store.putLongs(job + "/shuffle/" + me + "-" + dest, block);
 * long[] mine = store.awaitLongs(job + "/shuffle/" + src + "-" + me);
 * </pre>
 *
 * <p>Implementations must be thread-safe: every worker of a job uses the same store.
 */
public interface ObjectStore {
    /** Stores {@code value} (the store may keep the array) under {@code key}. */
    void put(String key, byte[] value);

    /** The object under {@code key}, waiting until some worker has put it. */
    byte[] await(String key);

    /** Stores {@code values} as 8-byte little-endian longs. */
    default void putLongs(String key, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        put(key, b.array());
    }

    /** The longs under {@code key}, as {@link #putLongs} stored them. */
    default long[] awaitLongs(String key) {
        byte[] v = await(key);
        long[] out = new long[v.length / 8];
        ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
        return out;
    }

    /** Stores {@code values} as 8-byte little-endian doubles. */
    default void putDoubles(String key, double[] values) {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(values);
        put(key, b.array());
    }

    /** The doubles under {@code key}, as {@link #putDoubles} stored them. */
    default double[] awaitDoubles(String key) {
        byte[] v = await(key);
        double[] out = new double[v.length / 8];
        ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(out);
        return out;
    }
}
