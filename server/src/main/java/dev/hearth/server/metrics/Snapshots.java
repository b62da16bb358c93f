package dev.hearth.server.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the current values of labelled Prometheus metrics back as plain maps (for the JSON stats). */
public final class Snapshots {
    private Snapshots() {}

    /**
     * A counter's values summed by the value of {@code label}, over the data points whose {@code whereLabel} is
     * {@code whereValue} (every data point when {@code whereLabel} is null).
     */
    public static Map<String, Double> sumBy(Counter counter, String label, String whereLabel, String whereValue) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (CounterSnapshot.CounterDataPointSnapshot p : counter.collect().getDataPoints()) {
            if (whereLabel == null || whereValue.equals(p.getLabels().get(whereLabel))) {
                out.merge(p.getLabels().get(label), p.getValue(), Double::sum);
            }
        }
        return out;
    }

    /** A histogram's mean observation by the value of {@code label} (seconds, for latency histograms). */
    public static Map<String, Double> meanBy(Histogram histogram, String label) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (HistogramSnapshot.HistogramDataPointSnapshot p : histogram.collect().getDataPoints()) {
            if (p.getCount() > 0) {
                out.put(p.getLabels().get(label), p.getSum() / p.getCount());
            }
        }
        return out;
    }
}
