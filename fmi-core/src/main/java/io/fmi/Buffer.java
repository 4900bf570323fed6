package io.fmi;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A typed view of the caller's memory: a run of {@link #length()} elements of one
 * {@link DataType} in an array or a {@link ByteBuffer}. The operand of every operation of
 * {@link Communicator}.
 *
 * <pre>
 * double[] grid = new double[1024];
 * comm.bcast(Buffer.of(grid, 256, 512), 0);              // elements 256..767
 * comm.allreduce(Buffer.of(local), Buffer.of(global), ReduceOp.SUM);
 * comm.send(Buffer.of(byteBuffer), 1);                   // bytes between position and limit
 * </pre>
 *
 * <h2>Ownership</h2>
 * A {@code Buffer} copies nothing: it is a view, and the memory stays the caller's. An operation
 * reads a send buffer's elements and writes a receive buffer's elements in place; it never keeps a
 * reference after it completes. While a non-blocking operation is in flight the caller must not
 * write its send buffers nor read or write its receive buffers; once its future completes they
 * are the caller's again. A failed receive may leave the receive buffer partly written.
 *
 * <h2>Layout</h2>
 * Elements travel little-endian on every channel, so Java peers exchange the same bytes as the
 * C++ FMI's raw buffers. A {@code ByteBuffer} is viewed as bytes between its position and limit at
 * the time {@code of} is called; its position, limit and byte order are never changed.
 *
 * <h2>Thread-safety</h2>
 * Immutable; the view may be shared between threads, and the same send buffer may be passed to
 * several operations at once. The memory it views is not protected: concurrent writes to it by
 * the caller race with the operations reading or writing it.
 */
public final class Buffer {
    private final DataType type;
    private final Object array;
    private final ByteBuffer byteBuffer;
    private final int offset;
    private final int length;

    private Buffer(DataType type, Object array, ByteBuffer byteBuffer, int offset, int length) {
        this.type = type;
        this.array = array;
        this.byteBuffer = byteBuffer;
        this.offset = offset;
        this.length = length;
    }

    /**
     * A view of all of {@code a}.
     *
     * @param a the caller's array; not copied
     * @return a view of {@code a.length} {@code byte} elements
     */
    public static Buffer of(byte[] a) {
        return of(a, 0, Objects.requireNonNull(a, "array").length);
    }

    /**
     * A view of elements {@code a[offset, offset + length)}.
     *
     * @param a      the caller's array; not copied
     * @param offset index of the first element
     * @param length number of elements
     * @return a view of {@code length} {@code byte} elements
     * @throws IndexOutOfBoundsException if the range is not within {@code a}
     */
    public static Buffer of(byte[] a, int offset, int length) {
        return new Buffer(DataType.BYTE, a, null, check(a == null ? -1 : a.length, offset, length), length);
    }

    /**
     * A view of all of {@code a}.
     *
     * @param a the caller's array; not copied
     * @return a view of {@code a.length} {@code int} elements
     */
    public static Buffer of(int[] a) {
        return of(a, 0, Objects.requireNonNull(a, "array").length);
    }

    /**
     * A view of elements {@code a[offset, offset + length)}.
     *
     * @param a      the caller's array; not copied
     * @param offset index of the first element
     * @param length number of elements
     * @return a view of {@code length} {@code int} elements
     * @throws IndexOutOfBoundsException if the range is not within {@code a}
     */
    public static Buffer of(int[] a, int offset, int length) {
        return new Buffer(DataType.INT, a, null, check(a == null ? -1 : a.length, offset, length), length);
    }

    /**
     * A view of all of {@code a}.
     *
     * @param a the caller's array; not copied
     * @return a view of {@code a.length} {@code long} elements
     */
    public static Buffer of(long[] a) {
        return of(a, 0, Objects.requireNonNull(a, "array").length);
    }

    /**
     * A view of elements {@code a[offset, offset + length)}.
     *
     * @param a      the caller's array; not copied
     * @param offset index of the first element
     * @param length number of elements
     * @return a view of {@code length} {@code long} elements
     * @throws IndexOutOfBoundsException if the range is not within {@code a}
     */
    public static Buffer of(long[] a, int offset, int length) {
        return new Buffer(DataType.LONG, a, null, check(a == null ? -1 : a.length, offset, length), length);
    }

    /**
     * A view of all of {@code a}.
     *
     * @param a the caller's array; not copied
     * @return a view of {@code a.length} {@code float} elements
     */
    public static Buffer of(float[] a) {
        return of(a, 0, Objects.requireNonNull(a, "array").length);
    }

