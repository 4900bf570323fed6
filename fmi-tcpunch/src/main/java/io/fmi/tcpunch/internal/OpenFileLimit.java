package io.fmi.tcpunch.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * This process's limit on open file descriptors ({@code RLIMIT_NOFILE}, the soft limit), read from
 * {@code /proc/self/limits}. Read after the JVM started, so it is the value the JVM runs with (HotSpot
 * raises the soft limit to the hard one at start on Linux). Stateless and thread-safe.
 */
public final class OpenFileLimit {
    private static final Path LIMITS = Path.of("/proc/self/limits");
    private static final String ROW = "Max open files";

    private OpenFileLimit() {
    }

    /** The soft limit; empty where it cannot be read (not Linux) or is unlimited. */
    public static OptionalLong current() {
        try {
            return parse(Files.readString(LIMITS));
        } catch (IOException | SecurityException e) {
            return OptionalLong.empty();
        }
    }

    /** The soft limit from the text of a {@code /proc/<pid>/limits} file. */
    static OptionalLong parse(String limits) {
        for (String line : limits.split("\n")) {
            if (line.startsWith(ROW)) {
                String[] fields = line.substring(ROW.length()).trim().split("\\s+");
                try {
                    return OptionalLong.of(Long.parseLong(fields[0]));
                } catch (NumberFormatException e) {
                    return OptionalLong.empty(); // "unlimited"
                }
            }
        }
        return OptionalLong.empty();
    }
}
