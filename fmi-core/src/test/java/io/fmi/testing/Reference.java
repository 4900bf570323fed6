package io.fmi.testing;

import io.fmi.ReduceOp;
import java.util.function.IntBinaryOperator;

/**
 * Deterministic test data and the sequential reference results the collective tests compare
 * against: every rank can compute every other rank's input, so each peer checks its own result.
 */
public final class Reference {
    /** An associative, non-commutative operator: the first non-zero operand. */
    public static final IntBinaryOperator FIRST_NON_ZERO = (a, b) -> a != 0 ? a : b;
    /** Neither associative nor commutative: {@code 2a + b}. */
    public static final IntBinaryOperator AFFINE = (a, b) -> 2 * a + b;

    public static final ReduceOp FIRST_NON_ZERO_OP = ReduceOp.ofInt("first-non-zero", FIRST_NON_ZERO, false, true);
    public static final ReduceOp AFFINE_OP = ReduceOp.ofInt("affine", AFFINE, false, false);

    private Reference() {
    }

    /** The operators every collective test covers, with their sequential definitions. */
    public enum Op {
        SUM(ReduceOp.SUM, Integer::sum),
        MAX(ReduceOp.MAX, Math::max),
        FIRST_NON_ZERO(FIRST_NON_ZERO_OP, Reference.FIRST_NON_ZERO),
        AFFINE(AFFINE_OP, Reference.AFFINE);

        public final ReduceOp op;
        public final IntBinaryOperator fn;

        Op(ReduceOp op, IntBinaryOperator fn) {
            this.op = op;
            this.fn = fn;
        }
    }

    /** Element {@code i} of rank {@code rank}'s input in test {@code salt}: small values, about 30% zeros. */
    public static int value(int rank, int i, int salt) {
        int h = rank * 0x9E3779B1 + i * 0x85EBCA77 + salt * 0xC2B2AE3D;
        h ^= h >>> 15;
        h *= 0x2C1B3C6D;
        h ^= h >>> 12;
        h *= 0x297A2D39;
        h ^= h >>> 15;
        if (Math.floorMod(h >>> 8, 10) < 3) {
            return 0;
        }
        return Math.floorMod(h, 101) - 50;
    }

    public static int[] data(int rank, int len, int salt) {
        int[] a = new int[len];
        for (int i = 0; i < len; i++) {
            a[i] = value(rank, i, salt);
        }
        return a;
    }

    /** {@code x0 ∘ x1 ∘ ... ∘ x(upto)}, folded left to right. */
    public static int[] fold(IntBinaryOperator fn, int upto, int len, int salt) {
        int[] acc = data(0, len, salt);
        for (int r = 1; r <= upto; r++) {
            int[] x = data(r, len, salt);
            for (int i = 0; i < len; i++) {
                acc[i] = fn.applyAsInt(acc[i], x[i]);
            }
        }
        return acc;
    }

    /** The blocks of ranks {@code 0..n-1}, concatenated. */
    public static int[] concat(int n, int len, int salt) {
        int[] all = new int[n * len];
        for (int r = 0; r < n; r++) {
            System.arraycopy(data(r, len, salt), 0, all, r * len, len);
        }
        return all;
    }

    public static int[] filled(int len, int v) {
        int[] a = new int[len];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
