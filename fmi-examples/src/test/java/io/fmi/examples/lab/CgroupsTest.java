package io.fmi.examples.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lambda's limits as control-group settings, written into a directory tree shaped like /sys/fs/cgroup. */
class CgroupsTest {
    @Test
    void shouldGiveOneVcpuPer1769Mb() {
        assertEquals(100_000, Cgroups.quotaMicros(1769));
        assertEquals(28_943, Cgroups.quotaMicros(512));
        assertEquals(7_236, Cgroups.quotaMicros(128));
        assertEquals(170_040, Cgroups.quotaMicros(3008));
        assertEquals(578_858, Cgroups.quotaMicros(10_240));
    }

    @Test
    void shouldFindTheOwnGroupPerController() {
        List<String> self = List.of("9:name=systemd:/", "4:memory:/jobs/42", "2:cpu,cpuacct:/", "0::/user.slice/x");
        assertEquals("jobs/42", Cgroups.own(self, "memory"));
        assertEquals("", Cgroups.own(self, "cpu"));
        assertEquals("user.slice/x", Cgroups.own(self, ""));
    }

    @Test
    void shouldWriteV1LimitsInsideTheOwnMemoryGroup(@TempDir Path sys) throws Exception {
        Files.createDirectories(sys.resolve("cpu"));
        Files.writeString(sys.resolve("cpu/cpu.cfs_quota_us"), "-1");
        Path own = Files.createDirectories(sys.resolve("memory/jobs/42"));
        Files.writeString(sys.resolve("memory/memory.limit_in_bytes"), "9223372036854771712");
        Path self = Files.writeString(sys.resolve("self"), "4:memory:/jobs/42\n1:cpu:/\n");
        Cgroups.Result r = Cgroups.detect(sys, self);
        assertTrue(r.cgroups.isPresent(), r.reason);
        try (Cgroups cg = r.cgroups.get()) {
            assertEquals("cgroup v1", cg.version());
            Cgroups.Group g = cg.create("fn0", 512);
            String lab = "fmi-lab-" + ProcessHandle.current().pid();
            assertEquals("28943", Files.readString(sys.resolve("cpu/" + lab + "/fn0/cpu.cfs_quota_us")));
            assertEquals("100000", Files.readString(sys.resolve("cpu/" + lab + "/fn0/cpu.cfs_period_us")));
            assertEquals(Long.toString(512L << 20), Files.readString(own.resolve(lab + "/fn0/memory.limit_in_bytes")));
            assertEquals(List.of(sys.resolve("cpu/" + lab + "/fn0/cgroup.procs"), own.resolve(lab + "/fn0/cgroup.procs")), g.procsFiles());
            assertEquals("0.289 vCPU (28943/100000 µs), 512 MiB", g.describe());
            Files.writeString(sys.resolve("cpu/" + lab + "/fn0/cpu.stat"), "nr_periods 10\nnr_throttled 4\nthrottled_time 123456789\n");
            assertEquals(123_456_789, g.throttledNanos());
        }
    }

    @Test
    void shouldWriteV2LimitsAndSayWhyNotWithoutControllers(@TempDir Path sys) throws Exception {
        Files.writeString(sys.resolve("cgroup.controllers"), "cpuset io pids\n");
        Path self = Files.writeString(sys.resolve("self"), "0::/\n");
        Cgroups.Result none = Cgroups.detect(sys, self);
        assertTrue(none.cgroups.isEmpty());
        assertTrue(none.reason.contains("expected: cpu and memory"), none.reason);

        Files.writeString(sys.resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");
        Cgroups.Result r = Cgroups.detect(sys, self);
        try (Cgroups cg = r.cgroups.orElseThrow()) {
            assertEquals("cgroup v2", cg.version());
            Cgroups.Group g = cg.create("fn3", 3008);
            Path dir = sys.resolve("fmi-lab-" + ProcessHandle.current().pid() + "/fn3");
            assertEquals("170040 100000", Files.readString(dir.resolve("cpu.max")));
            assertEquals(Long.toString(3008L << 20), Files.readString(dir.resolve("memory.max")));
            assertEquals("+cpu +memory", Files.readString(sys.resolve("cgroup.subtree_control")));
            Files.writeString(dir.resolve("cpu.stat"), "usage_usec 5\nthrottled_usec 250\n");
            assertEquals(250_000, g.throttledNanos());
        }
    }

    @Test
    void shouldSayWhyNotWithoutCgroups(@TempDir Path sys) {
        Cgroups.Result r = Cgroups.detect(sys, sys.resolve("missing"));
        assertTrue(r.cgroups.isEmpty());
        assertTrue(r.reason.contains("no cgroup v2"), r.reason);
    }
}
