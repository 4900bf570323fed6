package io.fmi;

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
    /** The kernels of {@link ReduceKernels} switch on the ordinal: keep the order in step with its constants. */
    private enum Kind { SUM, PROD, MIN, MAX, BAND, BOR, BXOR, CUSTOM }

    /** Sum, for every element type; integers wrap around as Java's {@code +} does. */
    public static final ReduceOp SUM = new ReduceOp("sum", Kind.SUM);
    /** Product, for every element type; integers wrap around as Java's {@code *} does. */
    public static final ReduceOp PROD = new ReduceOp("prod", Kind.PROD);
    /** Minimum, for every element type. */
    public static final ReduceOp MIN = new ReduceOp("min", Kind.MIN);
    /** Maximum, for every element type. */
    public static final ReduceOp MAX = new ReduceOp("max", Kind.MAX);
    /** Bitwise and, for byte, int and long elements. */
    public static final ReduceOp BAND = new ReduceOp("band", Kind.BAND);
    /** Bitwise or, for byte, int and long elements. */
    public static final ReduceOp BOR = new ReduceOp("bor", Kind.BOR);
    /** Bitwise exclusive or, for byte, int and long elements. */
    public static final ReduceOp BXOR = new ReduceOp("bxor", Kind.BXOR);

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

    /**
     * A custom operator on {@code int} elements.
     *
     * @param op the function, pure and thread-safe
     * @param commutative whether {@code op(a, b) == op(b, a)}
     * @param associative whether {@code op} may be grouped freely
     * @return the operator
     */
    public static ReduceOp ofInt(IntBinaryOperator op, boolean commutative, boolean associative) {
        return ofInt("custom-int", op, commutative, associative);
    }

    /**
     * A named custom operator on {@code int} elements; the name appears in error messages.
     *
     * @param name the name error messages show
     * @param op the function, pure and thread-safe
     * @param commutative whether {@code op(a, b) == op(b, a)}
     * @param associative whether {@code op} may be grouped freely
     * @return the operator
     */
    public static ReduceOp ofInt(String name, IntBinaryOperator op, boolean commutative, boolean associative) {
        return new ReduceOp(name, Kind.CUSTOM, commutative, associative, Objects.requireNonNull(op, "op"), null, null);
    }

    /**
     * A custom operator on {@code long} elements.
     *
     * @param op the function, pure and thread-safe
     * @param commutative whether {@code op(a, b) == op(b, a)}
     * @param associative whether {@code op} may be grouped freely
     * @return the operator
     */
    public static ReduceOp ofLong(LongBinaryOperator op, boolean commutative, boolean associative) {
        return ofLong("custom-long", op, commutative, associative);
    }

    /**
     * A named custom operator on {@code long} elements.
     *
     * @param name the name error messages show
     * @param op the function, pure and thread-safe
     * @param commutative whether {@code op(a, b) == op(b, a)}
     * @param associative whether {@code op} may be grouped freely
     * @return the operator
     */
    public static ReduceOp ofLong(String name, LongBinaryOperator op, boolean commutative, boolean associative) {
        return new ReduceOp(name, Kind.CUSTOM, commutative, associative, null, Objects.requireNonNull(op, "op"), null);
    }

    /**
     * A custom operator on {@code double} (and {@code float}) elements.
     *
     * @param op the function, pure and thread-safe
     * @param commutative whether {@code op(a, b) == op(b, a)}
     * @param associative whether {@code op} may be grouped freely
     * @return the operator
     */
    public static ReduceOp ofDouble(DoubleBinaryOperator op, boolean commutative, boolean associative) {
        return ofDouble("custom-double", op, commutative, associative);
    }

    /**
     * A named custom operator on {@code double} (and {@code float}) elements.
     *
     * @param name the name error messages show
     * @param op the function, pure and thread-safe
     * @param commutative whether {@code op(a, b) == op(b, a)}
     * @param associative whether {@code op} may be grouped freely
     * @return the operator
     */
    public static ReduceOp ofDouble(String name, DoubleBinaryOperator op, boolean commutative, boolean associative) {
        return new ReduceOp(name, Kind.CUSTOM, commutative, associative, null, null, Objects.requireNonNull(op, "op"));
    }

    /**
     * The operator's name, as error messages show it.
     *
     * @return e.g. {@code "sum"}
     */
    public String name() {
        return name;
    }

    /**
     * Whether {@code a ∘ b == b ∘ a}; a non-commutative operator is applied in rank order.
     *
     * @return true when the order of operands does not matter
     */
    public boolean isCommutative() {
        return commutative;
    }

    /**
     * Whether {@code (a ∘ b) ∘ c == a ∘ (b ∘ c)}; a non-associative one is folded left in rank order.
     *
     * @return true when operands may be grouped freely
     */
    public boolean isAssociative() {
        return associative;
    }

    /**
     * Whether this operator can reduce elements of {@code type}.
     *
     * @param type the element type
     * @return true when it applies
     */
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
     * @param type the element type
     * @param operation the operation name for the message, e.g. {@code "allreduce"}
     * @throws FmiException when the operator does not apply to {@code type}
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
     * bytes in the wire layout (see {@link DataType}). The operator is chosen once per call, not
     * per element: each (type, operator) pair has a loop of its own.
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
        checkKernel(type);
        io.fmi.channel.PassCounter.add((long) n * type.sizeBytes());
        switch (type) {
            case BYTE: ReduceKernels.bytes(kind.ordinal(), x, xo, y, yo, y, yo, n); break;
            case INT: ReduceKernels.ints(kind.ordinal(), intOp, x, xo, y, yo, n, inIsLeft); break;
            case LONG: ReduceKernels.longs(kind.ordinal(), longOp, x, xo, y, yo, n, inIsLeft); break;
            case FLOAT: ReduceKernels.floats(kind.ordinal(), doubleOp, x, xo, y, yo, n, inIsLeft); break;
            case DOUBLE: ReduceKernels.doubles(kind.ordinal(), doubleOp, x, xo, y, yo, n, inIsLeft); break;
            default: throw new AssertionError(type);
        }
    }

    /**
     * Reduces straight from received bytes into the caller's array: {@code d[i] = x[i] ∘ s[i]}
     * (when {@code inIsLeft}, else {@code s[i] ∘ x[i]}) for {@code n} elements, where {@code x}
     * holds little-endian elements as they arrived and {@code s} and {@code d} are arrays of the
     * element type ({@code byte[]}, {@code int[]}, {@code long[]}, {@code float[]} or
     * {@code double[]}; they may be the same array). One pass, no decoding first: the received
     * bytes are read through a little-endian view, and the operator is chosen once per call.
     *
     * @param type     the element type; must be {@linkplain #supports(DataType) supported}
     * @param n        number of elements
     * @param x        the received bytes
     * @param xo       offset of the first received byte
     * @param s        the local operand, an array of {@code type}
     * @param so       index of its first element
     * @param d        receives the result, an array of {@code type}
     * @param dOff     index of its first element
     * @param inIsLeft whether the received operand is the left one
     */
    public void combineInto(DataType type, int n, byte[] x, int xo, Object s, int so, Object d, int dOff, boolean inIsLeft) {
        checkKernel(type);
        io.fmi.channel.PassCounter.add((long) n * type.sizeBytes());
        switch (type) {
            case BYTE: ReduceKernels.bytes(kind.ordinal(), x, xo, (byte[]) s, so, (byte[]) d, dOff, n); break;
            case INT: ReduceKernels.ints(kind.ordinal(), intOp, x, xo, (int[]) s, so, (int[]) d, dOff, n, inIsLeft); break;
            case LONG: ReduceKernels.longs(kind.ordinal(), longOp, x, xo, (long[]) s, so, (long[]) d, dOff, n, inIsLeft); break;
            case FLOAT: ReduceKernels.floats(kind.ordinal(), doubleOp, x, xo, (float[]) s, so, (float[]) d, dOff, n, inIsLeft); break;
            case DOUBLE: ReduceKernels.doubles(kind.ordinal(), doubleOp, x, xo, (double[]) s, so, (double[]) d, dOff, n, inIsLeft); break;
            default: throw new AssertionError(type);
        }
    }

    /** Throws unless a kernel exists for this operator on {@code type}. */
    private void checkKernel(DataType type) {
        if (!supports(type)) {
            throw unsupported(type);
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
