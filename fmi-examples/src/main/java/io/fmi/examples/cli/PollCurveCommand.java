package io.fmi.examples.cli;

import io.fmi.FmiConfig;
import io.fmi.model.ChannelModel;
import io.fmi.model.ModelConfig;
import io.fmi.model.PollIntervalModel;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Plots the poll-interval trade-off of {@link PollIntervalModel}: the cost of waiting {@code W}
 * seconds for an object while polling every {@code Δ}, {@code g·W/Δ + f·Δ/2}, for every channel on
 * the class path whose model polls (S3 and DynamoDB with {@code fmi-channels}), with the optimum
 * {@code Δ* = sqrt(2gW/f)} marked. Writes a CSV and a PNG.
 *
 * <pre>
 * ./fmi poll-curve --out docs/img/poll-interval
 * </pre>
 */
@Command(name = "poll-curve", mixinStandardHelpOptions = true,
        description = "Write the poll-interval cost curve (CSV and PNG) for every channel that polls (S3, DynamoDB).")
public final class PollCurveCommand implements Callable<Integer> {
    @Option(names = "--out", description = "path without extension for .csv and .png (default: ${DEFAULT-VALUE})",
            defaultValue = "docs/img/poll-interval")
    String out;

    @Option(names = "--memory", description = "memory of the function, MiB (default: ${DEFAULT-VALUE})", defaultValue = "1024")
    int memoryMiB;

    @Option(names = "--waits", split = ",", description = "expected waits W, seconds (default: ${DEFAULT-VALUE})", defaultValue = "0.1,1,10")
    List<Double> waits;

    private static final double MIN_X = 1e-3;
    private static final double MAX_X = 10;

    @Override
    public Integer call() throws IOException {
        FmiConfig cfg = FmiConfig.defaults();
        double f = PollIntervalModel.waitingUsdPerSecond(ModelConfig.gibSecondPriceUsd(cfg), memoryMiB);
        // Unclamped models: the curve shows the whole trade-off, the optimum is the free one.
        List<ChannelModel> stores = new ArrayList<>();
        for (ChannelModel m : Models.installed(System.err).models(cfg).values()) {
            if (m.polling()) {
                stores.add(m.toBuilder().minPollIntervalSeconds(MIN_X).maxPollIntervalSeconds(MAX_X).build());
            }
        }
        if (stores.isEmpty()) {
            System.err.println("no channel on the class path polls: nothing to plot (add io.fmi:fmi-channels)");
            return 2;
        }
        List<Series> series = new ArrayList<>();
        StringBuilder csv = new StringBuilder("channel,wait_s,poll_interval_s,cost_usd\n");
        for (ChannelModel m : stores) {
            for (double w : waits) {
                Series s = new Series(String.format(Locale.ROOT, "%s, W = %s s", m.name(), trim(w)), stores.indexOf(m));
                for (int i = 0; i <= 200; i++) {
                    double x = MIN_X * Math.pow(MAX_X / MIN_X, i / 200.0);
                    double y = PollIntervalModel.pollingCostUsd(m, w, x, f);
                    s.xs.add(x);
                    s.ys.add(y);
                    csv.append(String.format(Locale.ROOT, "%s,%s,%.6g,%.6g%n", m.name(), trim(w), x, y));
                }
                s.bestX = PollIntervalModel.optimalSeconds(m, w, f);
                s.bestY = PollIntervalModel.pollingCostUsd(m, w, s.bestX, f);
                series.add(s);
                System.out.printf(Locale.ROOT, "%-8s W = %6s s: optimal poll interval %8.1f ms, cost %.3g USD per wait%n",
                        m.name(), trim(w), s.bestX * 1e3, s.bestY);
            }
        }
        Path csvPath = Path.of(out + ".csv");
        Path pngPath = Path.of(out + ".png");
        if (csvPath.getParent() != null) {
            Files.createDirectories(csvPath.getParent());
        }
        Files.writeString(csvPath, csv);
        List<String> names = new ArrayList<>();
        stores.forEach(m -> names.add(m.name()));
        ImageIO.write(plot(series, names, memoryMiB), "png", pngPath.toFile());
        System.out.println("wrote " + csvPath + " and " + pngPath);
        return 0;
    }

