package io.fmi.examples.lab;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fmi.BackendConfig;
import io.fmi.FmiConfig;
import io.fmi.channels.testing.DynamoDbServer;
import io.fmi.channels.testing.RedisServer;
import io.fmi.channels.testing.S3Server;
import io.fmi.lambda.FmiLambda;
import io.fmi.tcpunch.RendezvousServer;
import io.fmi.tcpunch.netlab.NatLab;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the N functions of a job the way AWS Lambda runs them, on this machine: each function a
 * JVM of its own, started through AWS's runtime interface client against a {@link RuntimeApi} of
 * its own, with Lambda's environment, file layout ({@link LabLayout}), CPU share and memory cap
 * ({@link Cgroups}), each in a network namespace of its own behind a NAT of its own
 * ({@link NatLab#upWithUplink}), with the rendezvous server and the stores on the lab's internet.
 * Without root, the functions run on plain loopback without limits, and the run says so.
 *
 * <pre>
 * Lab.Report r = new Lab(Lab.Options.builder().functions(4).memoryMiB(512).channel("Direct").build(), System.out)
 *         .run(Lab.Job.kmeans(20, 10_000));
 * r.summaryLine();   // lab: 4/4 functions ok, cold start median 3120 ms, max RSS 91 MiB
 * </pre>
 *
 * <h2>What is measured, per function</h2>
 * <ul>
 *   <li>cold start: from starting its process to the end of its first collective (the handler
 *       reports that moment as {@code first_op_end_ms});</li>
 *   <li>init: from starting its process to its first request for an event (Lambda's Init Duration);</li>
 *   <li>duration: from handing out the event to the response (Lambda's Duration);</li>
 *   <li>max RSS: the process's peak resident set ({@code VmHWM});</li>
 *   <li>CPU: user and system time of the process; throttled: the time its group spent over its quota.</li>
 * </ul>
 *
 * <h2>Failure injection</h2>
 * {@link Options.Builder#kill} and {@link Options.Builder#freeze} send {@code SIGKILL} or
 * {@code SIGSTOP} to a function a given time after it received its event; the report shows what
 * its peers returned. A frozen function is ended at its deadline, as Lambda ends a function that
 * times out. Not thread-safe: one run at a time per instance.
 */
public final class Lab {
    private static final Logger log = LoggerFactory.getLogger(Lab.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The handler of the example function. */
    public static final String HANDLER = "io.fmi.examples.lambda.FmiHandler::handleRequest";
    /** The runtime interface client's entry point. */
    public static final String RUNTIME_MAIN = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
    /** The name every function of a lab job runs under (one function, invoked N times at once). */
    public static final String FUNCTION_NAME = "fmi-lab";
    /** The runtime client's property for a JNI library unpacked already (it unpacks to /tmp otherwise). */
    private static final String RUNTIME_JNI_PROPERTY = "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";
    private static final long IDLE_WAIT_MS = 2000;
    private static final long SAMPLE_EVERY_MS = 100;

    private final Options options;
    private final PrintStream out;

    public Lab(Options options, PrintStream out) {
        this.options = Objects.requireNonNull(options, "options");
        this.out = Objects.requireNonNull(out, "out");
    }

    // ------------------------------------------------------------------ options and jobs

    /** A fault to inject: what, into which rank, how long after it received its event. Immutable. */
    public static final class Fault {
        /** SIGKILL or SIGSTOP. */
        public enum Kind { KILL, FREEZE }

        public final Kind kind;
        public final int rank;
        public final double seconds;

        public Fault(Kind kind, int rank, double seconds) {
            this.kind = kind;
            this.rank = rank;
            this.seconds = seconds;
        }

        /**
         * Parses {@code RANK@SECONDS}, e.g. {@code 2@1.5}.
         *
         * @throws IllegalArgumentException naming the option and what was expected
         */
        public static Fault parse(Kind kind, String spec) {
            String option = kind == Kind.KILL ? "--kill" : "--freeze";
            String[] f = spec.split("@", -1);
            try {
                if (f.length == 2) {
                    int rank = Integer.parseInt(f[0].trim());
                    double s = Double.parseDouble(f[1].trim());
                    if (rank >= 0 && s >= 0 && !Double.isInfinite(s)) {
                        return new Fault(kind, rank, s);
                    }
                }
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
            throw new IllegalArgumentException(option + ": '" + spec + "' (expected: RANK@SECONDS, a rank >= 0 and seconds >= 0"
                    + " after the function received its event, e.g. 1@2.5)");
        }

        @Override
        public String toString() {
            return (kind == Kind.KILL ? "--kill " : "--freeze ") + rank + "@" + seconds;
        }
    }

    /** How to run the functions. Immutable; see {@link #builder()}. */
    public static final class Options {
        final int functions;
        final int memoryMiB;
        final String channel;
        final Duration timeout;
        final long operationTimeoutMs;
        final boolean c1Only;
        final String javaToolOptions;
        final String logLevel;
        final List<Fault> faults;
        final boolean loopback;
        final FmiConfig config;
        final Path layer;
        final Path function;
        final Path runtime;

        private Options(Builder b) {
            functions = b.functions;
            memoryMiB = b.memoryMiB;
            channel = b.channel;
            timeout = b.timeout;
            operationTimeoutMs = b.operationTimeoutMs;
            c1Only = b.c1Only;
            javaToolOptions = b.javaToolOptions;
            logLevel = b.logLevel;
            faults = List.copyOf(b.faults);
            loopback = b.loopback;
            config = b.config;
            Path target = LabLayout.defaultTarget();
            layer = b.layer != null ? b.layer : target.resolve("lab").resolve(LabLayout.LAYER_ZIP);
            function = b.function != null ? b.function : LabLayout.defaultFunction(target);
            runtime = b.runtime != null ? b.runtime : target.resolve("lab").resolve("runtime");
        }

        public static Builder builder() {
            return new Builder();
        }

        /** Builds {@link Options}; every setter has a default. Not thread-safe. */
        public static final class Builder {
            private int functions = 4;
            private int memoryMiB = 512;
            private String channel = "Direct";
            private Duration timeout = Duration.ofSeconds(120);
            private long operationTimeoutMs;
            private boolean c1Only = true;
            private String javaToolOptions;
            private String logLevel;
            private final List<Fault> faults = new ArrayList<>();
            private boolean loopback;
            private FmiConfig config = FmiConfig.defaults();
            private Path layer;
            private Path function;
            private Path runtime;

            /** Functions of the job, 1 to {@value NatLab#MAX_HOSTS}; default 4. */
            public Builder functions(int n) {
                functions = n;
                return this;
            }

            /** Memory of each function, MiB (Lambda: 128 to 10,240); default 512. */
            public Builder memoryMiB(int m) {
                memoryMiB = m;
                return this;
            }

            /** The channel: Direct, Redis, S3 or DynamoDB; default Direct. */
            public Builder channel(String c) {
                channel = c;
                return this;
            }

            /** The functions' timeout: the deadline of their one invocation; default 120 s. */
            public Builder timeout(Duration t) {
                timeout = t;
                return this;
            }

            /** The deadline of each blocking operation ({@code timeout_ms} of the event); 0 (default) leaves the channel's. */
            public Builder operationTimeoutMs(long ms) {
                operationTimeoutMs = ms;
                return this;
            }

            /** Stops tiered compilation at level 1 (C1), as Lambda's Java 17 and 21 runtimes do; default true. */
            public Builder c1Only(boolean b) {
                c1Only = b;
                return this;
            }

            /** {@code JAVA_TOOL_OPTIONS} of the functions, as a Lambda user sets it; default none. */
            public Builder javaToolOptions(String o) {
                javaToolOptions = o;
                return this;
            }

            /**
             * The level of FMI's loggers ({@code io.fmi}) in the functions, set as a user sets it
             * on Lambda: {@code -Dorg.slf4j.simpleLogger.log.io.fmi=LEVEL} in {@code JAVA_TOOL_OPTIONS}
             * (the example function logs through slf4j-simple at INFO); the lab then shows each
             * function's log lines from this level up. Default: none set, WARN and above shown.
             */
            public Builder logLevel(String level) {
                logLevel = level;
                return this;
            }

            /** SIGKILL for {@code rank}, {@code seconds} after it received its event. */
            public Builder kill(int rank, double seconds) {
                faults.add(new Fault(Fault.Kind.KILL, rank, seconds));
                return this;
            }

            /** SIGSTOP for {@code rank}, {@code seconds} after it received its event. */
            public Builder freeze(int rank, double seconds) {
                faults.add(new Fault(Fault.Kind.FREEZE, rank, seconds));
                return this;
            }

            /** Adds a parsed fault. */
            public Builder fault(Fault f) {
                faults.add(f);
                return this;
            }

            /** Runs on plain loopback without limits even as root (what happens without root anyway). */
            public Builder loopback(boolean b) {
                loopback = b;
                return this;
            }

            /** The configuration to start from (the channel's entry gets the lab's server added); default {@link FmiConfig#defaults()}. */
            public Builder config(FmiConfig c) {
                config = c;
                return this;
            }

            /** The layer zip; default {@code target/lab/fmi-lambda-layer-layer.zip}. */
            public Builder layer(Path p) {
                layer = p;
                return this;
            }

            /** The function's deployment package; default fmi-examples' jar. */
            public Builder function(Path p) {
                function = p;
                return this;
            }

            /** The directory of the runtime interface client's jars; default {@code target/lab/runtime}. */
            public Builder runtime(Path p) {
                runtime = p;
                return this;
            }

            /** Validates and builds; errors name the option and what was expected. */
            public Options build() {
                if (functions < 1 || functions > NatLab.MAX_HOSTS) {
                    throw new IllegalArgumentException("--functions: " + functions + " (expected: 1.." + NatLab.MAX_HOSTS + ")");
                }
                if (memoryMiB < 128 || memoryMiB > 10_240) {
                    throw new IllegalArgumentException("--memory: " + memoryMiB + " MiB (expected: 128..10240, Lambda's range)");
                }
                channel = canonicalChannel(channel);
                if (timeout.isNegative() || timeout.isZero()) {
                    throw new IllegalArgumentException("--timeout: " + timeout + " (expected: > 0)");
                }
                if (operationTimeoutMs < 0) {
                    throw new IllegalArgumentException("--op-timeout: " + operationTimeoutMs + " ms (expected: >= 0)");
                }
                if (logLevel != null) {
                    logLevel = logLevel.toLowerCase(Locale.ROOT);
                    if (!LOG_LEVELS.contains(logLevel)) {
                        throw new IllegalArgumentException("--log-level: '" + logLevel + "' (expected: one of " + LOG_LEVELS + ")");
                    }
                }
                for (Fault f : faults) {
                    if (f.rank >= functions) {
                        throw new IllegalArgumentException(f + ": rank " + f.rank + " (expected: 0.." + (functions - 1) + ")");
                    }
                }
                return new Options(this);
            }
        }
    }

    /** slf4j-simple's levels, most verbose first. */
    static final List<String> LOG_LEVELS = List.of("trace", "debug", "info", "warn", "error");
    /** A line slf4j-simple writes with its default format: {@code [thread] LEVEL logger - message}. */
    private static final java.util.regex.Pattern LOG_LINE = java.util.regex.Pattern.compile("^\\[[^\\]]*\\] (TRACE|DEBUG|INFO|WARN|ERROR) .*");
    /** The first line of a stack trace under a log line: {@code io.fmi.PeerFailedException: ...}. */
    private static final java.util.regex.Pattern THROWABLE_LINE = java.util.regex.Pattern.compile("^[\\w.$]+(Exception|Error|Throwable)(: .*)?$");
    /** Most lines of one function's log the report shows; the rest stay in its file. */
    private static final int LOG_LINES_SHOWN = 40;

    static String canonicalChannel(String c) {
        for (String known : List.of("Direct", "Redis", "S3", "DynamoDB")) {
            if (known.equalsIgnoreCase(c)) {
                return known;
            }
        }
        throw new IllegalArgumentException("--channel: '" + c + "' (expected: Direct, Redis, S3 or DynamoDB)");
    }

    /**
     * A job: the event keys of the example handler, and a check of each function's report.
     * Immutable.
     */
    public static final class Job {
        final String name;
        final Map<String, Object> keys;
        final Function<Map<String, Object>, String> check;
        final Function<Report, List<String>> notes;

        /**
         * @param name  the job's name (the communicator's name is {@code lab-<name>})
         * @param keys  the handler's event keys ({@code job}, {@code epochs}, ...)
         * @param check given a function's report, why it is wrong, or null if right
         */
        public Job(String name, Map<String, Object> keys, Function<Map<String, Object>, String> check) {
            this(name, keys, check, r -> List.of());
        }

        /**
         * @param name  the job's name (the communicator's name is {@code lab-<name>})
         * @param keys  the handler's event keys ({@code job}, {@code epochs}, ...)
         * @param check given a function's report, why it is wrong, or null if right
         * @param notes given the job's report, lines printed between the table and the last line
         *              (K-means: its per-epoch times and what the run would cost on Lambda)
         */
        public Job(String name, Map<String, Object> keys, Function<Map<String, Object>, String> check, Function<Report, List<String>> notes) {
            this.name = name;
            this.keys = Collections.unmodifiableMap(new LinkedHashMap<>(keys));
            this.check = check;
            this.notes = notes;
        }

        /** The job's name. */
        public String name() {
            return name;
        }

        /** The handler's event keys. */
        public Map<String, Object> keys() {
            return keys;
        }

        /** The check of each function's report. */
        public Function<Map<String, Object>, String> check() {
            return check;
        }
    }

    // ------------------------------------------------------------------ report

    /** What one function did. Immutable. */
    public static final class FunctionReport {
        public final int rank;
        public final boolean ok;
        /** The channel the function used, from its report; "-" if none. */
        public final String channel;
        /** Process start to the end of the first operation, ms; -1 if it never got there. */
        public final long coldStartMs;
        /** Process start to its first request for an event, ms; -1 if none. */
        public final long initMs;
        /** Event handed out to response, ms; -1 if no response. */
        public final long durationMs;
        /** Peak resident set, bytes; -1 if unknown. */
        public final long maxRssBytes;
        /** CPU time of the process, ms; -1 if unknown. */
        public final long cpuMs;
        /** Time over its CPU quota, ms; -1 if not limited. */
        public final long throttledMs;
        /** "ok", or what happened: the function's error, a timeout, an injected fault. */
        public final String outcome;
        /** The function's report, or null. */
        public final Map<String, Object> response;

        FunctionReport(int rank, boolean ok, String channel, long coldStartMs, long initMs, long durationMs, long maxRssBytes,
                       long cpuMs, long throttledMs, String outcome, Map<String, Object> response) {
            this.rank = rank;
            this.ok = ok;
            this.channel = channel;
            this.coldStartMs = coldStartMs;
            this.initMs = initMs;
            this.durationMs = durationMs;
            this.maxRssBytes = maxRssBytes;
            this.cpuMs = cpuMs;
            this.throttledMs = throttledMs;
            this.outcome = outcome;
            this.response = response;
        }
    }

    /** The functions' reports and the summary. Immutable. */
    public static final class Report {
        public final List<FunctionReport> functions;
        /** What the lab could not emulate here; empty when everything was. */
        public final List<String> notEmulated;

        Report(List<FunctionReport> functions, List<String> notEmulated) {
            this.functions = List.copyOf(functions);
            this.notEmulated = List.copyOf(notEmulated);
        }

        /** Functions that returned a right result. */
        public long ok() {
            return functions.stream().filter(f -> f.ok).count();
        }

        /** Median cold start of the functions that got that far, ms; -1 if none did. */
        public long coldStartMedianMs() {
            long[] c = functions.stream().mapToLong(f -> f.coldStartMs).filter(v -> v >= 0).sorted().toArray();
            if (c.length == 0) {
                return -1;
            }
            return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
        }

        /** The largest peak resident set of any function, MiB; -1 if unknown. */
        public long maxRssMiB() {
            long m = functions.stream().mapToLong(f -> f.maxRssBytes).max().orElse(-1);
            return m < 0 ? -1 : Math.round(m / 1048576.0);
        }

        /** {@code lab: <ok>/<N> functions ok, cold start median <X> ms, max RSS <Y> MiB}. */
        public String summaryLine() {
            long c = coldStartMedianMs();
            long m = maxRssMiB();
            return "lab: " + ok() + "/" + functions.size() + " functions ok, cold start median " + (c < 0 ? "n/a" : Long.toString(c))
                    + " ms, max RSS " + (m < 0 ? "n/a" : Long.toString(m)) + " MiB";
        }
    }

    // ------------------------------------------------------------------ the run

    /** One function while it runs. */
    private final class Fn {
        final int rank;
        final RuntimeApi api;
        final Cgroups.Group group;
        final Path logFile;
        final Path tmp;
        Process process;
        long spawnMillis;
        long maxRssKb = -1;
        long cpuTicks = -1;
        boolean finished;
        String fault;
        boolean faultDone;
        FunctionReport report;

        Fn(int rank, RuntimeApi api, Cgroups.Group group, Path logFile, Path tmp) {
            this.rank = rank;
            this.api = api;
            this.group = group;
            this.logFile = logFile;
            this.tmp = tmp;
        }

        void sample() {
            if (process == null || !process.isAlive()) {
                return;
            }
            long pid = process.pid();
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                    if (line.startsWith("VmHWM:")) {
                        maxRssKb = Math.max(maxRssKb, Long.parseLong(line.replaceAll("[^0-9]", "")));
                    }
                }
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                // after the command: state is field 3, utime 14 and stime 15 (proc(5)), so indexes 11 and 12 here
                cpuTicks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            } catch (IOException | RuntimeException e) {
                // the process just ended: keep the last sample
            }
        }
    }

    /**
     * Runs {@code job} and prints the per-function report and, last, {@link Report#summaryLine()}.
     *
     * @throws IOException when the layout, the network, a server or a process cannot be set up
     */
    public Report run(Job job) throws IOException {
        List<String> notEmulated = new ArrayList<>();
        Optional<String> natReason = options.loopback ? Optional.of("--loopback was given") : NatLab.unavailableReason();
        // In the lab each function gets a /tmp of its own mounted over /tmp: what it must see of
        // this run (its files, the layer) cannot live under /tmp.
        Path varTmp = Path.of("/var/tmp");
        Path work = natReason.isEmpty() && Files.isDirectory(varTmp) ? Files.createTempDirectory(varTmp, "fmi-lab-")
                : Files.createTempDirectory("fmi-lab-");
        Path logs = Files.createDirectories(work.resolve("logs"));
        LabLayout layout = LabLayout.create(work.resolve("fs"), options.layer, options.function, options.runtime);
        NatLab lab = null;
        Cgroups cgroups = null;
        List<AutoCloseable> servers = new ArrayList<>();
        List<Fn> fns = new ArrayList<>();
        try {
            String server;
            if (natReason.isEmpty()) {
                lab = NatLab.upWithUplink(options.functions, NatLab.Options.portPreserving());
                server = lab.uplinkIp();
                Cgroups.Result cg = Cgroups.detect();
                if (cg.cgroups.isPresent()) {
                    cgroups = cg.cgroups.get();
                } else {
                    notEmulated.add("the CPU quota (memory/" + Cgroups.MB_PER_VCPU + " vCPU) and the memory limit: " + cg.reason);
                }
            } else {
                server = "127.0.0.1";
                notEmulated.add("network namespaces and NAT: the functions and the servers talk over plain loopback ("
                        + natReason.get() + ")");
                notEmulated.add("the CPU quota (memory/" + Cgroups.MB_PER_VCPU + " vCPU) and the memory limit (cgroups need root)");
                notEmulated.add("a /tmp of each function's own (a mount namespace needs root): java.io.tmpdir points at one instead");
            }
            ObjectNode entry = startServer(server, lab != null, servers);
            FmiConfig config = options.config.withOnly(options.channel).withBackend(options.channel, entry);
            header(job, server, lab, cgroups, layout, logs);
            for (String n : notEmulated) {
                out.println("WARNING: not emulated: " + n);
            }

            Map<String, Object> template = new LinkedHashMap<>(job.keys);
            template.put(FmiLambda.NAME, "lab-" + job.name);
            template.put(FmiLambda.CONFIG, JSON.convertValue(config.json(), new TypeReference<Map<String, Object>>() { }));
            if (options.operationTimeoutMs > 0) {
                template.put(FmiLambda.TIMEOUT_MS, options.operationTimeoutMs);
            }
            String runId = UUID.randomUUID().toString();
            InetAddress bind = InetAddress.getByName(server);
            for (int r = 0; r < options.functions; r++) {
                String event = JSON.writeValueAsString(FmiLambda.event(template, r, options.functions, runId));
                RuntimeApi api = new RuntimeApi(bind, FUNCTION_NAME, event, options.timeout);
                Cgroups.Group g = cgroups == null ? null : cgroups.create("fn" + r, options.memoryMiB);
                Path tmp = Files.createDirectories(work.resolve("tmp").resolve("fn" + r));
                if (lab == null) {
                    layout.unpackRuntimeJni(tmp.resolve(".libaws-lambda-jni.so"));
                }
                Fn fn = new Fn(r, api, g, logs.resolve("rank-" + r + ".log"), tmp);
                for (Fault f : options.faults) {
                    if (f.rank == r) {
                        fn.fault = f.toString();
                    }
                }
                fns.add(fn);
            }
            // Start them together, as the AWS launcher invokes them together.
            for (Fn fn : fns) {
                ProcessBuilder pb = new ProcessBuilder(command(fn, layout, lab))
                        .directory(layout.taskRoot().toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(fn.logFile.toFile());
                pb.environment().clear();
                pb.environment().putAll(environment(fn, server, layout));
                fn.spawnMillis = System.currentTimeMillis();
                fn.process = pb.start();
            }
            watch(fns);
            List<FunctionReport> reports = new ArrayList<>();
            for (Fn fn : fns) {
                reports.add(check(fn, job));
            }
            Report report = new Report(reports, notEmulated);
            List<String> logLines = new ArrayList<>();
            for (Fn fn : fns) {
                logLines.addAll(logExcerpt(fn.rank, fn.logFile, options.logLevel == null ? "warn" : options.logLevel));
            }
            print(report, logLines, job.notes.apply(report));
            if (report.ok() == report.functions.size()) {
                deleteTree(work);
            }
            return report;
        } finally {
            for (Fn fn : fns) {
                if (fn.process != null) {
                    fn.process.destroyForcibly();
                    try {
                        fn.process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                fn.api.close();
            }
            for (AutoCloseable s : servers) {
                try {
                    s.close();
                } catch (Exception e) {
                    log.debug("closing {}: {}", s, e.toString());
                }
            }
            if (cgroups != null) {
                cgroups.close();
            }
            if (lab != null) {
                lab.close();
            }
            deleteTree(layout.dir());
            deleteTree(work.resolve("tmp"));
        }
    }

    /** Starts the channel's server on {@code host} and returns the channel's backend entry for it. */
    private ObjectNode startServer(String host, boolean inLab, List<AutoCloseable> servers) throws IOException {
        ObjectNode entry = options.config.backend(options.channel).map(BackendConfig::json).orElseGet(FmiConfig::newObject);
        entry.put("enabled", true);
        switch (options.channel) {
            case "Direct": {
                // servers are secure by default: one secret for this run
                String secret = UUID.randomUUID().toString();
                RendezvousServer rs = RendezvousServer.builder().bindAddress(InetAddress.getByName(host)).port(0)
                        .secret(secret.getBytes(StandardCharsets.UTF_8)).build().start();
                servers.add(rs);
                return entry.put("host", host).put("port", rs.port()).put("secret", secret);
            }
            case "Redis": {
                // as an ElastiCache node in a VPC: no password, so protected mode would refuse the NATs' addresses
                RedisServer redis = inLab ? RedisServer.launch("--bind", host, "--protected-mode", "no") : RedisServer.launch();
                servers.add(redis);
                return entry.put("host", host).put("port", redis.port());
            }
            case "S3": {
                S3Server s3 = S3Server.launch(host);
                servers.add(s3);
                entry.setAll(s3.backend());
                return entry;
            }
            default: {
                // DynamoDB Local listens on every address; its entry names the lab's
                DynamoDbServer db = DynamoDbServer.launch();
                servers.add(db);
                ObjectNode e = db.backend();
                e.put("endpoint", "http://" + host + ":" + db.endpoint().getPort());
                entry.setAll(e);
                return entry;
            }
        }
    }

    private List<String> command(Fn fn, LabLayout layout, NatLab lab) {
        List<String> cmd = new ArrayList<>();
        if (fn.group != null) {
            // join the groups before exec, so the limits hold from the JVM's first instruction
            StringBuilder join = new StringBuilder();
            for (Path p : fn.group.procsFiles()) {
                join.append("echo $$ > '").append(p).append("' && ");
            }
            cmd.addAll(List.of("/bin/sh", "-c", join + "exec \"$@\"", "sh"));
        }
        if (lab != null) {
            // ip netns exec does not fork, so the JVM keeps the pid the process was started with; it
            // runs the command in a mount namespace of its own, where the function gets its own /tmp,
            // as each Lambda sandbox has (the runtime client unpacks its JNI library to a fixed
            // /tmp path, which functions sharing a /tmp overwrite under each other).
            cmd.addAll(List.of("ip", "netns", "exec", lab.host(fn.rank),
                    "/bin/sh", "-c", "mount --bind '" + fn.tmp + "' /tmp && exec \"$@\"", "sh"));
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions(options.memoryMiB, options.c1Only));
        if (lab == null) {
            // no mount namespace without root: a /tmp of its own through the JVM's and the runtime client's settings
            cmd.add("-Djava.io.tmpdir=" + fn.tmp);
            cmd.add("-D" + RUNTIME_JNI_PROPERTY + "=" + fn.tmp.resolve(".libaws-lambda-jni.so"));
        }
        cmd.add("-cp");
        cmd.add(layout.classPath());
        cmd.add(RUNTIME_MAIN);
        cmd.add(HANDLER);
        return cmd;
    }

    /**
     * Our approximation of how Lambda's managed Java runtime starts the JVM for a function of
     * {@code memoryMiB}: heap 85 % of the memory, metaspace 10 %, code cache 5 %, the serial
     * collector, class data sharing, and (Java 17 and 21 runtimes) tiered compilation stopped at
     * level 1.
     */
    public static List<String> jvmOptions(int memoryMiB, boolean c1Only) {
        long kib = (long) memoryMiB * 1024;
        List<String> o = new ArrayList<>(List.of(
                "-XX:MaxHeapSize=" + kib * 85 / 100 + "k",
                "-XX:MaxMetaspaceSize=" + kib * 10 / 100 + "k",
                "-XX:ReservedCodeCacheSize=" + kib * 5 / 100 + "k",
                "-XX:+UseSerialGC",
                "-Xshare:auto"));
        if (c1Only) {
            o.add("-XX:+TieredCompilation");
            o.add("-XX:TieredStopAtLevel=1");
        }
        o.add("-Djava.net.preferIPv4Stack=true");
        return o;
    }

    /** The environment Lambda sets for a function (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html). */
    private Map<String, String> environment(Fn fn, String server, LabLayout layout) {
        Map<String, String> env = new TreeMap<>();
        String task = layout.taskRoot().toString();
        String runtime = layout.runtimeDir().toString();
        env.put("_HANDLER", HANDLER);
        env.put("AWS_EXECUTION_ENV", "AWS_Lambda_java21");
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_DEFAULT_REGION", "us-east-1");
        env.put("AWS_LAMBDA_FUNCTION_NAME", FUNCTION_NAME);
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(options.memoryMiB));
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + FUNCTION_NAME);
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", LocalDate.now(ZoneOffset.UTC).toString().replace('-', '/') + "/[$LATEST]"
                + UUID.randomUUID().toString().replace("-", ""));
        env.put("AWS_LAMBDA_RUNTIME_API", server + ":" + fn.api.port());
        env.put("LAMBDA_TASK_ROOT", task);
        env.put("LAMBDA_RUNTIME_DIR", runtime);
        env.put("LANG", "en_US.UTF-8");
        env.put("TZ", ":UTC");
        env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("LD_LIBRARY_PATH", String.join(":", "/lib64", "/usr/lib64", runtime, runtime + "/lib", task, task + "/lib", "/opt/lib"));
        String tool = options.javaToolOptions == null ? "" : options.javaToolOptions.strip();
        if (options.logLevel != null) {
            tool = (tool + " -Dorg.slf4j.simpleLogger.log.io.fmi=" + options.logLevel).strip();
        }
        if (!tool.isEmpty()) {
            env.put("JAVA_TOOL_OPTIONS", tool);
        }
        return env;
    }

    /** Waits for every function's outcome, ends idle, timed-out or dead ones, and injects the faults. */
    private void watch(List<Fn> fns) {
        long lastSample = 0;
        while (fns.stream().anyMatch(f -> !f.finished)) {
            long now = System.currentTimeMillis();
            boolean sampleNow = now - lastSample >= SAMPLE_EVERY_MS;
            for (Fn fn : fns) {
                if (fn.finished) {
                    continue;
                }
                if (sampleNow) {
                    fn.sample();
                }
                injectFault(fn, now);
                if (fn.api.outcome().isDone()) {
                    // the runtime asks for the next event right after posting: then it is idle
                    try {
                        fn.api.idle().get(IDLE_WAIT_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
                    } catch (Exception e) {
                        log.debug("rank {}: no idle next call within {} ms", fn.rank, IDLE_WAIT_MS);
                    }
                    end(fn, null);
                } else if (!fn.process.isAlive()) {
                    end(fn, exitDescription(fn));
                } else if (fn.api.deadlineMillis() > 0 && now > fn.api.deadlineMillis()) {
                    end(fn, String.format(Locale.ROOT, "Task timed out after %.2f seconds", options.timeout.toMillis() / 1000.0));
                } else if (fn.api.deadlineMillis() == 0 && now - fn.spawnMillis > options.timeout.toMillis()) {
                    end(fn, "init did not end within the function's timeout of " + options.timeout.toSeconds() + " s");
                }
            }
            if (sampleNow) {
                lastSample = now;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fns.forEach(f -> f.finished = true);
            }
        }
    }

    private void injectFault(Fn fn, long now) {
        if (fn.fault == null || fn.faultDone || !fn.api.invoked().isDone()) {
            return;
        }
        for (Fault f : options.faults) {
            if (f.rank != fn.rank) {
                continue;
            }
            long at = fn.api.invoked().join() + Math.round(f.seconds * 1000);
            if (now >= at) {
                fn.sample();
                fn.faultDone = true;
                if (f.kind == Fault.Kind.KILL) {
                    fn.process.destroyForcibly();
                } else {
                    signal(fn.process.pid(), "STOP");
                }
                out.printf(Locale.ROOT, "injected: %s (%s to pid %d, %d ms after its event)%n", f,
                        f.kind == Fault.Kind.KILL ? "SIGKILL" : "SIGSTOP", fn.process.pid(), now - fn.api.invoked().join());
            }
        }
    }

    private static void signal(long pid, String sig) {
        try {
            Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).redirectErrorStream(true).start();
            p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (IOException e) {
            log.warn("cannot send SIG{} to {}: {}", sig, pid, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String exitDescription(Fn fn) {
        int code = fn.process.exitValue();
        String how = code > 128 ? "signal " + (code - 128) : "exit code " + code;
        if (fn.faultDone && fn.fault.startsWith("--kill")) {
            return "killed by " + fn.fault;
        }
        if (fn.group != null && fn.group.oomKills() > 0) {
            return "Runtime exited with error: " + how + " (killed for exceeding its memory limit of " + options.memoryMiB + " MiB)";
        }
        String oom = outOfMemory(fn.logFile, options.memoryMiB);
        return "Runtime exited with error: " + how + (oom == null ? "" : " (" + oom + ")") + "; log: " + fn.logFile;
    }

    /**
     * What a function's log says of an {@code OutOfMemoryError}, with the limit it hit and what to
     * do; null if it has none. Lambda's runtime gives metaspace 10 % of the memory and the heap 85 %
     * ({@link #jvmOptions}).
     */
    static String outOfMemory(Path log, int memoryMiB) {
        String text;
        try {
            text = Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
        if (text.contains("OutOfMemoryError: Metaspace")) {
            return String.format(Locale.ROOT, "OutOfMemoryError: Metaspace: the function loaded more classes than the %.1f MB of"
                    + " metaspace Lambda gives a function of %d MB (10 %% of its memory); FMI over Direct needs 10.2 MB from a"
                    + " handler extending FmiJsonHandler, which fits 128 MB; a RequestHandler also loads the runtime's own Jackson"
                    + " (4.9 MB of classes): extend FmiJsonHandler or give the function more memory (--memory)",
                    memoryMiB * 1024 * 10 / 100 / 1024.0, memoryMiB);
        }
        if (text.contains("OutOfMemoryError")) {
            return String.format(Locale.ROOT, "OutOfMemoryError: the heap is %d MB of the function's %d MB (85 %%); give it more"
                    + " memory (--memory)", memoryMiB * 85 / 100, memoryMiB);
        }
        return null;
    }

    /** Samples the function a last time, ends its process (Lambda would keep it frozen) and records why it ended. */
    private void end(Fn fn, String failure) {
        fn.sample();
        fn.finished = true;
        if (fn.process.isAlive()) {
            fn.process.destroyForcibly();
        }
        RuntimeApi.Outcome o = fn.api.outcome().getNow(null);
        long init = fn.api.initDoneMillis() == 0 ? -1 : fn.api.initDoneMillis() - fn.spawnMillis;
        long duration = o == null || !fn.api.invoked().isDone() ? -1 : o.atMillis - fn.api.invoked().join();
        long rss = fn.maxRssKb >= 0 ? fn.maxRssKb * 1024 : -1;
        long cpu = fn.cpuTicks >= 0 ? fn.cpuTicks * 1000 / CLOCK_TICKS : -1;
        long throttled = fn.group == null ? -1 : Math.max(-1, fn.group.throttledNanos() / 1_000_000);
        Map<String, Object> response = null;
        String outcome = failure;
        if (o != null) {
            if (o.kind == RuntimeApi.Outcome.Kind.RESPONSE) {
                try {
                    response = JSON.readValue(o.body, new TypeReference<Map<String, Object>>() { });
                } catch (IOException e) {
                    outcome = "response is not a JSON object: " + o.body;
                }
            } else {
                outcome = (o.kind == RuntimeApi.Outcome.Kind.INIT_ERROR ? "init error: " : "error: ") + o.body;
            }
        }
        fn.report = new FunctionReport(fn.rank, false, "-", -1, init, duration, rss, cpu, throttled, outcome, response);
    }

    /** The function's report with cold start and channel from its response, checked by the job. */
    private FunctionReport check(Fn fn, Job job) {
        FunctionReport r = fn.report;
        Map<String, Object> resp = r.response;
        if (resp == null) {
            return r;
        }
        String channel = resp.get("channel") == null ? "-" : resp.get("channel").toString();
        long first = resp.get("first_op_end_ms") instanceof Number ? ((Number) resp.get("first_op_end_ms")).longValue() : 0;
        long cold = first > 0 ? first - fn.spawnMillis : -1;
        String outcome;
        boolean ok = false;
        if (!Boolean.TRUE.equals(resp.get("ok"))) {
            outcome = String.valueOf(resp.get("error"));
        } else {
            String wrong = job.check.apply(resp);
            ok = wrong == null;
            outcome = ok ? "ok" : wrong;
        }
        return new FunctionReport(r.rank, ok, channel, cold, r.initMs, r.durationMs, r.maxRssBytes, r.cpuMs, r.throttledMs, outcome, resp);
    }

    private void header(Job job, String server, NatLab lab, Cgroups cgroups, LabLayout layout, Path logs) {
        out.printf(Locale.ROOT, "FMI Lambda lab: %d functions of %d MB running %s over %s%n", options.functions, options.memoryMiB,
                job.name, options.channel);
        out.printf(Locale.ROOT, "  runtime:  AWS runtime interface client, handler %s, JVM %s%s%s%n", HANDLER,
                System.getProperty("java.version"), options.c1Only ? ", tiered compilation stopped at level 1" : ", full tiered compilation",
                options.javaToolOptions == null ? "" : ", JAVA_TOOL_OPTIONS=" + options.javaToolOptions);
        out.printf(Locale.ROOT, "  files:    class path = the runtime's jars, /var/task (%s), /opt/java/lib (%s)%n",
                options.function.getFileName(), options.layer.getFileName());
        if (lab != null) {
            out.printf(Locale.ROOT, "  network:  each function in its own network namespace behind its own NAT; %s server on %s (the lab's internet)%n",
                    options.channel, server);
        }
        if (cgroups != null) {
            double vcpu = (double) Cgroups.quotaMicros(options.memoryMiB) / Cgroups.PERIOD_US;
            out.printf(Locale.ROOT, "  limits:   %.3f vCPU and %d MiB per function (%s)%s%n", vcpu, options.memoryMiB, cgroups.version(),
                    vcpu * options.functions > Runtime.getRuntime().availableProcessors()
                            ? String.format(Locale.ROOT, "; together %.1f vCPU on %d CPUs here: they also compete for the CPUs",
                                    vcpu * options.functions, Runtime.getRuntime().availableProcessors()) : "");
        }
        out.printf(Locale.ROOT, "  timeout:  %d s per function; logs in %s (kept when a function fails)%n", options.timeout.toSeconds(), logs);
    }

    /**
     * The lines of a function's log at {@code level} and above (with the stack traces under them),
     * headed by the rank; none if it logged nothing at that level.
     */
    static List<String> logExcerpt(int rank, Path log, String level) {
        List<String> lines;
        try {
            lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of();
        }
        int min = LOG_LEVELS.indexOf(level);
        List<String> shown = new ArrayList<>();
        int matched = 0;
        boolean inShownEntry = false;
        for (String l : lines) {
            java.util.regex.Matcher m = LOG_LINE.matcher(l);
            if (m.matches()) {
                inShownEntry = LOG_LEVELS.indexOf(m.group(1).toLowerCase(Locale.ROOT)) >= min;
                matched += inShownEntry ? 1 : 0;
            } else if (!inShownEntry || !(l.startsWith("\t") || l.startsWith(" ") || l.startsWith("Caused by")
                    || THROWABLE_LINE.matcher(l).matches())) {
                inShownEntry = false;
                continue;
            }
            if (inShownEntry && shown.size() < LOG_LINES_SHOWN) {
                shown.add("  " + l);
            }
        }
        if (matched == 0) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        out.add(String.format(Locale.ROOT, "log of rank %d, %s and above (%d entries%s):", rank, level.toUpperCase(Locale.ROOT), matched,
                shown.size() == LOG_LINES_SHOWN ? "; the first " + LOG_LINES_SHOWN + " lines here, all in " + log : ""));
        out.addAll(shown);
        return out;
    }

    private void print(Report report, List<String> logLines, List<String> notes) {
        out.println();
        out.printf(Locale.ROOT, "%-5s %-9s %14s %8s %12s %12s %8s %13s  %s%n", "rank", "channel", "cold start ms", "init ms",
                "duration ms", "max RSS MiB", "CPU ms", "throttled ms", "outcome");
        for (FunctionReport f : report.functions) {
            out.printf(Locale.ROOT, "%-5d %-9s %14s %8s %12s %12s %8s %13s  %s%n", f.rank, f.channel, num(f.coldStartMs), num(f.initMs),
                    num(f.durationMs), f.maxRssBytes < 0 ? "-" : String.format(Locale.ROOT, "%.0f", f.maxRssBytes / 1048576.0),
                    num(f.cpuMs), num(f.throttledMs), oneLine(f.outcome));
        }
        if (!logLines.isEmpty()) {
            out.println();
            logLines.forEach(out::println);
        }
        if (!notes.isEmpty()) {
            out.println();
            notes.forEach(out::println);
        }
        out.println();
        out.println(report.summaryLine());
    }

    private static String num(long v) {
        return v < 0 ? "-" : Long.toString(v);
    }

    private static String oneLine(String s) {
        return s == null ? "-" : s.replaceAll("\\s+", " ");
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // best effort: a temporary directory
        }
    }

    /** Clock ticks per second of /proc/&lt;pid&gt;/stat ({@code getconf CLK_TCK}; 100 on Linux x86-64 and arm64). */
    private static final long CLOCK_TICKS = 100;
}
