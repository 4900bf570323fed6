package io.fmi.channels;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.DocumentationTool;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The published javadoc of every published module, as {@code javadoc -Xdoclint:all} sees it:
 * no doclint error anywhere; every public and protected element of a published package has a doc
 * comment; and the user's own package {@code io.fmi} documents every parameter, result and
 * exception too. Internal packages ({@code *.internal}) carry no promise and are not checked.
 * Maven's javadoc plugin checks only {@code all,-missing}, so a missing comment would otherwise
 * go unnoticed until a user opens the page.
 */
class PublicJavadocTest {
    /** Source roots of the published modules, relative to this module. */
    private static final List<String> PUBLISHED = List.of(
            "fmi-core", "fmi-tcpunch", "fmi-channels/direct", "fmi-channels/redis",
            "fmi-channels/aws", "fmi-channels/s3", "fmi-channels/dynamodb");

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void publishedPackagesAreDocumented(@TempDir Path out) throws IOException {
        Path root = Path.of("../..").toAbsolutePath().normalize();
        List<Path> sourceRoots = new ArrayList<>();
        Set<String> packages = new TreeSet<>();
        for (String module : PUBLISHED) {
            Path src = root.resolve(module).resolve("src/main/java");
            assertTrue(Files.isDirectory(src), "no sources at " + src);
            sourceRoots.add(src);
            try (Stream<Path> files = Files.walk(src)) {
                files.filter(f -> f.toString().endsWith(".java") && !f.endsWith("module-info.java"))
                        .map(f -> src.relativize(f.getParent()).toString().replace('/', '.'))
                        .filter(p -> !p.equals("internal") && !p.endsWith(".internal") && !p.contains(".internal."))
                        .forEach(packages::add);
            }
        }

        DocumentationTool tool = ToolProvider.getSystemDocumentationTool();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter text = new StringWriter();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> options = new ArrayList<>(List.of(
                "-Xdoclint:all", "-Xmaxwarns", "100000", "-Xmaxerrs", "10000", "-quiet",
                "-d", out.toString(),
                "-classpath", classPath,
                "-sourcepath", sourceRoots.stream().map(Path::toString).collect(Collectors.joining(java.io.File.pathSeparator))));
        options.addAll(packages);
        try (StandardJavaFileManager files = tool.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
            Boolean ok = tool.getTask(text, files, diagnostics, null, options, null).call();

            List<String> problems = new ArrayList<>();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                String where = d.getSource() == null ? "" : root.relativize(Path.of(d.getSource().toUri())) + ":" + d.getLineNumber() + ": ";
                String message = d.getMessage(Locale.ROOT);
                boolean userPackage = d.getSource() != null
                        && Path.of(d.getSource().toUri()).getParent().endsWith(Path.of("src/main/java/io/fmi"));
                if (d.getKind() == Diagnostic.Kind.ERROR
                        || message.equals("no comment")
                        || (userPackage && d.getKind() == Diagnostic.Kind.WARNING)) {
                    problems.add(where + d.getKind().toString().toLowerCase(Locale.ROOT) + ": " + message);
                }
            }
            if (!problems.isEmpty()) {
                fail(problems.size() + " javadoc problems in the published packages (javadoc -Xdoclint:all):\n  "
                        + String.join("\n  ", problems));
            }
            assertTrue(Boolean.TRUE.equals(ok), "javadoc failed:\n" + text);
        }
    }
}
