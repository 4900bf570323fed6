package io.fmi.model;

import java.util.Locale;

/**
 * What a job of many operations is predicted to take and cost on one channel; see
 * {@link CostModel#job}.
 *
 * @param operation          the estimate of one operation
 * @param operations         how many times the job runs it
 * @param seconds            the job's duration: its computing and its operations
 * @param requestUsd         request fees of all operations
 * @param transferUsd        data transfer fees of all operations
 * @param infrastructureUsd  the channel's infrastructure, held for the whole job
 * @param faasUsd            GiB-seconds of all functions for the whole job
 */
public record JobEstimate(Estimate operation, long operations, double seconds, double requestUsd, double transferUsd,
                          double infrastructureUsd, double faasUsd) {

    /** Everything the job costs: requests, transfer, infrastructure and FaaS time, in USD. */
    public double totalUsd() {
        return requestUsd + transferUsd + infrastructureUsd + faasUsd;
    }

    /** The operations alone, as {@link CostModel#estimate} prices them ({@code operations ·} one operation's total), in USD. */
    public double communicationUsd() {
        return operations * operation.totalUsd();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s x%d: %.6g s, %.4g USD (requests %.3g, transfer %.3g, infra %.3g, faas %.3g; communication %.4g)",
                operation.channel(), operations, seconds, totalUsd(), requestUsd, transferUsd, infrastructureUsd, faasUsd, communicationUsd());
    }
}
