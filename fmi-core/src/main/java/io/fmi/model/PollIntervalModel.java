package io.fmi.model;

import io.fmi.FmiConfig;
import io.fmi.FmiConfigException;
import io.fmi.channel.ChannelProviders;
import java.time.Duration;

/**
 * How often a reader should poll a store that cannot block for it (an object store, a table): the answer to
 * the FMI paper's open question "how often should clients poll?".
 *
 * <h2>The trade-off</h2>
 * A reader waits {@code W} seconds for an object and polls every {@code Δ} seconds. Polling costs
 * {@code g} USD per empty read ({@link ChannelModel#readPriceUsd()}: a GET, a read unit), about
 * {@code W/Δ} of them; on average it finds the object {@code Δ/2} after it landed,
 * and meanwhile the function is billed {@code f} USD per second ({@code memory GiB × price per
 * GiB-second}). The part of the cost that depends on {@code Δ}
 * <pre>
 *   cost(Δ) = g·W/Δ + f·Δ/2
 * </pre>
 * is least at
 * <pre>
 *   Δ* = sqrt(2·g·W / f),      cost(Δ*) = sqrt(2·g·W·f)
 * </pre>
 * clamped to the channel's {@code [minPollIntervalSeconds, maxPollIntervalSeconds]}. For a GET of
 * {@code g} = 0.43 µUSD and a 1 GiB function ({@code f} = 16.7 µUSD/s) that is
 * {@code Δ* = 0.23·sqrt(W)}: 23 ms for a 10 ms wait, 0.23 s for a 1 s wait; a read 3.4 times
 * cheaper is polled about 1.9 times as often. See {@code docs/models.md} for the curve.
 *
 * <h2>As a back-off</h2>
 * A reader does not know {@code W}. Having waited {@code t} already, the best guess is that the
 * object takes about as long again, so {@link #forBackend(FmiConfig, String, int, Duration)} with
 * the time waited so far gives an interval that grows as {@code sqrt(t)}: fast for objects that
 * come at once, cheap for stragglers and cold starts.
 *
 * <pre>
 * Duration waited = Duration.ZERO;
 * while (!tryGet(key)) {
 *     Duration d = PollIntervalModel.forBackend(config, context.backend().name(), functionMemoryMiB, waited);
 *     sleep(d);
 *     waited = waited.plus(d);
 * }
 * </pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class PollIntervalModel {
    /** Shortest interval when neither the model section nor the backend's {@code timeout} sets one: 10 ms. */
    public static final double DEFAULT_MIN_SECONDS = 0.010;
    /** Longest interval unless the model section sets {@code max_poll_interval_s}: 1 s. */
    public static final double DEFAULT_MAX_SECONDS = 1.0;

    private PollIntervalModel() {
    }

    /**
     * The interval that minimises request fees plus waiting time, in seconds; 0 for a channel
     * that does not poll, its fixed interval if configuration fixes one.
     *
     * @param channel              the channel's model
     * @param expectedWaitSeconds  how long the reader expects to wait for the object ({@code W})
     * @param waitingUsdPerSecond  what the waiting costs per second ({@code f}): memory GiB × USD per GiB-second
     */
    public static double optimalSeconds(ChannelModel channel, double expectedWaitSeconds, double waitingUsdPerSecond) {
        if (!channel.polling()) {
            return 0;
        }
        if (!Double.isNaN(channel.pollIntervalSeconds())) {
            return channel.pollIntervalSeconds();
        }
        double g = channel.readPriceUsd();
        double w = Math.max(0, expectedWaitSeconds);
        double best;
        if (waitingUsdPerSecond <= 0) {
            best = Double.POSITIVE_INFINITY;
        } else {
            best = StrictMath.sqrt(2 * g * w / waitingUsdPerSecond);
        }
        return Math.min(channel.maxPollIntervalSeconds(), Math.max(channel.minPollIntervalSeconds(), best));
    }

    /**
     * The {@code Δ}-dependent cost of waiting {@code W} seconds while polling every {@code Δ}:
     * {@code g·W/Δ + f·Δ/2}, in USD. For plotting the trade-off and for tests.
     */
    public static double pollingCostUsd(ChannelModel channel, double expectedWaitSeconds, double pollIntervalSeconds,
                                        double waitingUsdPerSecond) {
        return channel.readPriceUsd() * expectedWaitSeconds / pollIntervalSeconds + waitingUsdPerSecond * pollIntervalSeconds / 2;
    }

    /**
     * The next poll interval for a reader of {@code backend} that has waited {@code waited} so far:
     * {@link #forModel} with the backend's model as its provider on the class path and
     * {@code config} give it ({@link ChannelProviders#model(FmiConfig, String)}), or as the
     * {@code "model"} section alone gives it for a backend without a provider.
     *
     * @throws FmiConfigException if neither gives a model for {@code backend}
     */
    public static Duration forBackend(FmiConfig config, String backend, int functionMemoryMiB, Duration waited) {
        ChannelModel m = ChannelProviders.installed().model(config, backend).orElseThrow(() -> new FmiConfigException("no model for backend '" + backend + "' (expected: its channel"
                        + " provider on the class path, or a \"model\" entry of that name)"));
        return forModel(m, ModelConfig.gibSecondPriceUsd(config), functionMemoryMiB, waited);
    }

    /**
     * The next poll interval for a reader of a channel modelled by {@code model} that has waited
     * {@code waited} so far: {@link #optimalSeconds} with {@code W = max(waited, the channel's
     * overhead)} and {@code f} for one function of {@code functionMemoryMiB} at
     * {@code gibSecondPriceUsd}; the channel's shortest interval when it does not poll. Never
     * shorter than 1 ms.
     */
    public static Duration forModel(ChannelModel model, double gibSecondPriceUsd, int functionMemoryMiB, Duration waited) {
        double f = waitingUsdPerSecond(gibSecondPriceUsd, functionMemoryMiB);
        double w = Math.max(waited.toNanos() / 1e9, model.overheadSeconds());
        double s = model.polling() ? optimalSeconds(model, w, f) : model.minPollIntervalSeconds();
        return Duration.ofNanos(Math.max(1_000_000L, Math.round(s * 1e9)));
    }

    /** The first poll interval for {@code backend}: {@link #forBackend(FmiConfig, String, int, Duration)} with nothing waited yet. */
    public static Duration forBackend(FmiConfig config, String backend, int functionMemoryMiB) {
        return forBackend(config, backend, functionMemoryMiB, Duration.ZERO);
    }

    /** USD per second of one waiting function: {@code memoryMiB / 1024 × gibSecondPriceUsd}. */
    public static double waitingUsdPerSecond(double gibSecondPriceUsd, int functionMemoryMiB) {
        return functionMemoryMiB / 1024.0 * gibSecondPriceUsd;
    }
}