    /**
     * A view of elements {@code a[offset, offset + length)}.
     *
     * @param a      the caller's array; not copied
     * @param offset index of the first element
     * @param length number of elements
     * @return a view of {@code length} {@code float} elements
     * @throws IndexOutOfBoundsException if the range is not within {@code a}
     */
    public static Buffer of(float[] a, int offset, int length) {
        return new Buffer(DataType.FLOAT, a, null, check(a == null ? -1 : a.length, offset, length), length);
    }

    /**
     * A view of all of {@code a}.
     *
     * @param a the caller's array; not copied
     * @return a view of {@code a.length} {@code double} elements
     */
    public static Buffer of(double[] a) {
        return of(a, 0, Objects.requireNonNull(a, "array").length);
    }

    /**
     * A view of elements {@code a[offset, offset + length)}.
     *
     * @param a      the caller's array; not copied
     * @param offset index of the first element
     * @param length number of elements
     * @return a view of {@code length} {@code double} elements
     * @throws IndexOutOfBoundsException if the range is not within {@code a}
     */
    public static Buffer of(double[] a, int offset, int length) {
        return new Buffer(DataType.DOUBLE, a, null, check(a == null ? -1 : a.length, offset, length), length);
    }

    /**
     * A view of the bytes of {@code b} between its position and limit now; heap or direct,
     * read-only ones as send buffers only. Neither position, limit nor byte order of {@code b} is
     * ever changed.
     *
     * @param b the caller's buffer; not copied
     * @return a view of {@code b.remaining()} bytes
     */
    public static Buffer of(ByteBuffer b) {
        Objects.requireNonNull(b, "buffer");
        return new Buffer(DataType.BYTE, null, b.duplicate(), b.position(), b.remaining());
    }

    private static int check(int arrayLength, int offset, int length) {
        if (arrayLength < 0) {
            throw new NullPointerException("array");
        }
        if (offset < 0 || length < 0 || (long) offset + length > arrayLength) {
            throw new IndexOutOfBoundsException("offset " + offset + ", length " + length
                    + " (expected: 0 <= offset, 0 <= length, offset + length <= array length " + arrayLength + ")");
        }
        return offset;
    }

    /**
     * The element type.
     *
     * @return the type of every element
     */
    public DataType type() {
        return type;
    }

    /**
     * Number of elements.
     *
     * @return the length of the view in elements
     */
    public int length() {
        return length;
    }

    /**
     * Number of bytes on the wire.
     *
     * @return {@code length() * type().sizeBytes()}
     */
    public long byteLength() {
        return (long) length * type.sizeBytes();
    }

    /**
     * Where the view starts.
     *
     * @return index of the first element in {@link #array()}, or position of the first byte in {@link #byteBuffer()}
     */
    public int offset() {
        return offset;
    }

    /**
     * The array viewed ({@code byte[]}, {@code int[]}, {@code long[]}, {@code float[]} or
     * {@code double[]}), or null for a view of a {@link ByteBuffer}.
     *
     * @return the caller's own array, not a copy; or null
     */
    public Object array() {
        return array;
    }

    /**
     * For a view made by {@link #of(ByteBuffer)}: a duplicate of the caller's buffer (same memory,
     * independent position), whose bytes {@code [offset(), offset() + length())} are the view;
     * null for arrays.
     *
     * @return a duplicate of the caller's {@code ByteBuffer}, or null
     */
    public ByteBuffer byteBuffer() {
        return byteBuffer == null ? null : byteBuffer.duplicate();
    }

    /**
     * Whether this views a read-only {@link ByteBuffer}, which cannot receive.
     *
     * @return true for a read-only {@code ByteBuffer}
     */
    public boolean isReadOnly() {
        return byteBuffer != null && byteBuffer.isReadOnly();
    }

    /**
     * Elements {@code [from, from + n)} of this view, as a view of the same memory.
     *
     * @param from index of the first element, relative to this view
     * @param n    number of elements
     * @return the narrower view
     * @throws IndexOutOfBoundsException if the range is not within this view
     */
    public Buffer slice(int from, int n) {
        if (from < 0 || n < 0 || (long) from + n > length) {
            throw new IndexOutOfBoundsException("slice [" + from + ", " + ((long) from + n) + ") of " + length + " elements");
        }
        return new Buffer(type, array, byteBuffer, offset + from, n);
    }

    /** {@code "12 ints (48 B)"}. */
    @Override
    public String toString() {
        return length + " " + type.label() + (length == 1 ? "" : "s") + " (" + byteLength() + " B)";
    }
}
