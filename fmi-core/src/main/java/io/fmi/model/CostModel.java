package io.fmi.model;

import io.fmi.FmiConfig;
import io.fmi.Operation;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Predicts latency and total cost of an operation on each channel: the operation's
 * {@link OperationModel plan} for the channel's family, each pattern priced by the
 * {@link ChannelModel}, plus the time all functions are billed for while they wait.
 *
 * <pre>
 *   latencySeconds    = Σ over steps  rounds · channel.latencySeconds(pattern, Δ)
 *   requestUsd        = Σ over steps  rounds · channel.requestPriceUsd(pattern, Δ)
 *   transferUsd       = Σ over steps  rounds · channel.transferPriceUsd(pattern)
 *   infrastructureUsd = channel.infrastructureUsd(latencySeconds)      (held while the operation runs; 0 if nothing moves)
 *   faasUsd           = size · memoryMiB/1024 · gibSecondPriceUsd · latencySeconds
 *   totalUsd          = requestUsd + transferUsd + infrastructureUsd + faasUsd
 * </pre>
 * Shared infrastructure (a rendezvous VM, a Redis node) is priced by the time it is held
 * ({@link ChannelModel#infrastructureUsd}), never spread over an assumed number of operations
 * per hour: an operation holds it for its duration, a {@link #job job} for the job's.
 * {@link #infrastructureAssumption()} says so in words, for every table that shows a price.
 * {@code Δ} is the poll interval the {@link PollIntervalModel} picks for a reader waiting for one
 * producer's put ({@link ChannelModel#putSeconds}). All {@code size} functions are billed for
 * the whole operation: a collective holds every one of them until it completes.
 *
 * <pre>
 * FmiConfig config = FmiConfig.load(path);
 * CostModel m = CostModel.fromConfig(config, ChannelProviders.installed().models(config), 1024);
 * Estimate e = m.estimate("LocalStore", Operation.ALLREDUCE, 672, 64);
 * e.latencySeconds(); e.totalUsd();
 * </pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class CostModel {
    private final Map<String, ChannelModel> channels;
    private final double gibSecondPriceUsd;
    private final int functionMemoryMiB;

    /**
     * @param channels           models by channel name (matched case-insensitively)
     * @param gibSecondPriceUsd  FaaS price, USD per GiB-second
     * @param functionMemoryMiB  memory of each function, MiB
     */
    public CostModel(Map<String, ChannelModel> channels, double gibSecondPriceUsd, int functionMemoryMiB) {
        if (gibSecondPriceUsd < 0) {
            throw new IllegalArgumentException("gibSecondPriceUsd: " + gibSecondPriceUsd + " (expected: >= 0)");
        }
        if (functionMemoryMiB < 1) {
            throw new IllegalArgumentException("functionMemoryMiB: " + functionMemoryMiB + " (expected: > 0)");
        }
        Map<String, ChannelModel> m = new LinkedHashMap<>();
        channels.forEach((k, v) -> m.put(k.toLowerCase(Locale.ROOT), Objects.requireNonNull(v, k)));
        this.channels = Collections.unmodifiableMap(m);
        this.gibSecondPriceUsd = gibSecondPriceUsd;
        this.functionMemoryMiB = functionMemoryMiB;
    }

    /**
     * {@code channels} with the FaaS price of {@code config} ({@link ModelConfig#gibSecondPriceUsd})
     * for functions of {@code functionMemoryMiB}.
     *
     * @param channels models by channel name, e.g. {@link io.fmi.channel.ChannelProviders#models(FmiConfig)}
     */
    public static CostModel fromConfig(FmiConfig config, Map<String, ChannelModel> channels, int functionMemoryMiB) {
        return new CostModel(channels, ModelConfig.gibSecondPriceUsd(config), functionMemoryMiB);
    }

    /** The model of {@code channel} (case-insensitive), or null when it has none. */
    public ChannelModel channel(String channel) {
        return channels.get(channel.toLowerCase(Locale.ROOT));
    }

    /** FaaS price, USD per GiB-second. */
    public double gibSecondPriceUsd() {
        return gibSecondPriceUsd;
    }

    /** Memory of each function, MiB. */
    public int functionMemoryMiB() {
        return functionMemoryMiB;
    }

    /** USD per second that one waiting function costs. */
    public double waitingUsdPerSecond() {
        return PollIntervalModel.waitingUsdPerSecond(gibSecondPriceUsd, functionMemoryMiB);
    }

    /**
     * Latency and cost of {@code op} moving {@code bytes} among {@code size} peers over
     * {@code channel}; {@link Estimate#unmodelled} when the channel has no model.
     */
    public Estimate estimate(String channel, Operation op, long bytes, int size) {
        ChannelModel m = channel(channel);
        if (m == null) {
            return Estimate.unmodelled(channel, op, bytes, size);
        }
        OperationModel.Plan plan = OperationModel.plan(op, bytes, size, m.family());
        double f = waitingUsdPerSecond();
        double latency = 0;
        double requests = 0;
        double transfer = 0;
        double firstPoll = 0;
        for (OperationModel.Step s : plan.steps()) {
            TransferPattern t = s.pattern();
            double poll = PollIntervalModel.optimalSeconds(m, m.putSeconds(t.bytes()), f);
            if (firstPoll == 0) {
                firstPoll = poll;
            }
            latency += s.rounds() * m.latencySeconds(t, poll);
            requests += s.rounds() * m.requestPriceUsd(t, poll);
            transfer += s.rounds() * m.transferPriceUsd(t);
        }
        double infra = plan.steps().isEmpty() ? 0 : m.infrastructureUsd(latency);
        double faas = size * f * latency;
        return new Estimate(channel, op, bytes, size, plan.algorithm(), latency, requests, transfer, infra, faas, firstPoll);
    }

    /**
     * A job of {@code operations} times {@code op}, each after {@code computeSecondsPerOperation}
     * of computing (K-means: one allreduce per epoch after the epoch's local step): every function
     * is billed for the whole job, and the channel's infrastructure is held for the whole job.
     *
     * <pre>
     *   seconds           = operations · (computeSecondsPerOperation + estimate.latencySeconds)
     *   requestUsd        = operations · estimate.requestUsd          transferUsd likewise
     *   infrastructureUsd = channel.infrastructureUsd(seconds)
     *   faasUsd           = size · memoryMiB/1024 · gibSecondPriceUsd · seconds
     *   communicationUsd  = operations · estimate.totalUsd            (the operations alone, as {@link #estimate})
     * </pre>
     */
    public JobEstimate job(String channel, Operation op, long bytes, int size, long operations, double computeSecondsPerOperation) {
        if (operations < 0 || computeSecondsPerOperation < 0) {
            throw new IllegalArgumentException("operations: " + operations + ", computeSecondsPerOperation: " + computeSecondsPerOperation
                    + " (expected: >= 0)");
        }
        Estimate e = estimate(channel, op, bytes, size);
        return job(e, operations, operations * (computeSecondsPerOperation + e.latencySeconds()));
    }

    /**
     * A job as {@link #job job} prices it, but with the time each operation took in a run
     * ({@code measuredSecondsPerOperation}, e.g. the median of a K-means run's allreduces in the
     * Lambda lab) instead of the modelled latency: a measured run priced on Lambda. Requests and
     * transfer are still the model's (they do not depend on time, except a store's empty polls).
     */
    public JobEstimate measuredJob(String channel, Operation op, long bytes, int size, long operations, double computeSecondsPerOperation,
                                   double measuredSecondsPerOperation) {
        if (operations < 0 || computeSecondsPerOperation < 0 || measuredSecondsPerOperation < 0) {
            throw new IllegalArgumentException("operations: " + operations + ", computeSecondsPerOperation: " + computeSecondsPerOperation
                    + ", measuredSecondsPerOperation: " + measuredSecondsPerOperation + " (expected: >= 0)");
        }
        return job(estimate(channel, op, bytes, size), operations, operations * (computeSecondsPerOperation + measuredSecondsPerOperation));
    }

    private JobEstimate job(Estimate e, long operations, double seconds) {
        ChannelModel m = channel(e.channel());
        double infra = m == null ? 0 : m.infrastructureUsd(seconds);
        return new JobEstimate(e, operations, seconds, operations * e.requestUsd(), operations * e.transferUsd(), infra,
                e.size() * waitingUsdPerSecond() * seconds);
    }

    /**
     * How shared infrastructure is priced here, in one sentence naming each channel's price and
     * utilisation, e.g. {@code "shared infrastructure (rendezvous VM, Redis node) priced by the time a job
     * holds it, not per assumed operations per hour: Direct USD 0.0134/h at 100 % utilisation,
     * Redis USD 0.0038/h at 100 % utilisation (...)"}; every table of prices prints it.
     */
    public String infrastructureAssumption() {
        StringBuilder s = new StringBuilder();
        for (ChannelModel m : channels.values()) {
            if (m.infrastructureUsdPerHour() > 0 && m.includeInfrastructure()) {
                s.append(s.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s USD %s/h at %s %% utilisation", m.name(),
                        plain(m.infrastructureUsdPerHour()), plain(m.infrastructureUtilisation() * 100)));
            }
        }
        if (s.length() == 0) {
            return "no shared infrastructure priced (no channel here has a server of its own with a price)";
        }
        return "shared infrastructure (rendezvous VM, Redis node) priced by the time a job holds it, not per assumed operations per hour: "
                + s + " (at 100 % a job pays for its own hours only; set infrastructure_utilisation for a server that idles)";
    }

    /** Plain decimal text of a price, without exponent or trailing zeros. */
    private static String plain(double v) {
        return new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    }
}
