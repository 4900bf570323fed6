package io.fmi.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fmi.BackendConfig;
import io.fmi.Communicator;
import io.fmi.FmiConfig;
import io.fmi.local.LocalCluster;
import io.fmi.model.Calibration;
import io.fmi.model.ChannelModel;
import io.fmi.model.Family;
import io.fmi.model.ModelConfig;
import io.fmi.tcpunch.RendezvousServer;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Calibrates the channel models: runs micro-benchmarks over each channel through the public
 * {@link Communicator} API ({@code p} producers each sending {@code b} bytes to each of {@code c}
 * consumers, for several sizes and shapes), fits overhead and bandwidths by least squares
 * ({@link Calibration}), prints R² and measured-versus-predicted times for held-out sizes, and
 * writes a {@code "model"} section for {@code fmi.json}.
 *
 * <pre>
 * ./fmi calibrate --channel LocalStore
 * ./fmi calibrate --config fmi.json --channel Redis --out model.json
 * ./fmi calibrate --channel Direct --rendezvous          # Direct over loopback with its own rendezvous server
 * </pre>
 *
 * <p>Peers run as threads of this JVM ({@link LocalCluster}); for Redis, S3 and DynamoDB that is
 * what a function sees of the service, for Direct it measures loopback TCP.
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = "Measure each channel, fit overhead and bandwidth, print R² and held-out errors, write a model section.")
public final class CalibrateCommand implements Callable<Integer> {
    @Option(names = "--config", description = "fmi.json with the backends to measure (default: built-in defaults)")
    Path config;

    @Option(names = "--channel", description = "backend to measure; repeatable (default: the enabled backends of --config)")
    List<String> channels;

    @Option(names = "--sizes", split = ",", description = "message sizes to fit, bytes (default: ${DEFAULT-VALUE})",
            defaultValue = "1,1024,16384,262144,1048576,4194304")
    List<Long> sizes;

    @Option(names = "--held-out", split = ",", description = "sizes measured but not fitted, to check predictions (default: ${DEFAULT-VALUE})",
            defaultValue = "65536,2097152")
    List<Long> heldOut;

    @Option(names = "--shapes", split = ",", description = "producers x consumers (default: ${DEFAULT-VALUE})",
            defaultValue = "1x1,1x2,1x4,2x1,4x1,2x2")
    List<String> shapes;

    @Option(names = "--repeat", description = "timed repetitions per point; the median is kept (default: ${DEFAULT-VALUE})", defaultValue = "7")
    int repeat;

    @Option(names = "--warmup", description = "untimed repetitions per point (default: ${DEFAULT-VALUE})", defaultValue = "3")
    int warmup;

    @Option(names = "--out", description = "write {\"model\": {...}} here (default: print it)")
    Path out;

    @Option(names = "--rendezvous", description = "start a rendezvous server on loopback for Direct (default: use the configured one)")
    boolean rendezvous;

    @Override
    public Integer call() throws IOException {
        FmiConfig cfg = config == null ? FmiConfig.defaults() : FmiConfig.load(config);
        List<String> targets = channels;
        if (targets == null || targets.isEmpty()) {
            targets = new ArrayList<>();
            for (BackendConfig b : cfg.enabledBackends()) {
                targets.add(b.name());
            }
        }
        if (targets.isEmpty()) {
            System.err.println("no channel to calibrate: pass --channel or enable a backend in --config");
            return 2;
        }
        ObjectNode models = FmiConfig.newObject();
        RendezvousServer server = null;
        try {
            if (rendezvous) {
                // the in-process server needs a secret (servers are secure by default): one for this run
                String secret = java.util.UUID.randomUUID().toString();
                server = RendezvousServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0)
                        .secret(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)).build().start();
                ObjectNode direct = cfg.backend("Direct").map(BackendConfig::json).orElseGet(FmiConfig::newObject);
                direct.put("host", InetAddress.getLoopbackAddress().getHostAddress()).put("port", server.port()).put("nat_probe", false)
                        .put("secret", secret);
                cfg = cfg.withBackend("Direct", direct);
            }
            for (String channel : targets) {
                models.set(channel, calibrate(cfg.withOnly(channel), channel));
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
        ObjectNode root = FmiConfig.newObject();
        root.set("model", models);
        String json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(root);
        if (out != null) {
            Files.writeString(out, json + System.lineSeparator());
            System.out.println("wrote " + out);
        } else {
            System.out.println(json);
        }
        return 0;
    }

