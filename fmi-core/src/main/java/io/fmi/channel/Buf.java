package io.fmi.channel;

import io.fmi.Buffer;
import io.fmi.DataType;
import io.fmi.FmiException;
import io.fmi.ReduceOp;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A run of typed elements laid out as little-endian bytes: the form in which the collective
 * algorithms and channels see a caller's buffer.
 *
 * <p>A {@code Buf} made by a {@code source} factory is read-only by contract: algorithms never
 * write into it, so the caller's send buffer is never modified. A {@code Buf} made by a
 * {@code sink} factory receives data; for {@code byte[]} and heap {@link ByteBuffer}s it writes
 * straight into the caller's memory, for other arrays it writes into a scratch array and
 * {@link #commit()} copies the result back once the operation succeeded.
 *
 * <pre>
 *   int[] a = {1, 2};
 *   Buf s = Buf.source(a, 0, 2);      // bytes 01 00 00 00 02 00 00 00
 *   Buf r = Buf.sink(new int[2], 0, 2);
 *   ... r.commit();                   // decode into the int[]
 * </pre>
 *
 * <p>Not thread-safe; an instance belongs to one operation.
 */
public final class Buf {
    private static final byte[] EMPTY = new byte[0];

    private final DataType type;
    private final byte[] bytes;
    private final int offset;
    private final int count;
    private final Runnable commit;
    /** The array came from (and {@link #release()} returns it to) this thread's {@link ScratchPool}. */
    private boolean pooled;

    private Buf(DataType type, byte[] bytes, int offset, int count, Runnable commit) {
        this.type = type;
        this.bytes = bytes;
        this.offset = offset;
        this.count = count;
        this.commit = commit;
    }

    /**
     * A buffer of {@code count} elements for a conversion or a step of an algorithm, drawn from the
     * calling thread's pool of large arrays (see {@link #release()}); small buffers are allocated.
     * {@code zeroed}: false leaves whatever the array held before, for a buffer that is written
     * whole before it is read.
     */
    public static Buf scratch(DataType type, int count, boolean zeroed) {
        long n = (long) count * type.sizeBytes();
        if (count < 0 || n < ScratchPool.MIN_BYTES || n > Integer.MAX_VALUE - 8) {
            return allocate(type, count);
        }
        byte[] a = ScratchPool.take((int) n);
        if (a == null) {
            a = new byte[(int) n];
        } else if (zeroed) {
            Arrays.fill(a, 0, (int) n, (byte) 0);
        }
        Buf b = new Buf(type, a, 0, count, null);
        b.pooled = true;
        return b;
    }

    /**
     * Returns the array of a buffer made by {@link #scratch} or by a {@code source}/{@code sink}
     * factory for {@code int[]}, {@code long[]}, {@code float[]} or {@code double[]} to the calling
     * thread's pool, for the next such buffer to reuse instead of allocating (large arrays only,
     * a few per thread, softly referenced so that the GC may take them back). Neither this buffer
     * nor its slices may be used afterwards. A no-op for other buffers and on a second call.
     * The array methods of {@code Communicator} release their buffers once a blocking call has
     * succeeded; after a failure they leave them to the GC, since a channel may still hold them.
     */
    public void release() {
        if (pooled) {
            pooled = false;
            ScratchPool.give(bytes);
        }
    }

    /** {@link #release()} of each non-null argument. */
    public static void release(Buf a, Buf b) {
        if (a != null) {
            a.release();
        }
        if (b != null) {
            b.release();
        }
    }

    /** A buffer over {@code bytes[offset, offset + count * type.sizeBytes())}, shared, not copied. */
    public static Buf wrap(DataType type, byte[] bytes, int offset, int count) {
        Objects.requireNonNull(bytes, "bytes");
        checkRange(bytes.length, offset, (long) count * type.sizeBytes(), "byte[]");
        return new Buf(type, bytes, offset, count, null);
    }

    /** A fresh zero-filled buffer of {@code count} elements. */
    public static Buf allocate(DataType type, int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count: " + count + " (expected: >= 0)");
        }
        long n = (long) count * type.sizeBytes();
        if (n > Integer.MAX_VALUE - 8) {
            throw new FmiException(count + " " + type.label() + " elements exceed the 2 GiB limit of one buffer");
        }
        return new Buf(type, n == 0 ? EMPTY : new byte[(int) n], 0, count, null);
    }

    /** An empty buffer of the given type. */
    public static Buf empty(DataType type) {
        return new Buf(type, EMPTY, 0, 0, null);
    }

    // ---- from the user's operands

    /**
     * The bytes of a send operand: a {@code byte[]} or heap {@code ByteBuffer} in place, other
     * arrays encoded little-endian into a (pooled, see {@link #release()}) scratch array.
     */
    public static Buf source(Buffer b) {
        Object a = b.array();
        int off = b.offset();
        int len = b.length();
        switch (b.type()) {
            case BYTE:
                return a != null ? source((byte[]) a, off, len) : source(window(b));
            case INT:
                return source((int[]) a, off, len);
            case LONG:
                return source((long[]) a, off, len);
            case FLOAT:
                return source((float[]) a, off, len);
            default:
                return source((double[]) a, off, len);
        }
    }

    /**
     * The bytes of a receive operand: a {@code byte[]} or heap {@code ByteBuffer} written in place,
     * other memory through a scratch array that {@link #commit()} decodes into it.
     */
    public static Buf sink(Buffer b) {
        Object a = b.array();
        int off = b.offset();
        int len = b.length();
        switch (b.type()) {
            case BYTE:
                return a != null ? sink((byte[]) a, off, len) : sink(window(b));
            case INT:
                return sink((int[]) a, off, len);
            case LONG:
                return sink((long[]) a, off, len);
            case FLOAT:
                return sink((float[]) a, off, len);
            default:
                return sink((double[]) a, off, len);
        }
    }

    /** The caller's {@code ByteBuffer} with position and limit around the operand's bytes. */
    private static ByteBuffer window(Buffer b) {
        ByteBuffer bb = b.byteBuffer();
        bb.limit(b.offset() + b.length()).position(b.offset());
        return bb;
    }

    // ---- sources: what the caller sends; never written

    public static Buf source(byte[] a, int off, int len) {
        checkArray(a, a == null ? 0 : a.length, off, len);
        return new Buf(DataType.BYTE, a, off, len, null);
    }

    public static Buf source(int[] a, int off, int len) {
        checkArray(a, a == null ? 0 : a.length, off, len);
        Buf b = scratch(DataType.INT, len, false);
        b.le().asIntBuffer().put(a, off, len);
        return b;
    }

    public static Buf source(long[] a, int off, int len) {
        checkArray(a, a == null ? 0 : a.length, off, len);
        Buf b = scratch(DataType.LONG, len, false);
        b.le().asLongBuffer().put(a, off, len);
        return b;
    }

    public static Buf source(float[] a, int off, int len) {
        checkArray(a, a == null ? 0 : a.length, off, len);
        Buf b = scratch(DataType.FLOAT, len, false);
        b.le().asFloatBuffer().put(a, off, len);
        return b;
    }

    public static Buf source(double[] a, int off, int len) {
        checkArray(a, a == null ? 0 : a.length, off, len);
        Buf b = scratch(DataType.DOUBLE, len, false);
        b.le().asDoubleBuffer().put(a, off, len);
        return b;
    }

    /** The bytes between position and limit; the buffer's position is not moved. */
    public static Buf source(ByteBuffer bb) {
        Objects.requireNonNull(bb, "buffer");
        if (bb.hasArray()) {
            return new Buf(DataType.BYTE, bb.array(), bb.arrayOffset() + bb.position(), bb.remaining(), null);
        }
        Buf b = allocate(DataType.BYTE, bb.remaining());
        bb.duplicate().get(b.bytes, 0, b.count);
        return b;
    }

    // ---- sinks: what the caller receives into

    public static Buf sink(byte[] a, int off, int len) {
        checkArray(a, a == null ? 0 : a.length, off, len);
        return new Buf(DataType.BYTE, a, off, len, null);
    }

    public static Buf sink(int[] a, int off, int len) {
        checkArray(a, a == null ? 0 : a.length, off, len);
        Buf b = scratch(DataType.INT, len, false); // a successful operation writes all of it
        return b.withCommit(() -> b.le().asIntBuffer().get(a, off, len));
    }

    public static Buf sink(long[] a, int off, int len) {
        checkArray(a, a == null ? 0 : a.length, off, len);
        Buf b = scratch(DataType.LONG, len, false); // a successful operation writes all of it
        return b.withCommit(() -> b.le().asLongBuffer().get(a, off, len));
    }

    public static Buf sink(float[] a, int off, int len) {
        checkArray(a, a == null ? 0 : a.length, off, len);
        Buf b = scratch(DataType.FLOAT, len, false); // a successful operation writes all of it
        return b.withCommit(() -> b.le().asFloatBuffer().get(a, off, len));
    }

    public static Buf sink(double[] a, int off, int len) {
        checkArray(a, a == null ? 0 : a.length, off, len);
        Buf b = scratch(DataType.DOUBLE, len, false); // a successful operation writes all of it
        return b.withCommit(() -> b.le().asDoubleBuffer().get(a, off, len));
    }

    /** Receives into position..limit; the buffer's position is not moved. */
    public static Buf sink(ByteBuffer bb) {
        Objects.requireNonNull(bb, "buffer");
        if (bb.isReadOnly()) {
            throw new IllegalArgumentException("receive buffer is read-only");
        }
        if (bb.hasArray()) {
            return new Buf(DataType.BYTE, bb.array(), bb.arrayOffset() + bb.position(), bb.remaining(), null);
        }
        Buf b = allocate(DataType.BYTE, bb.remaining());
        ByteBuffer target = bb.duplicate();
        return b.withCommit(() -> target.put(b.bytes, 0, b.count));
    }

    private Buf withCommit(Runnable c) {
        Buf b = new Buf(type, bytes, offset, count, c);
        b.pooled = pooled;
        pooled = false;
        return b;
    }

    // ---- accessors

    public DataType type() {
        return type;
    }

    /** Backing array; the elements start at {@link #offset()}. */
    public byte[] array() {
        return bytes;
    }

    /** Byte offset of the first element in {@link #array()}. */
    public int offset() {
        return offset;
    }

    /** Number of elements. */
    public int count() {
        return count;
    }

    /** Number of bytes: {@code count() * type().sizeBytes()}. */
    public int byteLength() {
        return count * type.sizeBytes();
    }

    /** Elements {@code [from, from + n)} of this buffer, sharing its memory. */
    public Buf slice(int from, int n) {
        if (from < 0 || n < 0 || from + n > count) {
            throw new IndexOutOfBoundsException("slice [" + from + ", " + (from + n) + ") of " + count + " elements");
        }
        return new Buf(type, bytes, offset + from * type.sizeBytes(), n, null);
    }

    /**
     * These bytes as a buffer over the backing array from position {@link #offset()} to limit
     * {@code offset() + byteLength()}, for reading between position and limit: one object, where
     * {@link #asByteBuffer()} makes two. Byte order and indices are those of the whole array.
     */
    public ByteBuffer view() {
        return ByteBuffer.wrap(bytes, offset, byteLength());
    }

    /** A little-endian view of exactly this buffer's bytes (position 0, limit {@link #byteLength()}). */
    public ByteBuffer asByteBuffer() {
        return ByteBuffer.wrap(bytes, offset, byteLength()).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Copies all elements of {@code src} (same type and count) into this buffer. */
    public void copyFrom(Buf src) {
        if (src.count != count || src.type != type) {
            throw new IllegalArgumentException("copy of " + src.count + " " + src.type.label() + " into " + count + " " + type.label());
        }
        System.arraycopy(src.bytes, src.offset, bytes, offset, byteLength());
    }

    /** A fresh copy of these elements. */
    public Buf copy() {
        Buf b = allocate(type, count);
        b.copyFrom(this);
        return b;
    }

    /**
     * Combines {@code in} into {@code acc} element-wise with {@code op}: {@code acc = in ∘ acc} when
     * {@code inIsLeft}, else {@code acc = acc ∘ in}. Both have the same type and count.
     */
    public static void combine(ReduceOp op, Buf in, Buf acc, boolean inIsLeft) {
        if (in.count != acc.count || in.type != acc.type) {
            throw new IllegalArgumentException("combine " + in + " into " + acc);
        }
        op.combine(acc.type, acc.count, in.bytes, in.offset, acc.bytes, acc.offset, inIsLeft);
    }

    /** Publishes received bytes into the caller's buffer (a no-op when the caller's memory was written directly). */
    public void commit() {
        if (commit != null) {
            commit.run();
        }
    }

    private ByteBuffer le() {
        return ByteBuffer.wrap(bytes, offset, byteLength()).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void checkArray(Object a, int length, int off, int len) {
        Objects.requireNonNull(a, "buffer");
        checkRange(length, off, len, "array");
    }

    private static void checkRange(int length, int off, long len, String what) {
        if (off < 0 || len < 0 || off + len > length) {
            throw new IndexOutOfBoundsException(
                    "offset " + off + ", length " + len + " (expected: within " + what + " of length " + length + ")");
        }
    }

    @Override
    public String toString() {
        return count + " " + type.label() + (count == 1 ? "" : "s") + " (" + byteLength() + " B)";
    }
}
