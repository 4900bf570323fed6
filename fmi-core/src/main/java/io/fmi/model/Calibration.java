package io.fmi.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Fits a channel's overhead and bandwidths to measured transfer times, as the FMI paper does
 * (section 4.2; it reports R² between 0.969 and 0.987 for its three channels).
 *
 * <p>The model is {@link ChannelModel}'s:
 * <pre>
 *   t(p, c, b) = overhead · log2(p + c) + p·c·b / (min(p·c, m) · bandwidthSingle)
 * </pre>
 * i.e. the aggregate bandwidth grows with the number of pairs up to {@code m} pairs'
 * worth ({@code bandwidthMultiple = m · bandwidthSingle}; {@code m = 1} for one NIC,
 * {@code m = ∞} for a store that scales out). For each candidate {@code m} (every distinct
 * {@code p·c} of the samples, and infinity) the two coefficients {@code overhead} and
 * {@code 1/bandwidthSingle} are linear, so they come from least squares; the {@code m} with the
 * smallest residual wins. Residuals are weighted by {@code 1/t²}, i.e. relative errors, so that
 * 100 MB samples do not drown the overhead of 1-byte ones; coefficients are kept non-negative.
 * R² is the ordinary coefficient of determination on seconds, as the paper reports it.
 *
 * <p>Stateless and thread-safe.
 */
public final class Calibration {
    private Calibration() {
    }

    /**
     * One measurement: {@code producers} peers sent {@code bytes} bytes each to each of
     * {@code consumers} peers, and it took {@code seconds}.
     */
    public record Sample(int producers, int consumers, long bytes, double seconds) {
        /** Checks the shape, the size and the time. */
        public Sample {
            if (producers < 1 || consumers < 1 || bytes < 0) {
                throw new IllegalArgumentException("sample: p=" + producers + " c=" + consumers + " bytes=" + bytes
                        + " (expected: p >= 1, c >= 1, bytes >= 0)");
            }
            if (!(seconds > 0) || Double.isInfinite(seconds)) {
                throw new IllegalArgumentException("sample seconds: " + seconds + " (expected: > 0, finite)");
            }
        }
    }

