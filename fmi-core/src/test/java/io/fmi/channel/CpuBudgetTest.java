package io.fmi.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CPU budget read from cgroup files laid out as the kernel lays them out (v1 and v2, quotas on
 * the process's own cgroup or on a parent), from Lambda's memory size, and from this host.
 */
@Timeout(30)
class CpuBudgetTest {
    @TempDir
    Path root;

    private void write(String path, String text) throws IOException {
        Path p = root.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    @Test
    void shouldTakeTheCoresWhenNoCgroupLimitsThem() throws IOException {
        write("proc/self/cgroup", "1:cpu:/\n0::/\n");
        write("sys/fs/cgroup/cpu/cpu.cfs_quota_us", "-1\n");
        write("sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n");
        CpuBudget b = CpuBudget.observe(root, Map.of(), 2);
        assertEquals(2.0, b.cpus());
        assertTrue(b.hasCoreOfItsOwn());
        assertEquals("2 cores available", b.source());
    }

    @Test
    void shouldReadAV1QuotaOfTheProcessesCgroup() throws IOException {
        write("proc/self/cgroup", "4:memory:/x\n2:cpu,cpuacct:/job/rank3\n");
        write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
        write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
        write("sys/fs/cgroup/cpu,cpuacct/job/rank3/cpu.cfs_quota_us", "50000\n");
        write("sys/fs/cgroup/cpu,cpuacct/job/rank3/cpu.cfs_period_us", "100000\n");
        CpuBudget b = CpuBudget.observe(root, Map.of(), 2);
        assertEquals(0.5, b.cpus(), 1e-9);
        assertFalse(b.hasCoreOfItsOwn(), "half a core is not a core of its own");
        assertEquals("cgroup CPU quota of 0.50 cores", b.source());
    }

    @Test
    void shouldTakeTheSmallestQuotaUpToTheMount() throws IOException {
        write("proc/self/cgroup", "0::/a/b\n");
        write("sys/fs/cgroup/a/cpu.max", "150000 100000\n");
        write("sys/fs/cgroup/a/b/cpu.max", "max 100000\n");
        assertEquals(1.5, CpuBudget.observe(root, Map.of(), 4).cpus(), 1e-9, "the parent's quota limits the child");
        write("sys/fs/cgroup/a/b/cpu.max", "25000 100000\n");
        assertEquals(0.25, CpuBudget.observe(root, Map.of(), 4).cpus(), 1e-9);
    }

    @Test
    void shouldNeverRaiseTheBudgetAboveTheCores() throws IOException {
        write("proc/self/cgroup", "0::/\n");
        write("sys/fs/cgroup/cpu.max", "400000 100000\n");
        assertEquals(2.0, CpuBudget.observe(root, Map.of(), 2).cpus());
    }

    @Test
    void shouldIgnoreFilesThatSayNothing() throws IOException {
        write("proc/self/cgroup", "garbage\n1:cpu:/\n0::/\n");
        write("sys/fs/cgroup/cpu/cpu.cfs_quota_us", "lots\n");
        write("sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n");
        write("sys/fs/cgroup/cpu.max", "\n");
        assertEquals(3.0, CpuBudget.observe(root, Map.of(), 3).cpus());
        assertEquals(3.0, CpuBudget.observe(root.resolve("nowhere"), Map.of(), 3).cpus(), "no /proc, no /sys: the cores");
    }

    @Test
    void shouldGiveALambdaFunctionItsShareOfAVcpuByMemory() {
        assertEquals(1.0, CpuBudget.observe(root, Map.of("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1769"), 2).cpus(), 1e-9);
        CpuBudget small = CpuBudget.observe(root, Map.of("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512"), 2);
        assertEquals(512 / 1769.0, small.cpus(), 1e-9);
        assertFalse(small.hasCoreOfItsOwn());
        assertEquals("Lambda function of 512 MB: 0.29 vCPU", small.source());
        assertEquals(2.0, CpuBudget.observe(root, Map.of("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "10240"), 2).cpus(),
                "a large function is limited by its cores");
        assertEquals(2.0, CpuBudget.observe(root, Map.of("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "much"), 2).cpus());
    }

    @Test
    void shouldMatchThisHost() {
        CpuBudget b = CpuBudget.host();
        int cores = Runtime.getRuntime().availableProcessors();
        assertTrue(b.cpus() > 0 && b.cpus() <= cores, b + " within (0, " + cores + "]");
    }

    @Test
    void shouldCountTheHostsOnlineCpusCappedByTheQuota() throws IOException {
        assertEquals(4, CpuBudget.onlineCpus("0-3\n", 1));
        assertEquals(5, CpuBudget.onlineCpus("0-1,4,8-9", 1));
        assertEquals(1, CpuBudget.onlineCpus("0", 7));
        assertEquals(7, CpuBudget.onlineCpus("zero-three", 7), "malformed: the fallback");
        assertEquals(7, CpuBudget.onlineCpus(null, 7), "unreadable: the fallback");

        write("proc/self/cgroup", "0::/\n");
        write("sys/devices/system/cpu/online", "0-7\n");
        assertEquals(8, CpuBudget.hostCpus(root, 1), "all online CPUs, not the affinity's 1");
        write("sys/fs/cgroup/cpu.max", "250000 100000\n");
        assertEquals(3, CpuBudget.hostCpus(root, 1), "a quota of 2.5 CPUs: 3 ranks can each hold one part of the time");
        write("sys/fs/cgroup/cpu.max", "10000 100000\n");
        assertEquals(1, CpuBudget.hostCpus(root, 1), "never below one");
        assertTrue(CpuBudget.hostCpus() >= 1);
    }
}
