package io.fmi.examples.sort;

/**
 * The input of the distributed sort: {@code total} uniformly random longs, element {@code i}
 * being a hash of the seed and {@code i} (SplitMix64, Steele, Lea and Flood 2014). Rank {@code r}
 * of {@code n} generates its own contiguous share, so no data is shipped, the input does not
 * depend on the number of processes, and one process can generate the whole input to check a run.
 * Stateless and thread-safe.
 */
public final class SortData {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private SortData() {
    }

    /** Elements of share {@code part} of {@code parts}: {@code total / parts}, one more for the first {@code total % parts}. */
    public static int share(long total, int parts, int part) {
        checkArgs(total, parts, part);
        return (int) (total / parts + (part < total % parts ? 1 : 0));
    }

    /** Index of the first element of share {@code part}. */
    public static long start(long total, int parts, int part) {
        checkArgs(total, parts, part);
        return part * (total / parts) + Math.min(part, total % parts);
    }

    /** Share {@code part} of {@code parts} of the seeded input of {@code total} longs. */
    public static long[] partition(long seed, long total, int parts, int part) {
        long first = start(total, parts, part);
        long[] out = new long[share(total, parts, part)];
        for (int i = 0; i < out.length; i++) {
            out[i] = element(seed, first + i);
        }
        return out;
    }

    /** Element {@code index} of the seeded input. */
    public static long element(long seed, long index) {
        return mix(seed + (index + 1) * GOLDEN_GAMMA);
    }

    /** SplitMix64's finaliser (Stafford's variant 13): a bijection of 64-bit values. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static void checkArgs(long total, int parts, int part) {
        if (total < 0 || parts < 1 || part < 0 || part >= parts) {
            throw new IllegalArgumentException("total: " + total + ", parts: " + parts + ", part: " + part
                    + " (expected: total >= 0, parts >= 1, 0 <= part < parts)");
        }
        if (total / parts >= Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("total: " + total + " over " + parts + " parts (expected: fewer than "
                    + (Integer.MAX_VALUE - 8) + " longs per part, the largest Java array)");
        }
    }
}
