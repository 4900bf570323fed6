package io.fmi.tcpunch.internal.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** {@code --name value} and {@code --flag} arguments, parsed by hand (the module depends on Netty and SLF4J only). */
final class Args {
    private final Map<String, String> values = new HashMap<>();

    Args(String[] args, int from, Set<String> options, Set<String> flags) {
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            String key = a.startsWith("--") ? a.substring(2) : null;
            int eq = key == null ? -1 : key.indexOf('=');
            if (eq > 0) {
                values.put(check(key.substring(0, eq), options), key.substring(eq + 1));
            } else if (key != null && flags.contains(key)) {
                values.put(key, "true");
            } else if (key != null && options.contains(key)) {
                if (i + 1 >= args.length) {
                    throw new UsageException("--" + key + " needs a value");
                }
                values.put(key, args[++i]);
            } else {
                throw new UsageException("unknown argument: " + a);
            }
        }
    }

    private static String check(String key, Set<String> options) {
        if (!options.contains(key)) {
            throw new UsageException("unknown option: --" + key);
        }
        return key;
    }

    boolean flag(String key) {
        return values.containsKey(key);
    }

    String string(String key, String dflt) {
        return values.getOrDefault(key, dflt);
    }

    String required(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new UsageException("--" + key + " is required");
        }
        return v;
    }

    int integer(String key, int dflt) {
        String v = values.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + key + ": '" + v + "' (expected: an integer)");
        }
    }

    double number(String key, double dflt) {
        String v = values.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + key + ": '" + v + "' (expected: a number)");
        }
    }

    /** {@code HOST:PORT}, {@code [V6]:PORT}; resolved. */
    InetSocketAddress endpoint(String key) {
        String v = required(key);
        int colon = v.lastIndexOf(':');
        if (colon <= 0) {
            throw new UsageException("--" + key + ": '" + v + "' (expected: HOST:PORT)");
        }
        String host = v.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(v.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new UsageException("--" + key + ": '" + v + "' (expected: HOST:PORT with a numeric port)");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new UsageException("--" + key + ": cannot resolve host '" + host + "'");
        }
    }

    /** The environment variable a secret is read from when no option gives one. */
    static final String SECRET_ENV = "FMI_SECRET";

    /** A shared secret and where it came from (for messages; the value is never printed). */
    record Secret(byte[] bytes, String source) {
    }

    /**
     * The shared secret from {@code --secret-file} (the file's bytes, trailing newlines stripped),
     * {@code --secret} (UTF-8), or else the {@value #SECRET_ENV} environment variable (UTF-8); null
     * if none of them is given.
     */
    Secret secret(Map<String, String> env) {
        String file = values.get("secret-file");
        String value = values.get("secret");
        if (file != null && value != null) {
            throw new UsageException("--secret and --secret-file both given (expected: one of them)");
        }
        if (file != null) {
            return new Secret(readSecretFile(file), "--secret-file " + file);
        }
        if (value != null) {
            if (value.isEmpty()) {
                throw new UsageException("--secret is empty (expected: the shared secret)");
            }
            return new Secret(value.getBytes(StandardCharsets.UTF_8), "--secret");
        }
        String fromEnv = env.get(SECRET_ENV);
        if (fromEnv == null) {
            return null;
        }
        if (fromEnv.isEmpty()) {
            throw new UsageException(SECRET_ENV + " is set but empty (expected: the shared secret, or unset)");
        }
        return new Secret(fromEnv.getBytes(StandardCharsets.UTF_8), "the " + SECRET_ENV + " environment variable");
    }

    private static byte[] readSecretFile(String file) {
        try {
            byte[] b = Files.readAllBytes(Path.of(file));
            int n = b.length;
            while (n > 0 && (b[n - 1] == '\n' || b[n - 1] == '\r')) {
                n--;
            }
            if (n == 0) {
                throw new UsageException("--secret-file " + file + " is empty (expected: the shared secret)");
            }
            return java.util.Arrays.copyOf(b, n);
        } catch (IOException e) {
            throw new UsageException("--secret-file " + file + ": cannot read: " + e.getMessage());
        }
    }

    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
