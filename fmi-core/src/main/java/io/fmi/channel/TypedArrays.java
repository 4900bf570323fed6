package io.fmi.channel;

import io.fmi.DataType;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Converts between the caller's typed arrays and the little-endian bytes elements travel as, one
 * pass each way, through byte-array views ({@link MethodHandles#byteArrayViewVarHandle}), which
 * the JIT turns into plain loads and stores on little-endian machines. For algorithms that move a
 * typed array's elements in segments (see {@link Buf#elements()}). Stateless.
 */
public final class TypedArrays {
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle F32 = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle F64 = MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);

    private TypedArrays() {
    }

    /**
     * Writes elements {@code [from, from + n)} of {@code array} as little-endian bytes into
     * {@code dst} at {@code dstOffset}.
     *
     * @param type      the element type
     * @param array     a {@code byte[]}, {@code int[]}, {@code long[]}, {@code float[]} or {@code double[]} of {@code type}
     * @param from      index of the first element
     * @param n         number of elements
     * @param dst       receives {@code n * type.sizeBytes()} bytes
     * @param dstOffset where the first goes
     */
    public static void encode(DataType type, Object array, int from, int n, byte[] dst, int dstOffset) {
        PassCounter.add((long) n * type.sizeBytes());
        switch (type) {
            case BYTE:
                System.arraycopy(array, from, dst, dstOffset, n);
                break;
            case INT: {
                int[] a = (int[]) array;
                for (int i = 0; i < n; i++) {
                    I32.set(dst, dstOffset + 4 * i, a[from + i]);
                }
                break;
            }
            case LONG: {
                long[] a = (long[]) array;
                for (int i = 0; i < n; i++) {
                    I64.set(dst, dstOffset + 8 * i, a[from + i]);
                }
                break;
            }
            case FLOAT: {
                float[] a = (float[]) array;
                for (int i = 0; i < n; i++) {
                    F32.set(dst, dstOffset + 4 * i, a[from + i]);
                }
                break;
            }
            case DOUBLE: {
                double[] a = (double[]) array;
                for (int i = 0; i < n; i++) {
                    F64.set(dst, dstOffset + 8 * i, a[from + i]);
                }
                break;
            }
            default:
                throw new AssertionError(type);
        }
    }

    /**
     * Reads {@code n} little-endian elements from {@code src} at {@code srcOffset} into elements
     * {@code [to, to + n)} of {@code array}.
     *
     * @param type      the element type
     * @param src       the bytes
     * @param srcOffset offset of the first byte
     * @param array     a {@code byte[]} .. {@code double[]} of {@code type}
     * @param to        index of the first element written
     * @param n         number of elements
     */
    public static void decode(DataType type, byte[] src, int srcOffset, Object array, int to, int n) {
        PassCounter.add((long) n * type.sizeBytes());
        switch (type) {
            case BYTE:
                System.arraycopy(src, srcOffset, array, to, n);
                break;
            case INT: {
                int[] a = (int[]) array;
                for (int i = 0; i < n; i++) {
                    a[to + i] = (int) I32.get(src, srcOffset + 4 * i);
                }
                break;
            }
            case LONG: {
                long[] a = (long[]) array;
                for (int i = 0; i < n; i++) {
                    a[to + i] = (long) I64.get(src, srcOffset + 8 * i);
                }
                break;
            }
            case FLOAT: {
                float[] a = (float[]) array;
                for (int i = 0; i < n; i++) {
                    a[to + i] = (float) F32.get(src, srcOffset + 4 * i);
                }
                break;
            }
            case DOUBLE: {
                double[] a = (double[]) array;
                for (int i = 0; i < n; i++) {
                    a[to + i] = (double) F64.get(src, srcOffset + 8 * i);
                }
                break;
            }
            default:
                throw new AssertionError(type);
        }
    }
}
