package io.fmi.channel;

import java.util.Locale;

/** Prints what this JVM observes of its CPU budget and whether the adaptive strategy polls; run in a cgroup by {@link AdaptiveIdleStrategyTest}. */
public final class CpuBudgetProbe {
    private CpuBudgetProbe() {
    }

    public static void main(String[] args) {
        CpuBudget b = CpuBudget.host();
        System.out.println(String.format(Locale.ROOT, "cpus=%.2f polling=%s source=%s", b.cpus(),
                AdaptiveIdleStrategy.shared().polling(), b.source()));
    }
}