    private static String trim(double w) {
        return w == Math.rint(w) ? String.valueOf((long) w) : String.valueOf(w);
    }

    private static final class Series {
        final String label;
        /** Index of the channel: 0 is drawn solid, the others dashed, each with its own dash. */
        final int channel;
        final List<Double> xs = new ArrayList<>();
        final List<Double> ys = new ArrayList<>();
        double bestX;
        double bestY;

        Series(String label, int channel) {
            this.label = label;
            this.channel = channel;
        }
    }

    /** Solid for the first channel, dashes growing with the index for the others. */
    private static BasicStroke stroke(int channel) {
        if (channel == 0) {
            return new BasicStroke(2f);
        }
        return new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {2f + 4f * channel, 4f}, 0f);
    }

    /** A log-log line chart drawn with AWT, so the build needs no charting library. */
    private static BufferedImage plot(List<Series> series, List<String> channels, int memoryMiB) {
        int w = 1000;
        int h = 560;
        int left = 90;
        int right = 320;
        int top = 50;
        int bottom = 70;
        double minY = Double.POSITIVE_INFINITY;
        double maxY = 0;
        for (Series s : series) {
            for (double y : s.ys) {
                minY = Math.min(minY, y);
                maxY = Math.max(maxY, y);
            }
        }
        double ly0 = Math.floor(Math.log10(minY));
        double ly1 = Math.ceil(Math.log10(maxY));
        double lx0 = Math.log10(MIN_X);
        double lx1 = Math.log10(MAX_X);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        int pw = w - left - right;
        int ph = h - top - bottom;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (double e = lx0; e <= lx1 + 1e-9; e++) {
            int x = left + (int) Math.round((e - lx0) / (lx1 - lx0) * pw);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(x, top, x, top + ph);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "%s s", trim(Math.pow(10, e))), x - 14, top + ph + 18);
        }
        for (double e = ly0; e <= ly1 + 1e-9; e++) {
            int y = top + ph - (int) Math.round((e - ly0) / (ly1 - ly0) * ph);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(left, y, left + pw, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "1e%d", (int) e), left - 40, y + 4);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, pw, ph);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString("Cost of one wait while polling: g·W/Δ + f·Δ/2 (" + memoryMiB + " MiB function)", left, 28);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString("poll interval Δ (log scale)", left + pw / 2 - 70, h - 25);
        g.drawString("USD per wait (log)", 8, top - 8);
        Color[] palette = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44)};
        int k = 0;
        for (Series s : series) {
            Color c = palette[k % palette.length];
            g.setColor(c);
            g.setStroke(stroke(s.channel));
            // One path, so that the dash pattern runs along the whole curve.
            Path2D.Double path = new Path2D.Double();
            for (int i = 0; i < s.xs.size(); i++) {
                double x = left + (Math.log10(s.xs.get(i)) - lx0) / (lx1 - lx0) * pw;
                double y = top + ph - (Math.log10(s.ys.get(i)) - ly0) / (ly1 - ly0) * ph;
                if (i == 0) {
                    path.moveTo(x, y);
                } else {
                    path.lineTo(x, y);
                }
            }
            g.draw(path);
            int bx = left + (int) Math.round((Math.log10(s.bestX) - lx0) / (lx1 - lx0) * pw);
            int by = top + ph - (int) Math.round((Math.log10(s.bestY) - ly0) / (ly1 - ly0) * ph);
            g.fillOval(bx - 4, by - 4, 9, 9);
            int ly = top + 10 + k * 20;
            g.draw(new java.awt.geom.Line2D.Double(left + pw + 15, ly, left + pw + 45, ly));
            g.setColor(Color.BLACK);
            g.drawString(String.format(Locale.ROOT, "%s (Δ* %.0f ms)", s.label, s.bestX * 1e3), left + pw + 50, ly + 4);
            k++;
        }
        g.setColor(Color.BLACK);
        StringBuilder key = new StringBuilder();
        for (int i = 0; i < channels.size(); i++) {
            key.append(i == 0 ? "solid: " : i == 1 ? ", dashed: " : ", dash " + (i + 1) + ": ").append(channels.get(i));
        }
        g.drawString(key + "; dots: optimum", left + pw + 15, top + 10 + k * 20 + 10);
        g.dispose();
        return img;
    }
}
