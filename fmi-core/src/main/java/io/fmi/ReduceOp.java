package io.fmi;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.function.DoubleBinaryOperator;
import java.util.function.IntBinaryOperator;
import java.util.function.LongBinaryOperator;

/**
 * An element-wise reduction operator for {@code reduce}, {@code allreduce} and {@code scan}.
 *
 * <p>The predefined operators ({@link #SUM}, {@link #PROD}, {@link #MIN}, {@link #MAX} on every
 * type; {@link #BAND}, {@link #BOR}, {@link #BXOR} on {@code byte}, {@code int} and {@code long})
 * are commutative and associative. Custom operators declare both properties:
 *
 * <pre>
 *   ReduceOp firstNonZero = ReduceOp.ofInt((a, b) -&gt; a != 0 ? a : b, false, true);
 *   comm.allreduce(send, recv, firstNonZero);
 * </pre>
 *
 * <p>Whatever the algorithm and the root, the result is {@code x0 ∘ x1 ∘ ... ∘ x(n-1)} with the
 * operands in rank order; a non-associative operator is folded strictly left to right,
 * {@code ((x0 ∘ x1) ∘ x2) ∘ ...}. Commutativity only lets an algorithm choose a cheaper shape.
 * An {@code ofInt} operator applies to {@code int} buffers only, {@code ofLong} to {@code long},
 * {@code ofDouble} to {@code float} and {@code double}.
 *
 * <p>Instances are immutable and thread-safe; custom operator functions must be too.
 */
public final class ReduceOp {
    private enum Kind { SUM, PROD, MIN, MAX, BAND, BOR, BXOR, CUSTOM }

