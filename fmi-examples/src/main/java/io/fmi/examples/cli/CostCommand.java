package io.fmi.examples.cli;

import io.fmi.FmiConfig;
import io.fmi.Hint;
import io.fmi.Operation;
import io.fmi.model.ChannelModel;
import io.fmi.model.ChannelSelector;
import io.fmi.model.CostModel;
import io.fmi.model.Estimate;
import io.fmi.model.SelectionPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The cost calculator: for one operation, every channel's predicted latency and price, and the
 * channel each hint would pick.
 *
 * <pre>
 * ./fmi cost --op allreduce --bytes 672 --peers 64 --memory 1024
 * </pre>
 */
@Command(name = "cost", mixinStandardHelpOptions = true,
        description = "Predict latency and price of one operation on every channel, and the choice under each hint.")
public final class CostCommand implements Callable<Integer> {
    @Option(names = "--op", description = "operation: send, bcast, barrier, gather, scatter, reduce, allreduce, scan, allgather, alltoall (default: ${DEFAULT-VALUE})",
            defaultValue = "allreduce")
    String op;

    @Option(names = "--bytes", description = "bytes per peer as the selector sees them (default: ${DEFAULT-VALUE})", defaultValue = "672")
    long bytes;

    @Option(names = "--peers", description = "number of functions (default: ${DEFAULT-VALUE})", defaultValue = "64")
    int peers;

    @Option(names = "--memory", description = "memory of each function, MiB (default: ${DEFAULT-VALUE})", defaultValue = "1024")
    int memoryMiB;

    @Option(names = "--config", description = "fmi.json whose \"model\" section to use (default: the channels' own models)")
    Path config;

    @Option(names = "--channels", split = ",", description = "channels to compare (default: every channel on the class path that is not"
            + " free, in the selector's tie-break order, and any other with a model in --config)")
    List<String> channels;

    @Option(names = "--operations", description = "operations to price together (default: ${DEFAULT-VALUE})", defaultValue = "1000")
    long operations;

    @Override
    public Integer call() {
        Operation operation;
        try {
            operation = Operation.valueOf(op.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            System.err.println("--op: '" + op + "' (expected: one of send, bcast, barrier, gather, scatter, reduce, allreduce, scan, allgather, alltoall)");
            return 2;
        }
        if (peers < 1 || memoryMiB < 1 || bytes < 0 || operations < 1) {
            System.err.println("--peers, --memory and --operations must be at least 1, --bytes at least 0");
            return 2;
        }
        FmiConfig cfg = config == null ? FmiConfig.defaults() : FmiConfig.load(config);
        Map<String, ChannelModel> models = channels != null ? Models.named(cfg, channels, System.err) : Models.priced(cfg, System.err);
        List<String> ordered = new ArrayList<>(models.keySet());
        if (channels != null) {
            // Channels with no model at all are listed last, as the selector sees them: unmodelled.
            channels.stream().filter(c -> ordered.stream().noneMatch(c::equalsIgnoreCase)).forEach(ordered::add);
        }
        if (ordered.isEmpty()) {
            System.err.println("no channel to price: no channel provider on the class path has a model that costs anything;"
                    + " name channels with --channels or describe them in the \"model\" section of --config");
            return 2;
        }
        CostModel model = CostModel.fromConfig(cfg, models, memoryMiB);
        System.out.printf(Locale.ROOT, "%s of %d B per peer among %d functions of %d MiB (%s USD per GiB-second)%n%n",
                operation.label(), bytes, peers, memoryMiB, model.gibSecondPriceUsd());
        System.out.printf(Locale.ROOT, "%-10s %-34s %12s %12s %14s %12s %12s %12s %12s %9s%n", "channel", "algorithm",
                "latency ms", "USD/op", "USD/" + operations + " op", "requests", "infra", "FaaS", "transfer", "poll ms");
        List<Estimate> estimates = new ArrayList<>();
        for (String c : ordered) {
            Estimate e = model.estimate(c, operation, bytes, peers);
            estimates.add(e);
            System.out.printf(Locale.ROOT, "%-10s %-34s %12.4f %12.4e %14.6f %12.3e %12.3e %12.3e %12.3e %9s%n", c, e.algorithm(),
                    e.latencySeconds() * 1e3, e.totalUsd(), e.totalUsd() * operations, e.requestUsd(), e.infrastructureUsd(),
                    e.faasUsd(), e.transferUsd(), e.pollIntervalSeconds() > 0 ? String.format(Locale.ROOT, "%.1f", e.pollIntervalSeconds() * 1e3) : "-");
        }
        System.out.println();
        System.out.println("assumption: " + model.infrastructureAssumption());
        System.out.println();
        for (Hint hint : Hint.values()) {
            String choice = new ChannelSelector(ordered, model, hint, SelectionPolicy.BY_HINT).select(operation, bytes, peers);
            System.out.printf(Locale.ROOT, "%-5s -> %s%n", hint, choice);
        }
        return 0;
    }
}
