package io.fmi.examples.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG line charts of benchmark series (XChart), one series per channel. */
public final class Plots {
    private Plots() {
    }

    /** A chart with logarithmic axes; each series is {@code {xs, ys}}. */
    public static void logLog(Path file, String title, String xLabel, String yLabel, Map<String, double[][]> series) throws IOException {
        write(file, title, xLabel, yLabel, series, true);
    }

    /** A chart with linear axes. */
    public static void linear(Path file, String title, String xLabel, String yLabel, Map<String, double[][]> series) throws IOException {
        write(file, title, xLabel, yLabel, series, false);
    }

    private static void write(Path file, String title, String xLabel, String yLabel, Map<String, double[][]> series, boolean log)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        chart.getStyler().setXAxisLogarithmic(log);
        chart.getStyler().setYAxisLogarithmic(log);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        for (Map.Entry<String, double[][]> e : series.entrySet()) {
            double[][] s = e.getValue();
            boolean positive = true;
            for (double y : s[1]) {
                positive &= y > 0;
            }
            if (log && !positive) {
                continue; // a zero cannot sit on a log axis (e.g. a channel with no fee)
            }
            chart.addSeries(e.getKey(), s[0], s[1]).setMarker(SeriesMarkers.CIRCLE);
        }
        if (chart.getSeriesMap().isEmpty()) {
            return;
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
