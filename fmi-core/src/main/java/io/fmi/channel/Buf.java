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
 * <h2>Typed arrays without conversion</h2>
 * A {@code Buf} over an {@code int[]}, {@code long[]}, {@code float[]} or {@code double[]} holds
 * the caller's array and converts nothing until a channel or algorithm asks for its bytes
 * ({@link #array()}, {@link #view()}, {@link #slice}, ...): only then are a source's elements
 * encoded into a scratch array, or a sink's scratch array made for {@link #commit()} to decode.
 * Algorithms that work on the elements themselves ({@link #elements()}: the pipelined allreduce)
 * never pay for either, nor for the scratch memory.
 *
 * <p>Not thread-safe; an instance belongs to one operation.
 */
public final class Buf {
    private static final byte[] EMPTY = new byte[0];

    private final DataType type;
    /** The elements as little-endian bytes; null while a typed array's elements are not converted (see {@link #bytes()}). */
    private byte[] bytes;
    private int offset;
    private final int count;
    private Runnable commit;
    /** The array came from (and {@link #release()} returns it to) this thread's {@link ScratchPool}. */
    private boolean pooled;
    /** The caller's array the elements live in ({@code byte[]} .. {@code double[]}), or null; see {@link #elements()}. */
    private final Object typed;
    /** Index of the first element in {@link #typed}. */
    private final int typedOffset;
    /** A typed receive buffer (its scratch bytes, once made, are decoded by {@link #commit()}). */
    private final boolean sink;
    /** Elements were written straight into {@link #typed}; a scratch made afterwards starts from them. */
    private boolean wroteTyped;

    private Buf(DataType type, byte[] bytes, int offset, int count, Runnable commit) {
        this(type, bytes, offset, count, commit, null, 0, false);
    }

    private Buf(DataType type, byte[] bytes, int offset, int count, Runnable commit, Object typed, int typedOffset, boolean sink) {
        this.type = type;
        this.bytes = bytes;
        this.offset = offset;
        this.count = count;
        this.commit = commit;
        this.typed = typed;
        this.typedOffset = typedOffset;
        this.sink = sink;
    }

    /**
     * The elements as little-endian bytes, converting a typed array's the first time: a source's
     * are encoded into a (pooled) scratch array, a sink gets a scratch array that
     * {@link #commit()} decodes into the caller's array.
     */
    private byte[] bytes() {
        byte[] b = bytes;
        return b != null ? b : materialize();
    }

    private byte[] materialize() {
        Buf s = scratch(type, count, false);
        bytes = s.bytes;
        offset = 0;
        pooled = s.pooled;
        if (!sink || wroteTyped) {
            TypedArrays.encode(type, typed, typedOffset, count, bytes, 0);
        }
        if (sink) {
            commit = () -> TypedArrays.decode(type, bytes, offset, typed, typedOffset, count);
        }
        return bytes;
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

    /**
     * A view of {@code len} elements of the caller's {@code byte[]} from {@code off}, to send: never
     * written.
     *
     * @param a the caller's array
     * @param off the first element
     * @param len the number of elements
     * @return the view
     */
    public static Buf source(byte[] a, int off, int len) {
        checkArray(a, a == null ? 0 : a.length, off, len);
        return new Buf(DataType.BYTE, a, off, len, null, a, off, false);
    }

    /**
     * A view of {@code len} elements of the caller's {@code int[]} from {@code off}, to send: never
     * written. A channel that needs bytes gets them converted, little-endian, when it asks.
     *
     * @param a the caller's array
     * @param off the first element
     * @param len the number of elements
     * @return the view
     */
    public static Buf source(int[] a, int off, int len) {
        checkArray(a, a == null ? 0 : a.length, off, len);
        return new Buf(DataType.INT, null, 0, len, null, a, off, false);
    }

    /**
     * A view of {@code len} elements of the caller's {@code long[]} from {@code off}, to send: never
     * written. A channel that needs bytes gets them converted, little-endian, when it asks.
     *
     * @param a the caller's array
     * @param off the first element
     * @param len the number of elements
     * @return the view
     */
    public static Buf source(long[] a, int off, int len) {
        checkArray(a, a == null ? 0 : a.length, off, len);
        return new Buf(DataType.LONG, null, 0, len, null, a, off, false);
    }

    /**
     * A view of {@code len} elements of the caller's {@code float[]} from {@code off}, to send: never
     * written. A channel that needs bytes gets them converted, little-endian, when it asks.
     *
     * @param a the caller's array
     * @param off the first element
     * @param len the number of elements
     * @return the view
     */
    public static Buf source(float[] a, int off, int len) {
        checkArray(a, a == null ? 0 : a.length, off, len);
        return new Buf(DataType.FLOAT, null, 0, len, null, a, off, false);
    }

    /**
     * A view of {@code len} elements of the caller's {@code double[]} from {@code off}, to send: never
     * written. A channel that needs bytes gets them converted, little-endian, when it asks.
     *
     * @param a the caller's array
     * @param off the first element
     * @param len the number of elements
     * @return the view
     */
    public static Buf source(double[] a, int off, int len) {
        checkArray(a, a == null ? 0 : a.length, off, len);
        return new Buf(DataType.DOUBLE, null, 0, len, null, a, off, false);
    }

    /** The bytes between position and limit; the buffer's position is not moved. */
    public static Buf source(ByteBuffer bb) {
        Objects.requireNonNull(bb, "buffer");
        if (bb.hasArray()) {
            int off = bb.arrayOffset() + bb.position();
            return new Buf(DataType.BYTE, bb.array(), off, bb.remaining(), null, bb.array(), off, false);
        }
        Buf b = allocate(DataType.BYTE, bb.remaining());
        bb.duplicate().get(b.bytes, 0, b.count);
        return b;
    }

    // ---- sinks: what the caller receives into

    /**
     * A view of {@code len} elements of the caller's {@code byte[]} from {@code off}, to receive
     * into.
     *
     * @param a the caller's array
     * @param off the first element
     * @param len the number of elements
     * @return the view
     */
    public static Buf sink(byte[] a, int off, int len) {
        checkArray(a, a == null ? 0 : a.length, off, len);
        return new Buf(DataType.BYTE, a, off, len, null, a, off, true);
    }

    /**
     * A view of {@code len} elements of the caller's {@code int[]} from {@code off}, to receive
     * into.
     *
     * @param a the caller's array
     * @param off the first element
     * @param len the number of elements
     * @return the view
     */
    public static Buf sink(int[] a, int off, int len) {
        checkArray(a, a == null ? 0 : a.length, off, len);
        return new Buf(DataType.INT, null, 0, len, null, a, off, true);
    }

    /**
     * A view of {@code len} elements of the caller's {@code long[]} from {@code off}, to receive
     * into.
     *
     * @param a the caller's array
     * @param off the first element
     * @param len the number of elements
     * @return the view
     */
    public static Buf sink(long[] a, int off, int len) {
        checkArray(a, a == null ? 0 : a.length, off, len);
        return new Buf(DataType.LONG, null, 0, len, null, a, off, true);
    }

    /**
     * A view of {@code len} elements of the caller's {@code float[]} from {@code off}, to receive
     * into.
     *
     * @param a the caller's array
     * @param off the first element
     * @param len the number of elements
     * @return the view
     */
    public static Buf sink(float[] a, int off, int len) {
        checkArray(a, a == null ? 0 : a.length, off, len);
        return new Buf(DataType.FLOAT, null, 0, len, null, a, off, true);
    }

    /**
     * A view of {@code len} elements of the caller's {@code double[]} from {@code off}, to receive
     * into.
     *
     * @param a the caller's array
     * @param off the first element
     * @param len the number of elements
     * @return the view
     */
    public static Buf sink(double[] a, int off, int len) {
        checkArray(a, a == null ? 0 : a.length, off, len);
        return new Buf(DataType.DOUBLE, null, 0, len, null, a, off, true);
    }

    /** Receives into position..limit; the buffer's position is not moved. */
    public static Buf sink(ByteBuffer bb) {
        Objects.requireNonNull(bb, "buffer");
        if (bb.isReadOnly()) {
            throw new IllegalArgumentException("receive buffer is read-only");
        }
        if (bb.hasArray()) {
            int off = bb.arrayOffset() + bb.position();
            return new Buf(DataType.BYTE, bb.array(), off, bb.remaining(), null, bb.array(), off, true);
        }
        Buf b = allocate(DataType.BYTE, bb.remaining());
        ByteBuffer target = bb.duplicate();
        return b.withCommit(() -> target.put(b.bytes, 0, b.count));
    }

    private Buf withCommit(Runnable c) {
        Buf b = new Buf(type, bytes(), offset, count, c);
        b.pooled = pooled;
        pooled = false;
        return b;
    }

    // ---- accessors

    /**
     * The element type.
     *
     * @return the type of the elements
     */
    public DataType type() {
        return type;
    }

    /** Backing array; the elements start at {@link #offset()}. Converts a typed array's elements the first time (see the class documentation). */
    public byte[] array() {
        return bytes();
    }

    /** Byte offset of the first element in {@link #array()}. */
    public int offset() {
        bytes();
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

    /**
     * The caller's array holding these elements ({@code byte[]}, {@code int[]}, {@code long[]},
     * {@code float[]} or {@code double[]}, of {@link #type()}), starting at {@link #elementsOffset()},
     * for algorithms that read a source's elements or write a sink's directly, without converting
     * them to bytes; null when this buffer has no such array or its elements were converted
     * already (use the bytes then). Whoever writes into a sink's elements calls
     * {@link #wroteElements()}.
     *
     * @return the caller's array, or null
     */
    public Object elements() {
        return typed != null && (bytes == null || bytes == typed) ? typed : null;
    }

    /** @return index of the first element in {@link #elements()} */
    public int elementsOffset() {
        return typedOffset;
    }

    /** Elements were written straight into {@link #elements()}: bytes made later start from them. */
    public void wroteElements() {
        wroteTyped = true;
    }

    /** Elements {@code [from, from + n)} of this buffer, sharing its memory (bytes: a typed array's elements are converted first). */
    public Buf slice(int from, int n) {
        if (from < 0 || n < 0 || from + n > count) {
            throw new IndexOutOfBoundsException("slice [" + from + ", " + (from + n) + ") of " + count + " elements");
        }
        byte[] b = bytes();
        int start = offset + from * type.sizeBytes();
        return type == DataType.BYTE && typed != null
                ? new Buf(type, b, start, n, null, typed, typedOffset + from, sink)
                : new Buf(type, b, start, n, null);
    }

    /**
     * These bytes as a buffer over the backing array from position {@link #offset()} to limit
     * {@code offset() + byteLength()}, for reading between position and limit: one object, where
     * {@link #asByteBuffer()} makes two. Byte order and indices are those of the whole array.
     */
    public ByteBuffer view() {
        return ByteBuffer.wrap(bytes(), offset, byteLength());
    }

    /** A little-endian view of exactly this buffer's bytes (position 0, limit {@link #byteLength()}). */
    public ByteBuffer asByteBuffer() {
        return ByteBuffer.wrap(bytes(), offset, byteLength()).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Copies all elements of {@code src} (same type and count) into this buffer: between typed
     * arrays, from or to bytes, whichever forms the two have, in one pass.
     */
    public void copyFrom(Buf src) {
        if (src.count != count || src.type != type) {
            throw new IllegalArgumentException("copy of " + src.count + " " + src.type.label() + " into " + count + " " + type.label());
        }
        Object to = elements();
        Object from = src.elements();
        if (to != null && from != null) {
            System.arraycopy(from, src.typedOffset, to, typedOffset, count);
            PassCounter.add(byteLength());
            wroteTyped = true;
        } else if (to != null) {
            TypedArrays.decode(type, src.bytes(), src.offset, to, typedOffset, count);
            wroteTyped = true;
        } else if (from != null) {
            TypedArrays.encode(type, from, src.typedOffset, count, bytes(), offset);
        } else {
            System.arraycopy(src.bytes(), src.offset, bytes(), offset, byteLength());
            PassCounter.add(byteLength());
        }
    }

    /** A fresh copy of these elements. */
    public Buf copy() {
        Buf b = allocate(type, count);
        b.copyFrom(this);
        return b;
    }

    /**
     * Combines {@code in} into {@code acc} element-wise with {@code op}: {@code acc = in ∘ acc} when
     * {@code inIsLeft}, else {@code acc = acc ∘ in}. Both have the same type and count. An
     * accumulator over the caller's typed array is updated in it, straight from {@code in}'s bytes.
     */
    public static void combine(ReduceOp op, Buf in, Buf acc, boolean inIsLeft) {
        if (in.count != acc.count || in.type != acc.type) {
            throw new IllegalArgumentException("combine " + in + " into " + acc);
        }
        byte[] x = in.bytes();
        Object a = acc.type == DataType.BYTE ? null : acc.elements();
        if (a != null) {
            op.combineInto(acc.type, acc.count, x, in.offset, a, acc.typedOffset, a, acc.typedOffset, inIsLeft);
            acc.wroteTyped = true;
        } else {
            op.combine(acc.type, acc.count, x, in.offset, acc.bytes(), acc.offset, inIsLeft);
        }
    }

    /** Publishes received bytes into the caller's buffer (a no-op when the caller's memory was written directly). */
    public void commit() {
        if (commit != null) {
            commit.run();
        }
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
