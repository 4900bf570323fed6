package io.fmi.examples.cli;

import io.fmi.FmiConfig;
import io.fmi.Operation;
import io.fmi.model.ChannelModel;
import io.fmi.model.CostModel;
import io.fmi.model.Estimate;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The modelled latency and price on Lambda of the communication of one unit of a job (an epoch,
 * a step, a whole sort) on every priced channel: the sum of the channels' own models
 * ({@link CostModel}) over the unit's operations. Stateless.
 */
final class JobModel {
    private JobModel() {
    }

    /** One operation of the unit: {@code op} with {@code bytes} per function, as the selector counts them. */
    record Op(Operation op, long bytes) {
    }

    /**
     * Prints one table: per channel, the latency of one unit's operations on {@code functions}
     * functions of 1024 MiB, and their price for {@code units} units (the communication and the
     * time every function is billed while it communicates).
     *
     * @param ops  the operations of one unit on {@code n} functions
     * @param unit what one unit is, e.g. {@code "epoch"}
     */
    static void print(PrintStream out, FmiConfig config, int functions, IntFunction<List<Op>> ops, String unit, long units) {
        out.printf(Locale.ROOT, "modelled on Lambda (%d functions of 1024 MiB, the channels' own models under the \"model\" section):%n",
                functions);
        String usd = units == 1 ? "USD / " + unit : String.format(Locale.ROOT, "USD / %,d %ss", units, unit);
        out.printf(Locale.ROOT, "  %-10s %16s %20s%n", "channel", "latency/" + unit, usd);
        Map<String, ChannelModel> priced = Models.priced(config, System.err);
        CostModel model = CostModel.fromConfig(config, priced, 1024);
        for (String ch : priced.keySet()) {
            double latency = 0;
            double price = 0;
            for (Op op : ops.apply(functions)) {
                Estimate e = model.estimate(ch, op.op(), op.bytes(), functions);
                latency += e.latencySeconds();
                price += e.totalUsd();
            }
            out.printf(Locale.ROOT, "  %-10s %13.3f ms %20.6f%n", ch.toLowerCase(Locale.ROOT), latency * 1e3, price * units);
        }
    }
}