    private ObjectNode calibrate(FmiConfig cfg, String channel) {
        List<Long> all = new ArrayList<>(sizes);
        all.addAll(heldOut);
        all.sort(Long::compare);
        List<Calibration.Sample> samples = new ArrayList<>();
        System.out.printf(Locale.ROOT, "%s: %d sizes x %d shapes, median of %d%n", channel, all.size(), shapes.size(), repeat);
        for (String shape : shapes) {
            String[] pc = shape.toLowerCase(Locale.ROOT).split("x");
            int p = Integer.parseInt(pc[0].trim());
            int c = Integer.parseInt(pc[1].trim());
            for (long b : all) {
                double seconds = measure(cfg, p, c, (int) b);
                samples.add(new Calibration.Sample(p, c, b, seconds));
                System.out.printf(Locale.ROOT, "  %dx%d %10d B  %10.3f ms%n", p, c, b, seconds * 1e3);
            }
        }
        List<List<Calibration.Sample>> split = Calibration.split(samples, new HashSet<>(heldOut));
        Calibration.Fit fit = Calibration.fit(split.get(0));
        System.out.printf(Locale.ROOT, "%s fit: %s%n", channel, fit);
        if (!split.get(1).isEmpty()) {
            System.out.printf(Locale.ROOT, "%s held-out sizes: R² %.4f%n", channel, Calibration.rSquared(split.get(1), fit));
            System.out.printf(Locale.ROOT, "  %-6s %10s %12s %12s %8s%n", "shape", "bytes", "measured ms", "predicted ms", "error");
            for (Calibration.Sample s : split.get(1)) {
                double predicted = fit.predictSeconds(s.producers(), s.consumers(), s.bytes());
                System.out.printf(Locale.ROOT, "  %-6s %10d %12.3f %12.3f %+7.0f%%%n", s.producers() + "x" + s.consumers(), s.bytes(),
                        s.seconds() * 1e3, predicted * 1e3, 100 * (predicted - s.seconds()) / s.seconds());
            }
        }
        // Keys the fit does not set (prices, family, polling) keep the channel's own model.
        ChannelModel base = Models.installed(System.err).model(cfg, channel)
                .orElseGet(() -> ChannelModel.builder(channel, Family.MEDIATED).build());
        return ModelConfig.toJson(fit.applyTo(base));
    }

    /**
     * Median seconds for {@code p} producers (ranks 0..p-1) each to send {@code bytes} to each of
     * {@code c} consumers (ranks p..p+c-1), from a barrier to the last consumer's completion.
     */
    private double measure(FmiConfig cfg, int p, int c, int bytes) {
        int n = p + c;
        List<double[]> perRank = LocalCluster.run(cfg, n, comm -> {
            byte[] buf = new byte[bytes];
            Arrays.fill(buf, (byte) comm.rank());
            double[] times = new double[repeat];
            for (int i = -warmup; i < repeat; i++) {
                comm.barrier();
                long t0 = System.nanoTime();
                List<CompletableFuture<Void>> pending = new ArrayList<>();
                if (comm.rank() < p) {
                    for (int j = p; j < n; j++) {
                        pending.add(comm.isend(buf, j));
                    }
                } else {
                    for (int j = 0; j < p; j++) {
                        pending.add(comm.irecv(new byte[bytes], j));
                    }
                }
                CompletableFuture.allOf(pending.toArray(new CompletableFuture[0])).join();
                if (i >= 0) {
                    times[i] = (System.nanoTime() - t0) / 1e9;
                }
            }
            return times;
        });
        double[] worst = new double[repeat];
        for (double[] t : perRank) {
            for (int i = 0; i < repeat; i++) {
                worst[i] = Math.max(worst[i], t[i]);
            }
        }
        Arrays.sort(worst);
        return Math.max(worst[repeat / 2], 1e-9);
    }
}
