package io.fmi.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.channel.ChannelProvider;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Opens the Lambda layer zip that {@code package} built and checks that a function has what it needs. */
@Timeout(60)
class LayerZipIT {
    private static final Pattern JAR = Pattern.compile("java/lib/(.+?)-(\\d[^/]*?)(-linux-[a-z0-9_]+)?\\.jar");

    @Test
    void shouldHoldFmiAndItsRuntimeDependenciesUnderJavaLib(@TempDir Path tmp) throws IOException {
        Path zip = Path.of("target", "fmi-layer.zip");
        assertTrue(Files.isRegularFile(zip), "no layer at " + zip.toAbsolutePath());
        List<Path> extracted = new ArrayList<>();
        TreeSet<String> artifacts = new TreeSet<>();
        Map<String, String> versions = new HashMap<>();
        long unzipped = 0;
        try (ZipFile z = new ZipFile(zip.toFile())) {
            Enumeration<? extends ZipEntry> it = z.entries();
            while (it.hasMoreElements()) {
                ZipEntry e = it.nextElement();
                if (e.isDirectory()) {
                    continue;
                }
                assertTrue(e.getName().startsWith("java/lib/") && e.getName().endsWith(".jar"), "unexpected entry " + e.getName());
                assertTrue(!e.getName().contains("-tests.jar"), "test jar in the layer: " + e.getName());
                Matcher m = JAR.matcher(e.getName());
                assertTrue(m.matches(), "unexpected jar name " + e.getName());
                String artifact = m.group(1) + (m.group(3) == null ? "" : m.group(3));
                String previous = versions.put(artifact, m.group(2));
                assertEquals(null, previous, "two versions of " + artifact);
                artifacts.add(artifact);
                Path out = tmp.resolve(e.getName().substring("java/lib/".length()));
                try (InputStream in = z.getInputStream(e)) {
                    unzipped += Files.copy(in, out);
                }
                extracted.add(out);
            }
        }
        for (String needed : List.of("fmi-core", "fmi-tcpunch", "fmi-channels", "slf4j-api", "jackson-databind",
                "netty-handler", "aws-lambda-java-core")) {
            assertTrue(artifacts.contains(needed), needed + " missing from the layer: " + artifacts);
        }
        assertTrue(!artifacts.contains("picocli"), "command-line tools do not belong in the layer");
        // Lambda's limit for a function with its layers, unzipped.
        assertTrue(unzipped < 250L * 1024 * 1024, "layer unzips to " + unzipped + " bytes");

        // The channels a function can configure are found by ServiceLoader from the layer alone.
        List<URL> urls = new ArrayList<>();
        for (Path p : extracted) {
            urls.add(p.toUri().toURL());
        }
        TreeSet<String> backends = new TreeSet<>();
        try (URLClassLoader cl = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader())) {
            Class<?> spi = Class.forName(ChannelProvider.class.getName(), false, cl);
            for (Object p : ServiceLoader.load(spi, cl)) {
                backends.add((String) spi.getMethod("backend").invoke(p));
            }
            try (InputStream in = cl.getResourceAsStream("META-INF/services/" + ChannelProvider.class.getName())) {
                assertTrue(in != null, "no provider registrations in the layer");
            }
            List<String> declared = new ArrayList<>();
            Enumeration<URL> files = cl.getResources("META-INF/services/" + ChannelProvider.class.getName());
            while (files.hasMoreElements()) {
                try (InputStream in = files.nextElement().openStream()) {
                    for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                        if (!line.isBlank() && !line.trim().startsWith("#")) {
                            declared.add(line.trim());
                        }
                    }
                }
            }
            assertEquals(declared.size(), backends.size(), "every declared provider loads from the layer: " + declared + " -> " + backends);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
        assertTrue(backends.contains("Local") && backends.contains("LocalStore"), backends.toString());
    }
}
