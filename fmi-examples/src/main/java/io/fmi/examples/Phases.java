package io.fmi.examples;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The time one worker spent in each named phase of a job, in the order the phases first ran. A
 * phase that runs several times (once per training step) keeps every duration, so a report can
 * give its median as well as its total.
 *
 * <pre>
 * Phases p = new Phases();          // the clock starts now
 * generate(); p.lap("generate");    // the time since the last lap is "generate"
 * shuffle();  p.lap("shuffle");
 * p.totalMillis();                  // {generate=12.5, shuffle=40.1}
 * </pre>
 *
 * Not thread-safe: one worker's clock.
 */
public final class Phases {
    private final Map<String, List<Long>> nanos = new LinkedHashMap<>();
    private long mark = System.nanoTime();

    /** Restarts the clock without recording anything, e.g. after work that belongs to no phase. */
    public void restart() {
        mark = System.nanoTime();
    }

    /** Records the time since the last lap (or restart) as one run of {@code phase} and restarts the clock. */
    public void lap(String phase) {
        long now = System.nanoTime();
        nanos.computeIfAbsent(phase, k -> new ArrayList<>()).add(now - mark);
        mark = now;
    }

    /** Total milliseconds per phase, in the order the phases first ran. */
    public Map<String, Double> totalMillis() {
        Map<String, Double> out = new LinkedHashMap<>();
        nanos.forEach((k, v) -> out.put(k, v.stream().mapToLong(Long::longValue).sum() / 1e6));
        return out;
    }

    /** Median milliseconds of one run of each phase, in the order the phases first ran. */
    public Map<String, Double> medianMillis() {
        Map<String, Double> out = new LinkedHashMap<>();
        nanos.forEach((k, v) -> {
            long[] s = v.stream().mapToLong(Long::longValue).sorted().toArray();
            out.put(k, s.length % 2 == 1 ? s[s.length / 2] / 1e6 : (s[s.length / 2 - 1] + s[s.length / 2]) / 2e6);
        });
        return out;
    }

    /** How many times {@code phase} ran. */
    public int runs(String phase) {
        return nanos.getOrDefault(phase, List.of()).size();
    }

    @Override
    public String toString() {
        return "Phases" + Arrays.toString(totalMillis().entrySet().toArray());
    }
}
