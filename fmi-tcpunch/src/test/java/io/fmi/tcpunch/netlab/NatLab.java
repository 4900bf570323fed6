package io.fmi.tcpunch.netlab;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A NAT lab in Linux network namespaces: two hosts, each behind its own NAT router that does
 * MASQUERADE and drops unsolicited inbound packets, both hosts with the same private address, and an
 * "internet" bridge between the routers where the rendezvous server runs.
 * <pre>
 *                      {serverNs}  bridge 100.64.0.1/24
 *                       /                          \
 *   {natA}  WAN 100.64.0.2, LAN 192.168.1.1    {natB}  WAN 100.64.0.3, LAN 192.168.1.1
 *        |                                          |
 *   {hostA} 192.168.1.2                         {hostB} 192.168.1.2
 *                         (--same-lan: hostB = 192.168.1.3 on natA's LAN)
 * </pre>
 * Namespaces are named {@code fmi-<pid>-<role>}, so labs of parallel builds do not collide, and
 * {@link #up} first deletes labs left behind by processes that no longer run. Needs root, iproute2
 * and iptables; {@link #assumeAvailable()} skips a test class without them, or fails it when the
 * environment variable {@code CI} is {@code true}.
 *
 * <pre>
 * &#64;BeforeAll static void lab() { NatLab.assumeAvailable(); }
 *
 * try (NatLab lab = NatLab.up(NatLab.Options.portPreserving())) {
 *     LabProcess server = lab.startJava(lab.serverNs(), "io.fmi.tcpunch.internal.cli.Main", "server", "--port", "10000",
 *             "--insecure");
 *     server.awaitOutput("ready", Duration.ofSeconds(20));
 *     LabProcess a = lab.startJava(lab.hostA(), MyPeer.class.getName(), NatLab.SERVER_IP + ":10000");
 *     ...
 * }   // close() kills the processes and deletes the namespaces
 * </pre>
 * Java processes run with this JVM's {@code java} and class path, so any class of the calling
 * module's test class path can be the main class. Not thread-safe: one lab per test at a time.
 */
public final class NatLab implements AutoCloseable {
    /** The server's address on the lab's internet. */
    public static final String SERVER_IP = "100.64.0.1";
    public static final String NAT_A_IP = "100.64.0.2";
    public static final String NAT_B_IP = "100.64.0.3";
    public static final String HOST_A_IP = "192.168.1.2";
    /** hostB's address: the same as hostA's, or {@code 192.168.1.3} with {@link Options#sameLan()}. */
    public static final String HOST_B_IP_SAME_LAN = "192.168.1.3";

    private static final String PREFIX = "fmi-";
    private static final Pattern LAB_NS = Pattern.compile("^fmi-(\\d+)-(inet|nata|natb|hosta|hostb|nat\\d+|host\\d+)\\b.*");
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    /**
     * Added to {@link #COMMAND_TIMEOUT} per host of the set-up script: each host is some 25
     * {@code ip} and {@code iptables} processes, which take 0.1 s or more each on a loaded machine.
     */
    private static final Duration SETUP_TIME_PER_HOST = Duration.ofSeconds(3);
    /** Most hosts of {@link #upWithUplink}: NAT WAN addresses 100.x.1.1 to 100.x.4.254. */
    public static final int MAX_HOSTS = 1000;

    private final String tag;
    private final Options options;
    private final List<LabProcess> processes = new ArrayList<>();
    /** Hosts of an {@link #upWithUplink} lab, each behind its own NAT; 0 for the two-host lab of {@link #up}. */
    private final int hosts;
    /** The lab internet's /16 of an {@link #upWithUplink} lab, e.g. {@code "100.71"}; null for {@link #up}. */
    private final String net;
    private boolean down;

    /** Lab variants. Immutable. */
    public static final class Options {
        private final boolean randomFully;
        private final boolean sameLan;

        private Options(boolean randomFully, boolean sameLan) {
            this.randomFully = randomFully;
            this.sameLan = sameLan;
        }

        /** Two NATs that keep the source port when they can (Linux MASQUERADE's default). */
        public static Options portPreserving() {
            return new Options(false, false);
        }

        /** {@code MASQUERADE --random-fully}: a new random public port per connection, like symmetric NAT. */
        public Options randomFully() {
            return new Options(true, sameLan);
        }

        /** hostB sits on natA's LAN at {@code 192.168.1.3}: both peers behind one NAT; natB is unused. */
        public Options sameLan() {
            return new Options(randomFully, true);
        }

        @Override
        public String toString() {
            return (randomFully ? "random-fully" : "port-preserving") + (sameLan ? ", same LAN" : "");
        }
    }

    private NatLab(String tag, Options options, int hosts, String net) {
        this.tag = tag;
        this.options = options;
        this.hosts = hosts;
        this.net = net;
    }

    /** Why the lab cannot run here, or empty if it can. */
    public static Optional<String> unavailableReason() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return Optional.of("the NAT lab needs Linux network namespaces (os.name=" + System.getProperty("os.name") + ")");
        }
        try {
            ExecResult id = run(List.of("id", "-u"), Duration.ofSeconds(5));
            if (!id.stdout.trim().equals("0")) {
                return Optional.of("the NAT lab needs root (uid " + id.stdout.trim() + ")");
            }
        } catch (IOException e) {
            return Optional.of("cannot run 'id -u': " + e.getMessage());
        }
        for (String tool : new String[] {"ip", "iptables"}) {
            try {
                if (run(List.of("sh", "-c", "command -v " + tool), Duration.ofSeconds(5)).exitCode != 0) {
                    return Optional.of("the NAT lab needs '" + tool + "' (iproute2 and iptables) on the PATH");
                }
            } catch (IOException e) {
                return Optional.of("cannot look for '" + tool + "': " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** Skips the calling test (class) when the lab cannot run here; fails it instead when {@code CI=true}. */
    public static void assumeAvailable() {
        Optional<String> reason = unavailableReason();
        if (reason.isPresent()) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail("CI=true but " + reason.get());
            }
            Assumptions.abort("NAT lab skipped: " + reason.get() + " (set up root, iproute2 and iptables to run it)");
        }
    }

    /** Builds a lab; any lab of this process or of dead processes is deleted first. */
    public static NatLab up(Options options) {
        cleanLeftovers();
        NatLab lab = new NatLab(PREFIX + ProcessHandle.current().pid() + "-", options, 0, null);
        try {
            lab.sh(lab.script(options));
        } catch (RuntimeException e) {
            lab.down();
            throw e;
        }
        return lab;
    }

    /**
     * A lab of {@code hosts} hosts, each behind a NAT router of its own, and an <em>uplink</em>: a
     * veth pair that puts the network namespace of this process on the lab's internet at
     * {@link #uplinkIp()}. Servers that this JVM runs on that address (a rendezvous server, stores,
     * an API) are reachable from every host through its NAT, as servers on the internet are, and
     * from nowhere else.
     * <pre>
     *   this process's namespace: {uplinkIp} = 100.X.0.1/16 ── bridge in {serverNs} (100.X.0.2)
     *                                                            |
     *   {nat(i)}  WAN {natWanIp(i)}, LAN 192.168.1.1, MASQUERADE, drops unsolicited inbound
     *        |
     *   {host(i)} 192.168.1.2 (the same private address on every host)
     * </pre>
     * The internet is a /16 of 100.64.0.0/10 that no interface or route of this namespace uses yet
     * (chosen under a file lock, so parallel labs on one machine take different ones). The uplink
     * goes with {@link #down()}: deleting the internet's namespace deletes the veth pair.
     *
     * @param hosts 1 to {@value #MAX_HOSTS}
     */
    public static NatLab upWithUplink(int hosts, Options options) {
        if (hosts < 1 || hosts > MAX_HOSTS) {
            throw new IllegalArgumentException("hosts: " + hosts + " (expected: 1.." + MAX_HOSTS + ")");
        }
        if (options.sameLan) {
            throw new IllegalArgumentException("options: same LAN (expected: each host behind its own NAT)");
        }
        cleanLeftovers();
        long pid = ProcessHandle.current().pid();
        Path lockFile = Path.of(System.getProperty("java.io.tmpdir"), "fmi-netlab.lock");
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lockFile,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
             java.nio.channels.FileLock lock = ch.lock()) {
            String used = run(List.of("ip", "-4", "-o", "addr", "show"), COMMAND_TIMEOUT).stdout
                    + run(List.of("ip", "-4", "route", "show"), COMMAND_TIMEOUT).stdout;
            String net = null;
            for (int i = 0; i < 64 && net == null; i++) {
                String candidate = "100." + (64 + (int) ((pid + i) % 64));
                if (!used.contains(" " + candidate + ".") && !used.contains("\n" + candidate + ".") && !used.startsWith(candidate + ".")) {
                    net = candidate;
                }
            }
            if (net == null) {
                throw new IllegalStateException("NAT lab: every /16 of 100.64.0.0/10 is in use in this network namespace");
            }
            NatLab lab = new NatLab(PREFIX + pid + "-", options, hosts, net);
            try {
                lab.sh(lab.uplinkScript());
            } catch (RuntimeException e) {
                lab.down();
                throw e;
            }
            return lab;
        } catch (IOException e) {
            throw new IllegalStateException("NAT lab: cannot lock " + lockFile + ": " + e.getMessage(), e);
        }
    }

    /** Deletes lab namespaces of this process and of processes that no longer run. */
    public static void cleanLeftovers() {
        try {
            String list = run(List.of("ip", "netns", "list"), COMMAND_TIMEOUT).stdout;
            long me = ProcessHandle.current().pid();
            for (String line : list.split("\n")) {
                Matcher m = LAB_NS.matcher(line.trim());
                if (!m.matches()) {
                    continue;
                }
                long pid = Long.parseLong(m.group(1));
                if (pid == me || ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)) {
                    String ns = line.trim().split("\\s+")[0];
                    run(List.of("ip", "netns", "del", ns), COMMAND_TIMEOUT);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list network namespaces: " + e.getMessage(), e);
        }
    }

    public String serverNs() {
        return tag + "inet";
    }

    public String natA() {
        return tag + "nata";
    }

    public String natB() {
        return tag + "natb";
    }

    public String hostA() {
        return tag + "hosta";
    }

    public String hostB() {
        return tag + "hostb";
    }

    public Options options() {
        return options;
    }

    /** Host {@code i} of an {@link #upWithUplink} lab, {@code 0 <= i < hosts()}. */
    public String host(int i) {
        return tag + "host" + checkHost(i);
    }

    /** The NAT router of host {@code i} of an {@link #upWithUplink} lab. */
    public String nat(int i) {
        return tag + "nat" + checkHost(i);
    }

    /** The public (internet) address of host {@code i}'s NAT in an {@link #upWithUplink} lab. */
    public String natWanIp(int i) {
        checkHost(i);
        return net + "." + (1 + i / 254) + "." + (1 + i % 254);
    }

    /** The number of hosts of an {@link #upWithUplink} lab; 0 for the two-host lab of {@link #up}. */
    public int hosts() {
        return hosts;
    }

    /** The address of this process's namespace on the lab's internet ({@link #upWithUplink} labs). */
    public String uplinkIp() {
        if (net == null) {
            throw new IllegalStateException("this lab has no uplink (made by NatLab.up, not NatLab.upWithUplink)");
        }
        return net + ".0.1";
    }

    /** The name of the uplink's interface in this process's namespace ({@link #upWithUplink} labs). */
    public String uplinkInterface() {
        uplinkIp();
        return "fmiu" + tag.substring(PREFIX.length(), tag.length() - 1);
    }

    private int checkHost(int i) {
        if (i < 0 || i >= hosts) {
            throw new IllegalArgumentException("host: " + i + " (expected: 0.." + (hosts - 1) + " of a lab made by NatLab.upWithUplink)");
        }
        return i;
    }

    private List<String> namespaces() {
        List<String> all = new ArrayList<>();
        if (hosts == 0) {
            all.addAll(List.of(hostA(), hostB(), natA(), natB()));
        } else {
            for (int i = 0; i < hosts; i++) {
                all.add(host(i));
                all.add(nat(i));
            }
        }
        all.add(serverNs());
        return all;
    }

    private String uplinkScript() {
        String rf = options.randomFully ? " --random-fully" : "";
        String inet = serverNs();
        StringBuilder s = new StringBuilder("set -eu\n");
        for (String ns : namespaces()) {
            s.append("ip netns add ").append(ns).append("\nip -n ").append(ns).append(" link set lo up\n");
        }
        s.append("ip -n ").append(inet).append(" link add fmibr0 type bridge\n")
                .append("ip -n ").append(inet).append(" addr add ").append(net).append(".0.2/16 dev fmibr0\n")
                .append("ip -n ").append(inet).append(" link set fmibr0 up\n")
                // the uplink: one end here, the other a port of the internet's bridge
                .append("ip link add ").append(uplinkInterface()).append(" type veth peer name up0 netns ").append(inet).append('\n')
                .append("ip -n ").append(inet).append(" link set up0 master fmibr0\n")
                .append("ip -n ").append(inet).append(" link set up0 up\n")
                .append("ip addr add ").append(uplinkIp()).append("/16 dev ").append(uplinkInterface()).append('\n')
                .append("ip link set ").append(uplinkInterface()).append(" up\n");
        for (int i = 0; i < hosts; i++) {
            nat(s, Integer.toString(i), nat(i), natWanIp(i) + "/16", rf);
            host(s, host(i), Integer.toString(i), nat(i), "fl" + i, HOST_A_IP);
        }
        return s.toString();
    }

    private String script(Options o) {
        String rf = o.randomFully ? " --random-fully" : "";
        StringBuilder s = new StringBuilder("set -eu\n");
        for (String ns : List.of(serverNs(), natA(), natB(), hostA(), hostB())) {
            s.append("ip netns add ").append(ns).append("\nip -n ").append(ns).append(" link set lo up\n");
        }
        String inet = serverNs();
        s.append("ip -n ").append(inet).append(" link add fmibr0 type bridge\n")
                .append("ip -n ").append(inet).append(" addr add ").append(SERVER_IP).append("/24 dev fmibr0\n")
                .append("ip -n ").append(inet).append(" link set fmibr0 up\n");
        nat(s, "a", natA(), NAT_A_IP + "/24", rf);
        nat(s, "b", natB(), NAT_B_IP + "/24", rf);
        host(s, hostA(), "a", natA(), "fla", HOST_A_IP);
        if (o.sameLan) {
            host(s, hostB(), "b", natA(), "fla", HOST_B_IP_SAME_LAN);
        } else {
            host(s, hostB(), "b", natB(), "flb", HOST_A_IP);
        }
        return s.toString();
    }

    /** Adds NAT router {@code ns} with WAN address {@code wanCidr} (address/prefix) on the internet's bridge. */
    private void nat(StringBuilder s, String side, String ns, String wanCidr, String randomFully) {
        String inet = serverNs();
        String wan = "fw" + side;
        String lan = "fl" + side;
        // veth ends are created directly inside the namespaces, so parallel labs share no interface names
        s.append("ip link add ").append(wan).append(" netns ").append(ns).append(" type veth peer name fwp").append(side)
                .append(" netns ").append(inet).append('\n')
                .append("ip -n ").append(inet).append(" link set fwp").append(side).append(" master fmibr0\n")
                .append("ip -n ").append(inet).append(" link set fwp").append(side).append(" up\n")
                .append("ip -n ").append(ns).append(" addr add ").append(wanCidr).append(" dev ").append(wan).append('\n')
                .append("ip -n ").append(ns).append(" link set ").append(wan).append(" up\n")
                .append("ip -n ").append(ns).append(" link add ").append(lan).append(" type bridge\n")
                .append("ip -n ").append(ns).append(" addr add 192.168.1.1/24 dev ").append(lan).append('\n')
                .append("ip -n ").append(ns).append(" link set ").append(lan).append(" up\n")
                .append("ip netns exec ").append(ns).append(" sysctl -qw net.ipv4.ip_forward=1\n");
        String ipt = "ip netns exec " + ns + " iptables ";
        s.append(ipt).append("-t nat -A POSTROUTING -o ").append(wan).append(" -j MASQUERADE").append(randomFully).append('\n')
                .append(ipt).append("-A FORWARD -i ").append(wan).append(" -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n")
                .append(ipt).append("-A FORWARD -i ").append(wan).append(" -j DROP\n")
                .append(ipt).append("-A INPUT -i ").append(wan).append(" -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n")
                .append(ipt).append("-A INPUT -i ").append(wan).append(" -j DROP\n");
    }

    private void host(StringBuilder s, String ns, String side, String natNs, String lan, String ip) {
        s.append("ip link add eh").append(side).append(" netns ").append(ns).append(" type veth peer name ph").append(side)
                .append(" netns ").append(natNs).append('\n')
                .append("ip -n ").append(natNs).append(" link set ph").append(side).append(" master ").append(lan).append('\n')
                .append("ip -n ").append(natNs).append(" link set ph").append(side).append(" up\n")
                .append("ip -n ").append(ns).append(" addr add ").append(ip).append("/24 dev eh").append(side).append('\n')
                .append("ip -n ").append(ns).append(" link set eh").append(side).append(" up\n")
                .append("ip -n ").append(ns).append(" route add default via 192.168.1.1\n");
    }

    private void sh(String script) {
        Duration limit = COMMAND_TIMEOUT.plus(SETUP_TIME_PER_HOST.multipliedBy(Math.max(2, hosts)));
        ExecResult r;
        try {
            // -x: bash writes each command to stderr before running it, so a failure names its step
            r = run(List.of("bash", "-x", "-c", script), limit);
        } catch (IOException e) {
            throw new IllegalStateException("NAT lab setup failed: cannot run bash: " + e.getMessage(), e);
        }
        if (r.timedOut || r.exitCode != 0) {
            throw new IllegalStateException(setupFailure(r, limit, Math.max(2, hosts)));
        }
    }

    /** Bash's report of a command killed by a signal, as the time limit's kill makes it. */
    private static final java.util.regex.Pattern KILLED_BY_US = java.util.regex.Pattern.compile("bash: line \\d+:\\s+\\d+ Killed(\\s.*)?");

    /** Why the set-up script failed: the step it was in, the limit it hit or its exit code, and its stderr. */
    static String setupFailure(ExecResult r, Duration limit, int hosts) {
        String step = "(none started)";
        StringBuilder errors = new StringBuilder();
        for (String line : r.stderr.split("\n")) {
            if (line.startsWith("+ ")) {
                step = line.substring(2).trim();
            } else if (r.timedOut && KILLED_BY_US.matcher(line.trim()).matches()) {
                // bash reporting the step the time limit killed ("bash: line 4:  2685 Killed  sleep 20"), when the
                // kill reaches the step before bash: the lab's own doing, already said, not the script's error
            } else if (!line.isBlank()) {
                errors.append(errors.length() == 0 ? "" : " | ").append(line.trim());
            }
        }
        String stderr = errors.length() == 0 ? "nothing" : errors.toString();
        if (r.timedOut) {
            return "NAT lab setup timed out after " + limit.toSeconds() + " s (the limit for " + hosts + " hosts: "
                    + COMMAND_TIMEOUT.toSeconds() + " s + " + SETUP_TIME_PER_HOST.toSeconds() + " s per host; the machine may be"
                    + " overloaded) in step: " + step + "; stderr: " + stderr;
        }
        return "NAT lab setup failed (exit " + r.exitCode + ") in step: " + step + "; stderr: " + stderr;
    }

    /** Runs a command inside namespace {@code ns} and waits for it (at most 30 s). */
    public ExecResult exec(String ns, String... command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        cmd.addAll(List.of(command));
        return run(cmd, COMMAND_TIMEOUT);
    }

    /**
     * Starts {@code mainClass} in namespace {@code ns} with this JVM's {@code java} and class path;
     * the process is killed by {@link #close()} if it still runs.
     */
    public LabProcess startJava(String ns, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=" + System.getProperty("natlab.logLevel", "info"),
                mainClass));
        cmd.addAll(List.of(args));
        LabProcess p = new LabProcess(ns + " " + mainClass, new ProcessBuilder(cmd).start());
        processes.add(p);
        return p;
    }

    /** Kills the lab's processes and deletes its namespaces. Idempotent. */
    public void down() {
        if (down) {
            return;
        }
        down = true;
        for (LabProcess p : processes) {
            p.destroy();
        }
        for (String ns : namespaces()) {
            try {
                run(List.of("ip", "netns", "del", ns), COMMAND_TIMEOUT);
            } catch (IOException e) {
                // best effort: cleanLeftovers() removes it next time
            }
        }
    }

    @Override
    public void close() {
        down();
    }

    /** Writes {@code content} to a temporary file readable inside the namespaces (they share the file system). */
    public static Path tempFile(String prefix, byte[] content) throws IOException {
        Path f = Files.createTempFile(prefix, ".tmp");
        Files.write(f, content);
        f.toFile().deleteOnExit();
        return f;
    }

    /** Exit code and output of a finished command. */
    public static final class ExecResult {
        /** The exit code; -1 if the command ran past its limit (and was killed) or the wait was interrupted. */
        public final int exitCode;
        /** Whether the command ran past its limit and was killed. */
        public final boolean timedOut;
        public final String stdout;
        public final String stderr;

        ExecResult(int exitCode, boolean timedOut, String stdout, String stderr) {
            this.exitCode = exitCode;
            this.timedOut = timedOut;
            this.stdout = stdout;
            this.stderr = stderr;
        }
    }

    static ExecResult run(List<String> cmd, Duration timeout) throws IOException {
        Process p = new ProcessBuilder(cmd).start();
        LabProcess lp = new LabProcess(String.join(" ", cmd), p);
        long start = System.nanoTime();
        int code = lp.waitFor(timeout);
        boolean timedOut = code == -1 && !Thread.currentThread().isInterrupted() && System.nanoTime() - start >= timeout.toNanos();
        return new ExecResult(code, timedOut, lp.stdout(), lp.stderr());
    }

    /** A process started in the lab; its output is collected as it comes. */
    public static final class LabProcess {
        private final String name;
        private final Process process;
        private final StringBuffer out = new StringBuffer();
        private final StringBuffer err = new StringBuffer();

        LabProcess(String name, Process process) {
            this.name = name;
            this.process = process;
            drain(process.getInputStream(), out);
            drain(process.getErrorStream(), err);
        }

        private static void drain(InputStream in, StringBuffer sink) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[4096];
                try (in) {
                    for (int n; (n = in.read(buf)) > 0; ) {
                        sink.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    }
                } catch (IOException e) {
                    // the process ended
                }
            }, "natlab-drain");
            t.setDaemon(true);
            t.start();
        }

        /** Waits for the exit; -1 (and the process killed) if it runs longer than {@code timeout}. */
        public int waitFor(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    destroy();
                    return -1;
                }
                // let the drain threads take the last bytes
                Thread.sleep(50);
                return process.exitValue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                destroy();
                return -1;
            }
        }

        /** Waits until stdout contains {@code text}; false on timeout or exit. */
        public boolean awaitOutput(String text, Duration timeout) throws InterruptedException {
            long end = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < end) {
                if (out.indexOf(text) >= 0) {
                    return true;
                }
                if (!process.isAlive()) {
                    Thread.sleep(50);
                    return out.indexOf(text) >= 0;
                }
                Thread.sleep(20);
            }
            return false;
        }

        public String stdout() {
            return out.toString();
        }

        public String stderr() {
            return err.toString();
        }

        public void destroy() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }

        @Override
        public String toString() {
            return name + " (stdout: " + out.toString().trim() + "; stderr: " + err.toString().trim() + ")";
        }
    }
}
