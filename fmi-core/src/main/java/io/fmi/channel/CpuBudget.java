package io.fmi.channel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How many cores this process may keep busy, as far as it can observe: the cores it may run on,
 * its cgroup's CPU quota, and on AWS Lambda its memory size, to which Lambda ties the CPU share
 * (one vCPU at 1,769 MB, proportionally less below). A fraction below 1 means the process does not
 * even have one core of its own: a thread that polls there spends the quota the function's work
 * needs and is throttled for the rest of the period.
 *
 * <ul>
 *   <li><b>Cores</b>: {@link Runtime#availableProcessors()}, which follows the CPU affinity
 *       ({@code taskset}) but rounds a quota up to whole cores.</li>
 *   <li><b>cgroup v2</b>: {@code cpu.max} ({@code "<quota> <period>"}, or {@code "max"}) of the
 *       process's cgroup (from {@code /proc/self/cgroup}) and of each parent up to the mount.</li>
 *   <li><b>cgroup v1</b>: {@code cpu.cfs_quota_us} / {@code cpu.cfs_period_us} of the {@code cpu}
 *       controller's cgroup and its parents ({@code -1}: no quota).</li>
 *   <li><b>Lambda</b>: {@code AWS_LAMBDA_FUNCTION_MEMORY_SIZE} / 1,769 MB.</li>
 * </ul>
 * The budget is the smallest of those the host shows.
 *
 * <p>Immutable and thread-safe.
 */
public final class CpuBudget {
    /** Lambda's memory size per vCPU: a function of this many MB has one vCPU. */
    public static final int LAMBDA_MB_PER_VCPU = 1769;
    private static final CpuBudget HOST = observe(Path.of("/"), System.getenv(), Runtime.getRuntime().availableProcessors());
    private static final int HOST_CPUS = hostCpus(Path.of("/"), Runtime.getRuntime().availableProcessors());

    private final double cpus;
    private final String source;

    private CpuBudget(double cpus, String source) {
        this.cpus = cpus;
        this.source = source;
    }

    /**
     * The budget of this process, read once.
     *
     * @return what this JVM observed at start
     */
    public static CpuBudget host() {
        return HOST;
    }

    /**
     * Reads the budget from the files under {@code root} ({@code proc/self/cgroup},
     * {@code sys/fs/cgroup/...}), the environment {@code env} and {@code cores}: the host's own
     * with {@code /}, or a prepared tree in tests.
     *
     * @param root  where {@code proc} and {@code sys} are
     * @param env   the environment variables
     * @param cores the cores the process may run on
     * @return the budget
     */
    public static CpuBudget observe(Path root, Map<String, String> env, int cores) {
        double cpus = cores;
        String source = cores + " cores available";
        Optional<Double> quota = cgroupQuota(root);
        if (quota.isPresent() && quota.get() < cpus) {
            cpus = quota.get();
            source = String.format(java.util.Locale.ROOT, "cgroup CPU quota of %.2f cores", cpus);
        }
        String mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE");
        if (mb != null && mb.matches("\\d{1,7}")) {
            double lambda = Integer.parseInt(mb) / (double) LAMBDA_MB_PER_VCPU;
            if (lambda < cpus) {
                cpus = lambda;
                source = String.format(java.util.Locale.ROOT, "Lambda function of %s MB: %.2f vCPU", mb, lambda);
            }
        }
        return new CpuBudget(cpus, source);
    }

    /**
     * The CPUs that all processes of a job on this host share: the host's online CPUs
     * ({@code /sys/devices/system/cpu/online}), not only those of this process's affinity, capped
     * by this process's cgroup quota (rounded up). Ranks of one job on one machine that outnumber
     * them take turns on the cores, so a rank that polls keeps the rank it waits for off its core.
     *
     * @return at least 1
     */
    public static int hostCpus() {
        return HOST_CPUS;
    }

    /**
     * {@link #hostCpus()} read from the files under {@code root}; {@code fallback} when the online
     * list cannot be read.
     */
    static int hostCpus(Path root, int fallback) {
        int online = onlineCpus(read(root.resolve("sys/devices/system/cpu/online")), fallback);
        Optional<Double> quota = cgroupQuota(root);
        if (quota.isPresent()) {
            online = (int) Math.min(online, Math.max(1, Math.ceil(quota.get())));
        }
        return Math.max(1, online);
    }

    /** Counts the CPUs of a Linux CPU list such as {@code "0-3,8,10-11"}; {@code fallback} when it is null or malformed. */
    static int onlineCpus(String list, int fallback) {
        if (list == null || list.isBlank()) {
            return fallback;
        }
        int n = 0;
        try {
            for (String part : list.trim().split(",")) {
                int dash = part.indexOf('-');
                n += dash < 0 ? 1 : Integer.parseInt(part.substring(dash + 1).trim()) - Integer.parseInt(part.substring(0, dash).trim()) + 1;
            }
        } catch (NumberFormatException e) {
            return fallback;
        }
        return n > 0 ? n : fallback;
    }

    /** @return the cores this process may keep busy; may be a fraction */
    public double cpus() {
        return cpus;
    }

    /** @return whether the process has at least one core of its own */
    public boolean hasCoreOfItsOwn() {
        return cpus >= 1;
    }

    /** @return what limits the budget, for logs: e.g. {@code "cgroup CPU quota of 0.50 cores"} */
    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return source;
    }

    /** The smallest quota on the path from the process's cgroup up to its mount, in cores; empty when there is none. */
    private static Optional<Double> cgroupQuota(Path root) {
        List<String> lines;
        try {
            lines = Files.readAllLines(root.resolve("proc/self/cgroup"), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            lines = List.of();
        }
        Path fs = root.resolve("sys/fs/cgroup");
        Double best = null;
        for (String line : lines) {
            // "<id>:<controllers>:<path>"; v2 is "0::<path>"
            String[] f = line.split(":", 3);
            if (f.length < 3) {
                continue;
            }
            String path = f[2].startsWith("/") ? f[2].substring(1) : f[2];
            if (f[0].equals("0") && f[1].isEmpty()) {
                best = min(best, walk(fs, path, true));
            } else if (List.of(f[1].split(",")).contains("cpu")) {
                best = min(best, walk(fs.resolve(f[1]), path, false));
                best = min(best, walk(fs.resolve("cpu"), path, false)); // mounted as "cpu" with a "cpu,cpuacct" link, or alone
            }
        }
        if (lines.isEmpty()) {
            best = min(best, walk(fs, "", true));
            best = min(best, walk(fs.resolve("cpu"), "", false));
        }
        return Optional.ofNullable(best);
    }

    /** The smallest quota from {@code mount/path} up to {@code mount}. */
    private static Double walk(Path mount, String path, boolean v2) {
        Double best = null;
        Path p = path.isEmpty() ? mount : mount.resolve(path);
        while (p != null && p.startsWith(mount)) {
            best = min(best, v2 ? v2Quota(p) : v1Quota(p));
            if (p.equals(mount)) {
                break;
            }
            p = p.getParent();
        }
        return best;
    }

    private static Double v2Quota(Path dir) {
        String s = read(dir.resolve("cpu.max"));
        if (s == null) {
            return null;
        }
        String[] f = s.trim().split("\\s+");
        if (f.length != 2 || f[0].equals("max")) {
            return null;
        }
        return ratio(f[0], f[1]);
    }

    private static Double v1Quota(Path dir) {
        String q = read(dir.resolve("cpu.cfs_quota_us"));
        String p = read(dir.resolve("cpu.cfs_period_us"));
        return q == null || p == null ? null : ratio(q.trim(), p.trim());
    }

    private static Double ratio(String quota, String period) {
        try {
            long q = Long.parseLong(quota);
            long p = Long.parseLong(period);
            return q > 0 && p > 0 ? q / (double) p : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String read(Path p) {
        try {
            return Files.isRegularFile(p) ? Files.readString(p, StandardCharsets.UTF_8) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Double min(Double a, Double b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return Math.min(a, b);
    }
}
