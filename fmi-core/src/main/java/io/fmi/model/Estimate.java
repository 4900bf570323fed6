package io.fmi.model;

import io.fmi.Operation;
import java.util.Locale;

/**
 * What one operation is predicted to take and cost on one channel; see {@link CostModel}.
 *
 * @param channel              the channel (backend name)
 * @param operation            the operation
 * @param bytes                the byte count given to the selector
 * @param size                 number of peers
 * @param algorithm            the algorithm the channel's family runs, e.g. {@code "ring"}
 * @param latencySeconds       predicted duration; infinite for a channel without a model
 * @param requestUsd           request fees (PUTs, GETs, empty polls, read/write units)
 * @param transferUsd          data transfer fees
 * @param infrastructureUsd    share of the always-on infrastructure (a server node, a rendezvous VM)
 * @param faasUsd              GiB-seconds of all {@code size} functions during {@code latencySeconds}
 * @param pollIntervalSeconds  poll interval the model chose for the first polled step; 0 if none
 */
public record Estimate(String channel, Operation operation, long bytes, int size, String algorithm,
                       double latencySeconds, double requestUsd, double transferUsd, double infrastructureUsd,
                       double faasUsd, double pollIntervalSeconds) {

    /** An estimate for a channel nothing is known about: infinitely slow and expensive, so picked last. */
    public static Estimate unmodelled(String channel, Operation operation, long bytes, int size) {
        double inf = Double.POSITIVE_INFINITY;
        return new Estimate(channel, operation, bytes, size, "unmodelled", inf, inf, 0, 0, inf, 0);
    }

    /** Everything together: requests, transfer, infrastructure and FaaS time, in USD. */
    public double totalUsd() {
        return requestUsd + transferUsd + infrastructureUsd + faasUsd;
    }

    /** Whether the channel has a model. */
    public boolean modelled() {
        return !Double.isInfinite(latencySeconds);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s %s %dB n=%d [%s]: %.6g s, %.4g USD (requests %.3g, transfer %.3g, infra %.3g, faas %.3g)",
                channel, operation.label(), bytes, size, algorithm, latencySeconds, totalUsd(), requestUsd, transferUsd,
                infrastructureUsd, faasUsd);
    }
}
