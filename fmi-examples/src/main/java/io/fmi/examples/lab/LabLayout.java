package io.fmi.examples.lab;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The file layout of a Lambda function, under one directory of this machine:
 *
 * <pre>
 * opt/java/lib/*.jar     the layer's jars (Lambda unzips a layer into /opt)
 * var/task/...           the function's deployment package, unzipped (Lambda's /var/task, the working directory)
 * var/runtime/lib/*.jar  the runtime: AWS's runtime interface client and its jars
 * </pre>
 *
 * and the class path the managed Java runtime gives a function: the runtime's jars, then
 * {@code /var/task}, {@code /var/task/lib/*} and {@code /opt/java/lib/*}. Nothing else: what the
 * function needs must come from the layer or its own package.
 *
 * <p>The defaults are what {@code ./mvnw package} leaves in {@code fmi-examples/target}: the
 * layer at {@code lab/fmi-lambda-layer-layer.zip}, the runtime in {@code lab/runtime}, and the
 * example function's package, {@code fmi-examples-<version>.jar}, which the SAM template deploys
 * as the function's code. Immutable.
 */
public final class LabLayout {
    /** The layer zip's name in {@code target/lab}. */
    public static final String LAYER_ZIP = "fmi-lambda-layer-layer.zip";

    private final Path dir;

    private LabLayout(Path dir) {
        this.dir = dir;
    }

    /** Unzips {@code layerZip} and {@code functionPackage} and copies {@code runtimeDir}'s jars under {@code dir}. */
    public static LabLayout create(Path dir, Path layerZip, Path functionPackage, Path runtimeDir) throws IOException {
        require(layerZip, "the layer zip (--layer; built by fmi-channels/layer: ./mvnw package)");
        require(functionPackage, "the function's package (--function; fmi-examples' jar: ./mvnw package)");
        if (!Files.isDirectory(runtimeDir)) {
            throw new IOException("no runtime directory at " + runtimeDir.toAbsolutePath()
                    + " (--runtime; the runtime interface client's jars, copied there by ./mvnw package)");
        }
        LabLayout l = new LabLayout(dir);
        unzip(layerZip, dir.resolve("opt"));
        unzip(functionPackage, l.taskRoot());
        Path lib = Files.createDirectories(l.runtimeDir().resolve("lib"));
        try (Stream<Path> jars = Files.list(runtimeDir)) {
            for (Path j : (Iterable<Path>) jars.filter(p -> p.toString().endsWith(".jar"))::iterator) {
                Files.copy(j, lib.resolve(j.getFileName()));
            }
        }
        if (!Files.isDirectory(dir.resolve("opt/java/lib"))) {
            throw new IOException(layerZip + " has no java/lib: not a Java layer");
        }
        return l;
    }

    private static void require(Path f, String what) throws IOException {
        if (!Files.isRegularFile(f)) {
            throw new IOException("no " + what + " at " + f.toAbsolutePath());
        }
    }

    private static void unzip(Path zip, Path to) throws IOException {
        Files.createDirectories(to);
        try (ZipFile z = new ZipFile(zip.toFile())) {
            Enumeration<? extends ZipEntry> it = z.entries();
            while (it.hasMoreElements()) {
                ZipEntry e = it.nextElement();
                Path target = to.resolve(e.getName()).normalize();
                if (!target.startsWith(to)) {
                    throw new IOException(zip + ": entry " + e.getName() + " points outside the directory");
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    try (InputStream in = z.getInputStream(e)) {
                        Files.copy(in, target);
                    }
                }
            }
        }
    }

    /**
     * Unpacks the runtime client's JNI library for this machine to {@code to}, for a function
     * without a {@code /tmp} of its own (the client unpacks it to {@code /tmp/.libaws-lambda-jni.so}
     * otherwise, which functions sharing one /tmp overwrite under each other).
     */
    public void unpackRuntimeJni(Path to) throws IOException {
        String arch = System.getProperty("os.arch").equals("aarch64") ? "aarch_64" : "x86_64";
        String name = "jni/libaws-lambda-jni.linux-" + arch + ".so";
        try (Stream<Path> jars = Files.list(runtimeDir().resolve("lib"))) {
            for (Path j : (Iterable<Path>) jars::iterator) {
                try (ZipFile z = new ZipFile(j.toFile())) {
                    ZipEntry e = z.getEntry(name);
                    if (e != null) {
                        try (InputStream in = z.getInputStream(e)) {
                            Files.copy(in, to);
                        }
                        return;
                    }
                }
            }
        }
        throw new IOException("no " + name + " in the runtime's jars under " + runtimeDir().resolve("lib"));
    }

    /** Lambda's {@code /var/task}: {@code LAMBDA_TASK_ROOT} and the working directory. */
    public Path taskRoot() {
        return dir.resolve("var/task");
    }

    /** Lambda's {@code /var/runtime}: {@code LAMBDA_RUNTIME_DIR}. */
    public Path runtimeDir() {
        return dir.resolve("var/runtime");
    }

    /** The managed Java runtime's class path: runtime, task root, its lib, the layers' java/lib. */
    public String classPath() {
        return String.join(File.pathSeparator, List.of(
                runtimeDir().resolve("lib") + File.separator + "*",
                taskRoot().toString(),
                taskRoot().resolve("lib") + File.separator + "*",
                dir.resolve("opt/java/lib") + File.separator + "*"));
    }

    /** The directory all of this is under. */
    public Path dir() {
        return dir;
    }

    /**
     * {@code fmi-examples/target}, found from where this class was loaded: the jar's directory,
     * or the parent of {@code target/classes}.
     */
    public static Path defaultTarget() {
        try {
            Path here = Path.of(LabLayout.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return here.getParent();
        } catch (URISyntaxException | SecurityException e) {
            return Path.of("fmi-examples", "target");
        }
    }

    /** The example function's package in {@code target}: {@code fmi-examples-<version>.jar}. */
    public static Path defaultFunction(Path target) {
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith("fmi-examples-") && n.endsWith(".jar") && !n.endsWith("-tests.jar")
                        && !n.endsWith("-sources.jar") && !n.endsWith("-javadoc.jar");
            }).findFirst().orElse(target.resolve("fmi-examples.jar"));
        } catch (IOException e) {
            return target.resolve("fmi-examples.jar");
        }
    }
}