    public static final ReduceOp SUM = new ReduceOp("sum", Kind.SUM);
    public static final ReduceOp PROD = new ReduceOp("prod", Kind.PROD);
    public static final ReduceOp MIN = new ReduceOp("min", Kind.MIN);
    public static final ReduceOp MAX = new ReduceOp("max", Kind.MAX);
    public static final ReduceOp BAND = new ReduceOp("band", Kind.BAND);
    public static final ReduceOp BOR = new ReduceOp("bor", Kind.BOR);
    public static final ReduceOp BXOR = new ReduceOp("bxor", Kind.BXOR);

    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle F32 = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle F64 = MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);

    private final String name;
    private final Kind kind;
    private final boolean commutative;
    private final boolean associative;
    private final IntBinaryOperator intOp;
    private final LongBinaryOperator longOp;
    private final DoubleBinaryOperator doubleOp;

    private ReduceOp(String name, Kind kind) {
        this(name, kind, true, true, null, null, null);
    }

    private ReduceOp(String name, Kind kind, boolean commutative, boolean associative,
                     IntBinaryOperator intOp, LongBinaryOperator longOp, DoubleBinaryOperator doubleOp) {
        this.name = name;
        this.kind = kind;
        this.commutative = commutative;
        this.associative = associative;
        this.intOp = intOp;
        this.longOp = longOp;
        this.doubleOp = doubleOp;
    }

    /** A custom operator on {@code int} elements. */
    public static ReduceOp ofInt(IntBinaryOperator op, boolean commutative, boolean associative) {
        return ofInt("custom-int", op, commutative, associative);
    }

    /** A named custom operator on {@code int} elements; the name appears in error messages. */
    public static ReduceOp ofInt(String name, IntBinaryOperator op, boolean commutative, boolean associative) {
        return new ReduceOp(name, Kind.CUSTOM, commutative, associative, Objects.requireNonNull(op, "op"), null, null);
    }

    /** A custom operator on {@code long} elements. */
    public static ReduceOp ofLong(LongBinaryOperator op, boolean commutative, boolean associative) {
        return ofLong("custom-long", op, commutative, associative);
    }

    /** A named custom operator on {@code long} elements. */
    public static ReduceOp ofLong(String name, LongBinaryOperator op, boolean commutative, boolean associative) {
        return new ReduceOp(name, Kind.CUSTOM, commutative, associative, null, Objects.requireNonNull(op, "op"), null);
    }

    /** A custom operator on {@code double} (and {@code float}) elements. */
    public static ReduceOp ofDouble(DoubleBinaryOperator op, boolean commutative, boolean associative) {
        return ofDouble("custom-double", op, commutative, associative);
    }

    /** A named custom operator on {@code double} (and {@code float}) elements. */
    public static ReduceOp ofDouble(String name, DoubleBinaryOperator op, boolean commutative, boolean associative) {
        return new ReduceOp(name, Kind.CUSTOM, commutative, associative, null, null, Objects.requireNonNull(op, "op"));
    }

    public String name() {
        return name;
    }

    public boolean isCommutative() {
        return commutative;
    }

    public boolean isAssociative() {
        return associative;
    }

    /** Whether this operator can reduce elements of {@code type}. */
    public boolean supports(DataType type) {
        switch (kind) {
            case SUM: case PROD: case MIN: case MAX:
                return true;
            case BAND: case BOR: case BXOR:
                return type == DataType.BYTE || type == DataType.INT || type == DataType.LONG;
            default:
                return (intOp != null && type == DataType.INT)
                        || (longOp != null && type == DataType.LONG)
                        || (doubleOp != null && (type == DataType.DOUBLE || type == DataType.FLOAT));
        }
    }

    /**
     * Throws a clear {@link FmiException} when this operator cannot reduce {@code type}.
     *
     * @param operation the operation name for the message, e.g. {@code "allreduce"}
     */
    public void checkSupports(DataType type, String operation) {
        if (!supports(type)) {
            throw new FmiException(operation + ": reduce op '" + name + "' does not apply to " + type.label() + " elements");
        }
    }

    /**
     * Combines {@code n} little-endian elements of {@code type} at {@code x[xo...]} into those at
     * {@code y[yo...]}: {@code y[i] = x[i] ∘ y[i]} when {@code inIsLeft}, else
     * {@code y[i] = y[i] ∘ x[i]}. For collective algorithms and channels, which hold operands as
     * bytes in the wire layout (see {@link DataType}).
     *
     * @param type     the element type; must be {@linkplain #supports(DataType) supported}
     * @param n        number of elements
     * @param x        the incoming operand's bytes
     * @param xo       offset of its first byte
     * @param y        the accumulator's bytes, overwritten with the result
     * @param yo       offset of its first byte
     * @param inIsLeft whether the incoming operand is the left one (comes from lower ranks)
     */
    public void combine(DataType type, int n, byte[] x, int xo, byte[] y, int yo, boolean inIsLeft) {
        switch (type) {
            case BYTE: combineBytes(x, xo, y, yo, n, inIsLeft); break;
            case INT: combineInts(x, xo, y, yo, n, inIsLeft); break;
            case LONG: combineLongs(x, xo, y, yo, n, inIsLeft); break;
            case FLOAT: combineFloats(x, xo, y, yo, n, inIsLeft); break;
            case DOUBLE: combineDoubles(x, xo, y, yo, n, inIsLeft); break;
            default: throw new AssertionError(type);
        }
    }

    private void combineBytes(byte[] x, int xo, byte[] y, int yo, int n, boolean inIsLeft) {
        for (int i = 0; i < n; i++) {
            int a = inIsLeft ? x[xo + i] : y[yo + i];
            int b = inIsLeft ? y[yo + i] : x[xo + i];
            int r;
            switch (kind) {
                case SUM: r = a + b; break;
                case PROD: r = a * b; break;
                case MIN: r = Math.min(a, b); break;
                case MAX: r = Math.max(a, b); break;
                case BAND: r = a & b; break;
                case BOR: r = a | b; break;
                case BXOR: r = a ^ b; break;
                default: throw unsupported(DataType.BYTE);
            }
            y[yo + i] = (byte) r;
        }
    }

    private void combineInts(byte[] x, int xo, byte[] y, int yo, int n, boolean inIsLeft) {
        if (kind == Kind.CUSTOM && intOp == null) {
            throw unsupported(DataType.INT);
        }
        for (int i = 0, p = 0; i < n; i++, p += 4) {
            int u = (int) I32.get(x, xo + p);
            int v = (int) I32.get(y, yo + p);
            int a = inIsLeft ? u : v;
            int b = inIsLeft ? v : u;
            int r;
            switch (kind) {
                case SUM: r = a + b; break;
                case PROD: r = a * b; break;
                case MIN: r = Math.min(a, b); break;
                case MAX: r = Math.max(a, b); break;
                case BAND: r = a & b; break;
                case BOR: r = a | b; break;
                case BXOR: r = a ^ b; break;
                default: r = intOp.applyAsInt(a, b);
            }
            I32.set(y, yo + p, r);
        }
    }

    private void combineLongs(byte[] x, int xo, byte[] y, int yo, int n, boolean inIsLeft) {
        if (kind == Kind.CUSTOM && longOp == null) {
            throw unsupported(DataType.LONG);
        }
        for (int i = 0, p = 0; i < n; i++, p += 8) {
            long u = (long) I64.get(x, xo + p);
            long v = (long) I64.get(y, yo + p);
            long a = inIsLeft ? u : v;
            long b = inIsLeft ? v : u;
            long r;
            switch (kind) {
                case SUM: r = a + b; break;
                case PROD: r = a * b; break;
                case MIN: r = Math.min(a, b); break;
                case MAX: r = Math.max(a, b); break;
                case BAND: r = a & b; break;
                case BOR: r = a | b; break;
                case BXOR: r = a ^ b; break;
                default: r = longOp.applyAsLong(a, b);
            }
            I64.set(y, yo + p, r);
        }
    }

    private void combineFloats(byte[] x, int xo, byte[] y, int yo, int n, boolean inIsLeft) {
        if (kind == Kind.CUSTOM && doubleOp == null || kind == Kind.BAND || kind == Kind.BOR || kind == Kind.BXOR) {
            throw unsupported(DataType.FLOAT);
        }
        for (int i = 0, p = 0; i < n; i++, p += 4) {
            float u = (float) F32.get(x, xo + p);
            float v = (float) F32.get(y, yo + p);
            float a = inIsLeft ? u : v;
            float b = inIsLeft ? v : u;
            float r;
            switch (kind) {
                case SUM: r = a + b; break;
                case PROD: r = a * b; break;
                case MIN: r = Math.min(a, b); break;
                case MAX: r = Math.max(a, b); break;
                default: r = (float) doubleOp.applyAsDouble(a, b);
            }
            F32.set(y, yo + p, r);
        }
    }

    private void combineDoubles(byte[] x, int xo, byte[] y, int yo, int n, boolean inIsLeft) {
        if (kind == Kind.CUSTOM && doubleOp == null || kind == Kind.BAND || kind == Kind.BOR || kind == Kind.BXOR) {
            throw unsupported(DataType.DOUBLE);
        }
        for (int i = 0, p = 0; i < n; i++, p += 8) {
            double u = (double) F64.get(x, xo + p);
            double v = (double) F64.get(y, yo + p);
            double a = inIsLeft ? u : v;
            double b = inIsLeft ? v : u;
            double r;
            switch (kind) {
                case SUM: r = a + b; break;
                case PROD: r = a * b; break;
                case MIN: r = Math.min(a, b); break;
                case MAX: r = Math.max(a, b); break;
                default: r = doubleOp.applyAsDouble(a, b);
            }
            F64.set(y, yo + p, r);
        }
    }

    private FmiException unsupported(DataType type) {
        return new FmiException("reduce op '" + name + "' does not apply to " + type.label() + " elements");
    }

    @Override
    public String toString() {
        return name + (commutative ? "" : " (non-commutative)") + (associative ? "" : " (non-associative)");
    }
}