    /**
     * The fitted parameters.
     *
     * @param overheadSeconds              fixed cost per hop, seconds
     * @param bandwidthSingleBytesPerSec   one pair's bandwidth, bytes/s (infinite if time does not grow with bytes)
     * @param bandwidthMultipleBytesPerSec aggregate cap, bytes/s (infinite if none was seen)
     * @param rSquared                     coefficient of determination of the fit on its samples
     * @param samples                      number of samples fitted
     */
    public record Fit(double overheadSeconds, double bandwidthSingleBytesPerSec, double bandwidthMultipleBytesPerSec,
                      double rSquared, int samples) {

        /** Predicted seconds for {@code p} producers, {@code c} consumers, {@code bytes} each. */
        public double predictSeconds(int producers, int consumers, long bytes) {
            double pairs = (double) producers * consumers;
            double agg = Math.min(pairs * bandwidthSingleBytesPerSec, bandwidthMultipleBytesPerSec);
            double transfer = bytes == 0 ? 0 : pairs * bytes / agg;
            return overheadSeconds * ChannelModel.log2(producers + consumers) + transfer;
        }

        /** {@code base} with this fit's overhead and bandwidths. */
        public ChannelModel applyTo(ChannelModel base) {
            return base.toBuilder()
                    .overheadSeconds(overheadSeconds)
                    .bandwidthSingleBytesPerSec(bandwidthSingleBytesPerSec)
                    .bandwidthMultipleBytesPerSec(bandwidthMultipleBytesPerSec)
                    .build();
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "overhead %.4g ms, bandwidth %.4g MB/s per pair, %s aggregate, R² %.4f (%d samples)",
                    overheadSeconds * 1e3, bandwidthSingleBytesPerSec / 1e6,
                    Double.isInfinite(bandwidthMultipleBytesPerSec) ? "unbounded"
                            : String.format(Locale.ROOT, "%.4g MB/s", bandwidthMultipleBytesPerSec / 1e6),
                    rSquared, samples);
        }
    }

    /**
     * Fits overhead, per-pair bandwidth and aggregate cap to {@code samples}.
     *
     * @throws IllegalArgumentException with fewer than two samples
     */
    public static Fit fit(List<Sample> samples) {
        if (samples.size() < 2) {
            throw new IllegalArgumentException("samples: " + samples.size() + " (expected: >= 2)");
        }
        TreeSet<Double> caps = new TreeSet<>();
        for (Sample s : samples) {
            caps.add((double) s.producers() * s.consumers());
        }
        caps.add(Double.POSITIVE_INFINITY);
        Fit best = null;
        double bestSse = Double.POSITIVE_INFINITY;
        for (double m : caps) {
            double[] coef = solve(samples, m);
            double sse = weightedSse(samples, coef, m);
            if (sse < bestSse) {
                bestSse = sse;
                double single = coef[1] > 0 ? 1 / coef[1] : Double.POSITIVE_INFINITY;
                best = new Fit(coef[0], single, Double.isInfinite(m) ? Double.POSITIVE_INFINITY : m * single, 0, samples.size());
            }
        }
        return new Fit(best.overheadSeconds(), best.bandwidthSingleBytesPerSec(), best.bandwidthMultipleBytesPerSec(),
                rSquared(samples, best), samples.size());
    }

    /** Coefficient of determination of {@code fit} on {@code samples}: {@code 1 - SSres/SStot}, on seconds. */
    public static double rSquared(List<Sample> samples, Fit fit) {
        double mean = samples.stream().mapToDouble(Sample::seconds).average().orElse(0);
        double res = 0;
        double tot = 0;
        for (Sample s : samples) {
            double e = s.seconds() - fit.predictSeconds(s.producers(), s.consumers(), s.bytes());
            res += e * e;
            tot += (s.seconds() - mean) * (s.seconds() - mean);
        }
        return tot == 0 ? (res == 0 ? 1 : 0) : 1 - res / tot;
    }

    private static double x1(Sample s) {
        return ChannelModel.log2(s.producers() + s.consumers());
    }

    private static double x2(Sample s, double cap) {
        double pairs = (double) s.producers() * s.consumers();
        return pairs * s.bytes() / Math.min(pairs, cap);
    }

    /** Weighted non-negative least squares for [overhead, 1/bandwidthSingle] at aggregate cap {@code cap} pairs. */
    private static double[] solve(List<Sample> samples, double cap) {
        double a11 = 0;
        double a12 = 0;
        double a22 = 0;
        double b1 = 0;
        double b2 = 0;
        for (Sample s : samples) {
            double w = 1 / (s.seconds() * s.seconds());
            double u = x1(s);
            double v = x2(s, cap);
            a11 += w * u * u;
            a12 += w * u * v;
            a22 += w * v * v;
            b1 += w * u * s.seconds();
            b2 += w * v * s.seconds();
        }
        double det = a11 * a22 - a12 * a12;
        if (det > 1e-12 * a11 * a22) {
            double o = (b1 * a22 - b2 * a12) / det;
            double beta = (a11 * b2 - a12 * b1) / det;
            if (o >= 0 && beta >= 0) {
                return new double[] {o, beta};
            }
        }
        // On the boundary: one coefficient zero; keep the better of the two one-parameter fits.
        double[] onlyOverhead = {a11 > 0 ? Math.max(0, b1 / a11) : 0, 0};
        double[] onlyBandwidth = {0, a22 > 0 ? Math.max(0, b2 / a22) : 0};
        return weightedSse(samples, onlyOverhead, cap) <= weightedSse(samples, onlyBandwidth, cap) ? onlyOverhead : onlyBandwidth;
    }

    private static double weightedSse(List<Sample> samples, double[] coef, double cap) {
        double sse = 0;
        for (Sample s : samples) {
            double e = (s.seconds() - coef[0] * x1(s) - coef[1] * x2(s, cap)) / s.seconds();
            sse += e * e;
        }
        return sse;
    }

    /** Splits {@code samples} into those whose bytes are in {@code heldOutBytes} and the rest; for held-out checks. */
    public static List<List<Sample>> split(List<Sample> samples, java.util.Set<Long> heldOutBytes) {
        List<Sample> train = new ArrayList<>();
        List<Sample> test = new ArrayList<>();
        for (Sample s : samples) {
            (heldOutBytes.contains(s.bytes()) ? test : train).add(s);
        }
        return List.of(train, test);
    }
}
