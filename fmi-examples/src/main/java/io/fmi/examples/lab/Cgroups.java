package io.fmi.examples.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lambda's CPU share and memory cap for each function of a lab, through Linux control groups,
 * v1 or v2, whichever the host has. A function of {@code m} MB gets {@code m / 1769} of a CPU
 * (Lambda's figure: one vCPU at 1,769 MB) as a CFS quota per 100 ms period, and {@code m} MiB of
 * memory with no swap.
 *
 * <pre>
 * v1: /sys/fs/cgroup/cpu/&lt;own&gt;/fmi-lab-&lt;pid&gt;/&lt;fn&gt;/cpu.cfs_quota_us, cpu.cfs_period_us
 *     /sys/fs/cgroup/memory/&lt;own&gt;/fmi-lab-&lt;pid&gt;/&lt;fn&gt;/memory.limit_in_bytes
 * v2: /sys/fs/cgroup/&lt;own or root&gt;/fmi-lab-&lt;pid&gt;/&lt;fn&gt;/cpu.max, memory.max, memory.swap.max
 * </pre>
 * {@code <own>} is the group this process is in, so the lab's groups nest inside whatever limits
 * it has itself. A process joins its group by writing its pid to the group's {@code cgroup.procs}
 * before it execs the function ({@link Group#procsFiles()}), so the limits hold from its first
 * instruction. Not thread-safe.
 */
public abstract class Cgroups implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Cgroups.class);
    /** The memory size at which Lambda gives a function one vCPU, MB. */
    public static final int MB_PER_VCPU = 1769;
    /** The CFS period, µs (the kernel's default). */
    public static final long PERIOD_US = 100_000;

    final Path root;
    final String labName = "fmi-lab-" + ProcessHandle.current().pid();
    final List<Path> created = new ArrayList<>();

    Cgroups(Path root) {
        this.root = root;
    }

    /** The CPU quota of a function of {@code memoryMiB}, µs per {@link #PERIOD_US}: {@code memory / 1769} CPUs, at least 1 ms. */
    public static long quotaMicros(int memoryMiB) {
        return Math.max(1000, Math.round((double) memoryMiB / MB_PER_VCPU * PERIOD_US));
    }

    /** The host's control groups, or why the lab cannot use them (not root, no cpu or memory controller). */
    public static Result detect() {
        return detect(Path.of("/sys/fs/cgroup"), Path.of("/proc/self/cgroup"));
    }

    static Result detect(Path base, Path selfCgroup) {
        try {
            List<String> self = Files.exists(selfCgroup) ? Files.readAllLines(selfCgroup) : List.of();
            Path v2controllers = base.resolve("cgroup.controllers");
            if (Files.exists(v2controllers)) {
                String controllers = Files.readString(v2controllers);
                if (!controllers.contains("cpu") || !controllers.contains("memory")) {
                    return Result.no("cgroup v2 at " + base + " offers '" + controllers.trim() + "' (expected: cpu and memory)");
                }
                return Result.of(new V2(base, own(self, "")));
            }
            Path cpu = base.resolve("cpu");
            Path mem = base.resolve("memory");
            if (Files.exists(cpu.resolve("cpu.cfs_quota_us")) && Files.exists(mem.resolve("memory.limit_in_bytes"))) {
                return Result.of(new V1(base, own(self, "cpu"), own(self, "memory")));
            }
            return Result.no("no cgroup v2 at " + base + " and no v1 cpu and memory controllers under it");
        } catch (IOException e) {
            return Result.no("cannot read cgroups: " + e.getMessage());
        }
    }

    /** This process's group in the hierarchy of {@code controller} ("" for v2), from /proc/self/cgroup. */
    static String own(List<String> selfCgroup, String controller) {
        for (String line : selfCgroup) {
            String[] f = line.split(":", 3);
            if (f.length == 3 && (controller.isEmpty() ? f[0].equals("0") && f[1].isEmpty()
                    : List.of(f[1].split(",")).contains(controller))) {
                return f[2].startsWith("/") ? f[2].substring(1) : f[2];
            }
        }
        return "";
    }

    /** Either cgroups to use, or why not. Immutable. */
    public static final class Result {
        public final Optional<Cgroups> cgroups;
        public final String reason;

        private Result(Cgroups c, String reason) {
            this.cgroups = Optional.ofNullable(c);
            this.reason = reason;
        }

        static Result of(Cgroups c) {
            return new Result(c, null);
        }

        static Result no(String reason) {
            return new Result(null, reason);
        }
    }

    /** Creates the group of one function with Lambda's limits for {@code memoryMiB}. */
    public abstract Group create(String name, int memoryMiB) throws IOException;

    /** "cgroup v1" or "cgroup v2". */
    public abstract String version();

    /** Removes the groups this instance made (their processes must have ended). */
    @Override
    public void close() {
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                Files.deleteIfExists(created.get(i));
            } catch (IOException e) {
                log.debug("cannot remove {}: {}", created.get(i), e.getMessage());
            }
        }
        created.clear();
    }

    Path mkdir(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectory(dir);
            created.add(dir);
        }
        return dir;
    }

    static void write(Path file, String value) throws IOException {
        Files.writeString(file, value, StandardCharsets.US_ASCII);
    }

    static long readLong(Path file) {
        try {
            String s = Files.readString(file).trim();
            return s.equals("max") ? Long.MAX_VALUE : Long.parseLong(s);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** The value of {@code key} in a flat-keyed file ({@code cpu.stat}, {@code memory.events}); -1 if absent. */
    static long keyed(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 2 && f[0].equals(key)) {
                    return Long.parseLong(f[1]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // absent: -1
        }
        return -1;
    }

    /** The group of one function. */
    public abstract static class Group {
        /** Files a process writes its pid to, to join this group. */
        public abstract List<Path> procsFiles();

        /** Peak memory use of the group (RSS and page cache), bytes; -1 if the kernel does not keep it. */
        public abstract long peakMemoryBytes();

        /** Time the group was throttled for exceeding its CPU quota, ns; -1 if unknown. */
        public abstract long throttledNanos();

        /** Processes of the group the kernel killed for exceeding its memory limit; -1 if unknown. */
        public abstract long oomKills();

        /** The limits, e.g. {@code "0.289 vCPU (28943/100000 µs), 512 MiB"}. */
        public abstract String describe();
    }

    static String describe(long quota, int memoryMiB) {
        return String.format(Locale.ROOT, "%.3f vCPU (%d/%d µs), %d MiB", (double) quota / PERIOD_US, quota, PERIOD_US, memoryMiB);
    }

    /** cgroup v1: separate cpu and memory hierarchies. */
    static final class V1 extends Cgroups {
        private final Path cpuLab;
        private final Path memLab;

        V1(Path base, String ownCpu, String ownMemory) {
            super(base);
            this.cpuLab = base.resolve("cpu").resolve(ownCpu).resolve(labName);
            this.memLab = base.resolve("memory").resolve(ownMemory).resolve(labName);
        }

        @Override
        public String version() {
            return "cgroup v1";
        }

        @Override
        public Group create(String name, int memoryMiB) throws IOException {
            mkdir(cpuLab);
            mkdir(memLab);
            Path cpu = mkdir(cpuLab.resolve(name));
            Path mem = mkdir(memLab.resolve(name));
            long quota = quotaMicros(memoryMiB);
            write(cpu.resolve("cpu.cfs_period_us"), Long.toString(PERIOD_US));
            write(cpu.resolve("cpu.cfs_quota_us"), Long.toString(quota));
            write(mem.resolve("memory.limit_in_bytes"), Long.toString((long) memoryMiB << 20));
            if (Files.exists(mem.resolve("memory.memsw.limit_in_bytes"))) {
                // Lambda has no swap: memory + swap is capped at the same figure.
                write(mem.resolve("memory.memsw.limit_in_bytes"), Long.toString((long) memoryMiB << 20));
            }
            if (Files.exists(mem.resolve("memory.swappiness"))) {
                write(mem.resolve("memory.swappiness"), "0");
            }
            return new Group() {
                @Override
                public List<Path> procsFiles() {
                    return List.of(cpu.resolve("cgroup.procs"), mem.resolve("cgroup.procs"));
                }

                @Override
                public long peakMemoryBytes() {
                    return readLong(mem.resolve("memory.max_usage_in_bytes"));
                }

                @Override
                public long throttledNanos() {
                    return keyed(cpu.resolve("cpu.stat"), "throttled_time");
                }

                @Override
                public long oomKills() {
                    return keyed(mem.resolve("memory.oom_control"), "oom_kill");
                }

                @Override
                public String describe() {
                    return Cgroups.describe(quota, memoryMiB);
                }
            };
        }
    }

    /** cgroup v2: one hierarchy; the lab's group needs the cpu and memory controllers enabled above it. */
    static final class V2 extends Cgroups {
        private final String own;
        private Path lab;

        V2(Path base, String own) {
            super(base);
            this.own = own;
        }

        @Override
        public String version() {
            return "cgroup v2";
        }

        private Path lab() throws IOException {
            if (lab != null) {
                return lab;
            }
            // Controllers can be enabled for children only in a group without processes of its own
            // (the root excepted): this process's group qualifies only if it is the root.
            IOException first = null;
            for (String parent : own.isEmpty() ? List.of("") : List.of(own, "")) {
                Path p = root.resolve(parent);
                try {
                    write(p.resolve("cgroup.subtree_control"), "+cpu +memory");
                    Path l = mkdir(p.resolve(labName));
                    write(l.resolve("cgroup.subtree_control"), "+cpu +memory");
                    lab = l;
                    return l;
                } catch (IOException e) {
                    if (first == null) {
                        first = e;
                    }
                }
            }
            throw new IOException("cannot enable the cpu and memory controllers for the lab's groups under " + root.resolve(own)
                    + " or " + root + ": " + first.getMessage(), first);
        }

        @Override
        public Group create(String name, int memoryMiB) throws IOException {
            Path g = mkdir(lab().resolve(name));
            long quota = quotaMicros(memoryMiB);
            write(g.resolve("cpu.max"), quota + " " + PERIOD_US);
            write(g.resolve("memory.max"), Long.toString((long) memoryMiB << 20));
            if (Files.exists(g.resolve("memory.swap.max"))) {
                write(g.resolve("memory.swap.max"), "0");
            }
            return new Group() {
                @Override
                public List<Path> procsFiles() {
                    return List.of(g.resolve("cgroup.procs"));
                }

                @Override
                public long peakMemoryBytes() {
                    return readLong(g.resolve("memory.peak"));
                }

                @Override
                public long throttledNanos() {
                    long us = keyed(g.resolve("cpu.stat"), "throttled_usec");
                    return us < 0 ? -1 : us * 1000;
                }

                @Override
                public long oomKills() {
                    return keyed(g.resolve("memory.events"), "oom_kill");
                }

                @Override
                public String describe() {
                    return Cgroups.describe(quota, memoryMiB);
                }
            };
        }
    }
}
