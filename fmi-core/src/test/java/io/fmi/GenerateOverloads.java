package io.fmi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes the whole-array overloads of {@link Communicator}: for every abstract method that takes
 * {@link Buffer}s, one default method per element type ({@code byte[]}, {@code int[]},
 * {@code long[]}, {@code float[]}, {@code double[]}, {@link java.nio.ByteBuffer}) with every
 * {@code Buffer} parameter replaced by that type, delegating to the {@code Buffer} form. The
 * overloads sit between the {@code BEGIN GENERATED} and {@code END GENERATED} lines of
 * {@code Communicator.java}; {@code GenerateOverloadsTest} fails when they are out of date.
 *
 * <pre>
 * java fmi-core/src/test/java/io/fmi/GenerateOverloads.java fmi-core/src/main/java/io/fmi/Communicator.java
 * </pre>
 *
 * Uses the JDK only, so it runs as a single source file.
 */
public final class GenerateOverloads {
    static final String BEGIN = "    // ---- BEGIN GENERATED:";
    static final String END = "    // ---- END GENERATED ----";
    /** An abstract method of the interface: four-space indent, no body, a Buffer parameter. */
    private static final Pattern ABSTRACT = Pattern.compile(
            "^    ((?:[\\w.]+)(?:<[^>]*>)?) (\\w+)\\(([^)]*\\bBuffer\\b[^)]*)\\);$", Pattern.MULTILINE);
    private static final String[] TYPES = {"byte[]", "int[]", "long[]", "float[]", "double[]", "ByteBuffer"};

    private GenerateOverloads() {
    }

    /** Rewrites the file given as the first argument in place. */
    public static void main(String[] args) throws IOException {
        Path file = Path.of(args.length > 0 ? args[0] : "fmi-core/src/main/java/io/fmi/Communicator.java");
        String before = Files.readString(file, StandardCharsets.UTF_8);
        String after = generate(before);
        if (!after.equals(before)) {
            Files.writeString(file, after, StandardCharsets.UTF_8);
            System.out.println("rewrote the generated overloads of " + file);
        } else {
            System.out.println(file + " is up to date");
        }
    }

    /** {@code source} with its generated section rewritten from its abstract {@code Buffer} methods. */
    static String generate(String source) {
        int begin = source.indexOf(BEGIN);
        int end = source.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("no '" + BEGIN.trim() + "' ... '" + END.trim() + "' section");
        }
        int bodyStart = source.indexOf('\n', begin) + 1;
        StringBuilder out = new StringBuilder();
        Matcher m = ABSTRACT.matcher(source.substring(0, begin));
        while (m.find()) {
            String ret = m.group(1);
            String name = m.group(2);
            List<String[]> params = params(m.group(3));
            for (String type : TYPES) {
                overload(out, ret, name, params, type);
            }
        }
        return source.substring(0, bodyStart) + out + source.substring(end);
    }

    private static List<String[]> params(String list) {
        List<String[]> out = new ArrayList<>();
        for (String p : list.split(",")) {
            String t = p.trim();
            int sp = t.lastIndexOf(' ');
            out.add(new String[] {t.substring(0, sp).trim(), t.substring(sp + 1)});
        }
        return out;
    }

    private static void overload(StringBuilder out, String ret, String name, List<String[]> params, String type) {
        StringBuilder link = new StringBuilder();
        StringBuilder decl = new StringBuilder();
        StringBuilder call = new StringBuilder();
        for (String[] p : params) {
            boolean buffer = p[0].equals("Buffer");
            if (link.length() > 0) {
                link.append(", ");
                decl.append(", ");
                call.append(", ");
            }
            link.append(p[0]);
            decl.append(buffer ? type : p[0]).append(' ').append(p[1]);
            call.append(buffer ? "Operands.of(" + p[1] + ")" : p[1]);
        }
        String what = type.equals("ByteBuffer")
                ? "the bytes of {@code ByteBuffer}s between position and limit"
                : "whole {@code " + type + "} arrays";
        out.append("    /**\n")
                .append("     * {@link #").append(name).append('(').append(link).append(")} on ").append(what).append(".\n");
        out.append("     *\n");
        for (String[] p : params) {
            out.append("     * @param ").append(p[1]).append(" see {@link #").append(name).append('(').append(link).append(")}\n");
        }
        if (!ret.equals("void")) {
            out.append("     * @return see {@link #").append(name).append('(').append(link).append(")}\n");
        }
        out.append("     */\n")
                .append("    default ").append(ret).append(' ').append(name).append('(').append(decl).append(") {\n")
                .append("        ").append(ret.equals("void") ? "" : "return ").append(name).append('(').append(call).append(");\n")
                .append("    }\n\n");
    }
}
