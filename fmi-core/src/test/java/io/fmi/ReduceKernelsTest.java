package io.fmi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fmi.channel.TypedArrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleBinaryOperator;
import java.util.function.LongBinaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every loop of the generated kernels against the operators' definitions, element by element:
 * each type, each operator it supports and a non-commutative custom one, both operand orders,
 * on bytes in place ({@link ReduceOp#combine}) and into typed arrays ({@link ReduceOp#combineInto}),
 * with edge values (extremes, zeros of both signs, NaN) and offsets inside larger arrays.
 */
@Timeout(60)
class ReduceKernelsTest {
    private static final int N = 37;

    private static List<ReduceOp> ops(DataType t) {
        List<ReduceOp> ops = new ArrayList<>(List.of(ReduceOp.SUM, ReduceOp.PROD, ReduceOp.MIN, ReduceOp.MAX));
        if (t == DataType.BYTE || t == DataType.INT || t == DataType.LONG) {
            ops.addAll(List.of(ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR));
        }
        if (t == DataType.INT) {
            ops.add(ReduceOp.ofInt("left-minus-twice", (a, b) -> a - 2 * b, false, false));
        } else if (t == DataType.LONG) {
            ops.add(ReduceOp.ofLong("left-minus-twice", (a, b) -> a - 2 * b, false, false));
        } else if (t != DataType.BYTE) {
            ops.add(ReduceOp.ofDouble("left-minus-twice", (a, b) -> a - 2 * b, false, false));
        }
        return ops;
    }

    /** The element-wise definition, on values widened to long (integers) or double (floating point). */
    private static long integral(ReduceOp op, long a, long b, LongBinaryOperator custom) {
        switch (op.name()) {
            case "sum": return a + b;
            case "prod": return a * b;
            case "min": return Math.min(a, b);
            case "max": return Math.max(a, b);
            case "band": return a & b;
            case "bor": return a | b;
            case "bxor": return a ^ b;
            default: return custom.applyAsLong(a, b);
        }
    }

    private static double floating(ReduceOp op, double a, double b, DoubleBinaryOperator custom) {
        switch (op.name()) {
            case "sum": return a + b;
            case "prod": return a * b;
            case "min": return Math.min(a, b);
            case "max": return Math.max(a, b);
            default: return custom.applyAsDouble(a, b);
        }
    }

    private static Object values(DataType t, Random r) {
        switch (t) {
            case BYTE: {
                byte[] a = new byte[N];
                r.nextBytes(a);
                a[0] = Byte.MIN_VALUE;
                a[1] = Byte.MAX_VALUE;
                return a;
            }
            case INT: {
                int[] a = r.ints(N).toArray();
                a[0] = Integer.MIN_VALUE;
                a[1] = Integer.MAX_VALUE;
                a[2] = 0;
                return a;
            }
            case LONG: {
                long[] a = r.longs(N).toArray();
                a[0] = Long.MIN_VALUE;
                a[1] = Long.MAX_VALUE;
                return a;
            }
            case FLOAT: {
                float[] a = new float[N];
                for (int i = 0; i < N; i++) {
                    a[i] = (float) r.nextGaussian() * 1e3f;
                }
                a[0] = -0.0f;
                a[1] = Float.NaN;
                a[2] = Float.MAX_VALUE;
                a[3] = 0.0f;
                return a;
            }
            default: {
                double[] a = r.doubles(N).map(x -> (x - 0.5) * 1e6).toArray();
                a[0] = -0.0;
                a[1] = Double.NaN;
                a[2] = Double.MAX_VALUE;
                a[3] = 0.0;
                return a;
            }
        }
    }

    private static Object copyOf(Object a) {
        if (a instanceof byte[]) {
            return ((byte[]) a).clone();
        } else if (a instanceof int[]) {
            return ((int[]) a).clone();
        } else if (a instanceof long[]) {
            return ((long[]) a).clone();
        } else if (a instanceof float[]) {
            return ((float[]) a).clone();
        }
        return ((double[]) a).clone();
    }

    /** {@code x ∘ y} (inIsLeft) or {@code y ∘ x}, element by element, by the definition. */
    private static Object expected(DataType t, ReduceOp op, Object x, Object y, boolean inIsLeft) {
        Object out = copyOf(y);
        LongBinaryOperator li = (a, b) -> a - 2 * b;
        for (int i = 0; i < N; i++) {
            switch (t) {
                case BYTE: {
                    long a = ((byte[]) x)[i];
                    long b = ((byte[]) y)[i];
                    ((byte[]) out)[i] = (byte) (inIsLeft ? integral(op, a, b, li) : integral(op, b, a, li));
                    break;
                }
                case INT: {
                    int a = ((int[]) x)[i];
                    int b = ((int[]) y)[i];
                    ((int[]) out)[i] = op.name().startsWith("left") ? (inIsLeft ? a - 2 * b : b - 2 * a)
                            : (int) integral(op, a, b, li);
                    break;
                }
                case LONG: {
                    long a = ((long[]) x)[i];
                    long b = ((long[]) y)[i];
                    ((long[]) out)[i] = inIsLeft ? integral(op, a, b, li) : integral(op, b, a, li);
                    break;
                }
                case FLOAT: {
                    float a = ((float[]) x)[i];
                    float b = ((float[]) y)[i];
                    float r;
                    switch (op.name()) {
                        case "sum": r = inIsLeft ? a + b : b + a; break;
                        case "prod": r = inIsLeft ? a * b : b * a; break;
                        case "min": r = inIsLeft ? Math.min(a, b) : Math.min(b, a); break;
                        case "max": r = inIsLeft ? Math.max(a, b) : Math.max(b, a); break;
                        default: r = (float) (inIsLeft ? (double) a - 2 * (double) b : (double) b - 2 * (double) a);
                    }
                    ((float[]) out)[i] = r;
                    break;
                }
                default: {
                    double a = ((double[]) x)[i];
                    double b = ((double[]) y)[i];
                    ((double[]) out)[i] = inIsLeft ? floating(op, a, b, (p, q) -> p - 2 * q) : floating(op, b, a, (p, q) -> p - 2 * q);
                }
            }
        }
        return out;
    }

    private static void assertSame(DataType t, Object want, Object got, String what) {
        switch (t) {
            case BYTE: assertArrayEquals((byte[]) want, (byte[]) got, what); break;
            case INT: assertArrayEquals((int[]) want, (int[]) got, what); break;
            case LONG: assertArrayEquals((long[]) want, (long[]) got, what); break;
            case FLOAT: assertArrayEquals((float[]) want, (float[]) got, what); break;
            default: assertArrayEquals((double[]) want, (double[]) got, what);
        }
    }

    @Test
    void shouldMatchEachOperatorsDefinitionForEveryTypeLayoutAndOrder() {
        Random r = new Random(42);
        int checked = 0;
        for (DataType t : DataType.values()) {
            for (ReduceOp op : ops(t)) {
                for (boolean inIsLeft : new boolean[] {true, false}) {
                    Object x = values(t, r);
                    Object y = values(t, r);
                    Object want = expected(t, op, x, y, inIsLeft);
                    String what = t + " " + op + (inIsLeft ? " in ∘ acc" : " acc ∘ in");
                    int size = t.sizeBytes();
                    // bytes in place, at offsets inside larger arrays
                    byte[] xb = new byte[3 + N * size];
                    byte[] yb = new byte[5 + N * size];
                    TypedArrays.encode(t, x, 0, N, xb, 3);
                    TypedArrays.encode(t, y, 0, N, yb, 5);
                    op.combine(t, N, xb, 3, yb, 5, inIsLeft);
                    Object got = copyOf(y);
                    TypedArrays.decode(t, yb, 5, got, 0, N);
                    assertSame(t, want, got, what + ", bytes");
                    // into typed arrays: a separate destination, then in place
                    Object d = copyOf(values(t, r));
                    op.combineInto(t, N, xb, 3, y, 0, d, 0, inIsLeft);
                    assertSame(t, want, d, what + ", typed into another array");
                    Object acc = copyOf(y);
                    op.combineInto(t, N, xb, 3, acc, 0, acc, 0, inIsLeft);
                    assertSame(t, want, acc, what + ", typed in place");
                    checked++;
                }
            }
        }
        assertEquals(2 * (8 + 8 + 8 + 5 + 5) - 2, checked, "every (type, operator, order)");
    }

    @Test
    void shouldRefuseAnOperatorThatDoesNotApplyNamingBoth() {
        FmiException e = assertThrows(FmiException.class,
                () -> ReduceOp.BXOR.combineInto(DataType.DOUBLE, 1, new byte[8], 0, new double[1], 0, new double[1], 0, true));
        assertEquals("reduce op 'bxor' does not apply to double elements", e.getMessage());
        ReduceOp ints = ReduceOp.ofInt((a, b) -> a, false, true);
        assertThrows(FmiException.class, () -> ints.combine(DataType.LONG, 1, new byte[8], 0, new byte[8], 0, true));
    }
}
