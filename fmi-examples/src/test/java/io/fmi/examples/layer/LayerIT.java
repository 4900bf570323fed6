package io.fmi.examples.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fmi.FmiConfig;
import io.fmi.channels.testing.DynamoDbServer;
import io.fmi.channels.testing.RedisServer;
import io.fmi.channels.testing.S3Server;
import io.fmi.examples.kmeans.KMeans;
import io.fmi.tcpunch.RendezvousServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Lambda layer that {@code fmi-channels/layer} built, as a function gets it: its jars alone,
 * plus a small function jar (the example handler and {@link LayerJob}), run a K-means job of three
 * ranks in a separate JVM on each channel, against real servers started here (s3proxy, DynamoDB
 * Local, Redis, a rendezvous server). Also checks what the layer must not carry, and reports its size.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class LayerIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern JAR = Pattern.compile("java/lib/(.+?)-(\\d[^/]*?)(-linux-[a-z0-9_]+)?\\.jar");
    /** What the layer may weigh unzipped; it was 22.6 MiB when set (docs/deployment.md). */
    private static final long BUDGET_BYTES = 24L << 20;
    private static final int SIZE = 3;
    private static final int EPOCHS = 3;
    private static final int POINTS = 300;

    private Path dir;
    private Path lib;
    private Path function;
    private final TreeSet<String> artifacts = new TreeSet<>();
    private RendezvousServer rendezvous;
    /** The rendezvous server's shared secret (servers are secure by default), one per run. */
    private final String secret = UUID.randomUUID().toString();

    @BeforeAll
    void unzipTheLayerAndBuildTheFunctionJar() throws IOException {
        Path zip = Path.of(System.getProperty("fmi.layer.zip", "../fmi-channels/layer/target/fmi-layer.zip"));
        assertTrue(Files.isRegularFile(zip), "no layer at " + zip.toAbsolutePath() + " (built by fmi-channels/layer)");
        dir = Files.createTempDirectory("fmi-layer-it-");
        lib = dir.resolve("java/lib");
        Files.createDirectories(lib);
        Map<String, String> versions = new HashMap<>();
        long unzipped = 0;
        try (ZipFile z = new ZipFile(zip.toFile())) {
            Enumeration<? extends ZipEntry> it = z.entries();
            while (it.hasMoreElements()) {
                ZipEntry e = it.nextElement();
                if (e.isDirectory()) {
                    continue;
                }
                Matcher m = JAR.matcher(e.getName());
                assertTrue(m.matches(), "unexpected entry " + e.getName() + " (expected: java/lib/<artifact>-<version>.jar)");
                assertFalse(e.getName().endsWith("-tests.jar"), "test jar in the layer: " + e.getName());
                String artifact = m.group(1) + (m.group(3) == null ? "" : m.group(3));
                assertNull(versions.put(artifact, m.group(2)), "two versions of " + artifact);
                artifacts.add(artifact);
                try (InputStream in = z.getInputStream(e)) {
                    unzipped += Files.copy(in, lib.resolve(e.getName().substring("java/lib/".length())));
                }
            }
        }
        String size = String.format(Locale.ROOT, "Lambda layer %s: %d jars, %.1f MiB zipped, %.1f MiB unzipped (budget %d MiB, Lambda's limit 250 MB)",
                zip.getFileName(), artifacts.size(), Files.size(zip) / 1048576.0, unzipped / 1048576.0, BUDGET_BYTES >> 20);
        System.out.println(size);
        Files.writeString(Path.of("target", "layer-size.txt"), size + "\n");
        assertTrue(unzipped < BUDGET_BYTES, size);

        function = dir.resolve("function.jar");
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(function))) {
            // The handler and the jobs it runs: what a user's function jar holds besides the layer.
            addClasses(jar, Path.of("target", "classes"), "io/fmi/examples/lambda/", "io/fmi/examples/kmeans/",
                    "io/fmi/examples/sort/", "io/fmi/examples/sgd/", "io/fmi/examples/storage/", "io/fmi/examples/Phases");
            addClasses(jar, Path.of("target", "test-classes"), "io/fmi/examples/layer/LayerJob");
        }
        rendezvous = RendezvousServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0)
                .secret(secret.getBytes(StandardCharsets.UTF_8)).build().start();
    }

    private static void addClasses(JarOutputStream jar, Path root, String... prefixes) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String name = root.relativize(f).toString().replace('\\', '/');
                if (Stream.of(prefixes).anyMatch(name::startsWith)) {
                    jar.putNextEntry(new JarEntry(name));
                    Files.copy(f, jar);
                    jar.closeEntry();
                }
            }
        }
    }

    @AfterAll
    void stop() {
        if (rendezvous != null) {
            rendezvous.close();
        }
    }

    @Test
    void shouldCarryEveryChannelAndNoTestJarsLoggingBindingOrSecondHttpStack() throws IOException {
        for (String needed : List.of("fmi-core", "fmi-tcpunch", "fmi-channel-direct", "fmi-channel-redis", "fmi-channel-aws",
                "fmi-channel-s3", "fmi-channel-dynamodb", "aws-lambda-java-core", "http-auth-aws", "apache-client", "commons-logging",
                "netty-transport-native-epoll-linux-x86_64", "netty-transport-native-epoll-linux-aarch_64")) {
            assertTrue(artifacts.contains(needed), needed + " missing from the layer: " + artifacts);
        }
        for (String unwanted : List.of("junit-jupiter-api", "junit-jupiter-engine", "opentest4j", "apiguardian-api", "slf4j-simple",
                "logback-classic", "apache5-client", "httpclient5", "httpcore5", "netty-nio-client", "picocli", "fmi-channels-testing")) {
            assertFalse(artifacts.contains(unwanted), unwanted + " does not belong in the layer: " + artifacts);
        }
        try (Stream<Path> jars = Files.list(lib)) {
            for (Path jar : (Iterable<Path>) jars::iterator) {
                try (ZipFile z = new ZipFile(jar.toFile())) {
                    assertNull(z.getEntry("META-INF/services/org.slf4j.spi.SLF4JServiceProvider"), "an SLF4J binding in " + jar.getFileName());
                    assertNull(z.getEntry("org/slf4j/impl/StaticLoggerBinder.class"), "an SLF4J 1.x binding in " + jar.getFileName());
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Direct", "Redis", "S3", "DynamoDB"})
    void shouldRunAJobFromTheLayerAlone(String backend) throws Exception {
        ObjectNode entry;
        switch (backend) {
            case "Direct":
                entry = FmiConfig.newObject().put("enabled", true).put("host", "127.0.0.1").put("port", rendezvous.port())
                        .put("secret", secret);
                break;
            case "Redis":
                entry = RedisServer.shared().backend();
                break;
            case "S3":
                entry = S3Server.shared().backend();
                break;
            default:
                entry = DynamoDbServer.shared().backend();
        }
        FmiConfig config = FmiConfig.defaults().withOnly(backend).withBackend(backend, entry);
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("job", "kmeans");
        job.put("name", "layer-" + backend.toLowerCase(Locale.ROOT));
        job.put("run_id", UUID.randomUUID().toString());
        job.put("epochs", EPOCHS);
        job.put("points", POINTS);
        job.put("config", JSON.convertValue(config.json(), new TypeReference<Map<String, Object>>() { }));

        Path log = dir.resolve(backend + ".log");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k", "-Xmx384m",
                "-cp", lib + "/*" + java.io.File.pathSeparator + function,
                LayerJob.class.getName(), Integer.toString(SIZE), JSON.writeValueAsString(job));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        try (OutputStream in = p.getOutputStream()) {
            // no input
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the function JVM did not end");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String err = Files.readString(log);
        assertEquals(0, p.exitValue(), () -> "the function JVM failed:\n" + out + err);
        List<Map<String, Object>> reports = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("REPORT ")) {
                reports.add(JSON.readValue(line.substring(7), new TypeReference<Map<String, Object>>() { }));
            }
        }
        assertEquals(SIZE, reports.size(), () -> out + err);
        double[] expected = KMeans.sequential(42, SIZE, POINTS, 3, 28, EPOCHS);
        for (Map<String, Object> r : reports) {
            assertEquals(true, r.get("ok"), () -> "rank failed: " + r + "\n" + err);
            assertEquals(backend.toLowerCase(Locale.ROOT), r.get("channel"));
            List<?> c = (List<?>) r.get("centroids");
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], ((Number) c.get(i)).doubleValue(), 1e-9 * Math.max(1, Math.abs(expected[i])),
                        "coordinate " + i + " on rank " + r.get("rank"));
            }
        }
        System.out.printf(Locale.ROOT, "layer job over %s: %d ranks in %d ms (JVM start included)%n", backend, SIZE, ms);
    }
}
