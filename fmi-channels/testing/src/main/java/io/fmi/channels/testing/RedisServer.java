package io.fmi.channels.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fmi.FmiConfig;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.testcontainers.containers.GenericContainer;

/**
 * A real Redis server for tests, in order of preference:
 * <ol>
 *   <li>the {@code redis-server} binary on the {@code PATH} (or {@code /usr/bin}), run as a child
 *       process on a free port with {@code --save "" --appendonly no}; ready when it prints
 *       "Ready to accept connections" (~25 ms);</li>
 *   <li>a Testcontainers {@code redis:7.2-alpine} container when a Docker engine answers;</li>
 *   <li>the Redis 6.2 binary bundled with {@code embedded-redis}.</li>
 * </ol>
 *
 * <pre>
 * RedisServer redis = RedisServer.shared();                // one per JVM, stopped at exit
 * FmiConfig cfg = FmiConfig.defaults().withOnly("Redis").withBackend("Redis", redis.backend());
 * try (RedisServer own = RedisServer.launch("--requirepass", "s3cret")) { ... }  // a private one
 * </pre>
 *
 * <p>A process-based server is restartable on the same port: {@link #stop()} saves its data first
 * ({@code SHUTDOWN SAVE}), {@link #start()} loads it back, {@link #kill()} loses it as a crash
 * would. When no server can start, {@link Servers#unavailable} fails (under {@code CI=true}) or
 * skips the calling test. Thread-safe.
 */
public final class RedisServer implements RestartableServer {
    private static RedisServer shared;

    private final String binary;
    private final List<String> extraArgs;
    private final Path dir;
    private final GenericContainer<?> container;
    private final redis.embedded.RedisServer embedded;
    private final String password;
    private final int tlsPort;
    private final Path caFile;
    private int port;
    private Process process;

    private RedisServer(String binary, List<String> extraArgs, int port, GenericContainer<?> container, redis.embedded.RedisServer embedded) {
        this.binary = binary;
        this.extraArgs = extraArgs;
        this.port = port;
        this.container = container;
        this.embedded = embedded;
        int i = extraArgs.indexOf("--requirepass");
        this.password = i >= 0 ? extraArgs.get(i + 1) : null;
        int t = extraArgs.indexOf("--tls-port");
        this.tlsPort = t >= 0 ? Integer.parseInt(extraArgs.get(t + 1)) : -1;
        int ca = extraArgs.indexOf("--tls-ca-cert-file");
        this.caFile = ca >= 0 ? Path.of(extraArgs.get(ca + 1)) : null;
        try {
            this.dir = Files.createTempDirectory("fmi-redis-");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The server shared by every test of this JVM; started on first call, stopped at exit. */
    public static synchronized RedisServer shared() {
        if (shared == null) {
            RedisServer s = startAny();
            Servers.atExit("redis", s::close);
            shared = s;
        }
        return shared;
    }

    private static RedisServer startAny() {
        String bin = binary();
        if (bin != null) {
            return launch();
        }
        if (Servers.dockerAvailable()) {
            try {
                GenericContainer<?> c = new GenericContainer<>("redis:7.2-alpine").withExposedPorts(6379);
                c.start();
                return new RedisServer(null, List.of(), c.getMappedPort(6379), c, null);
            } catch (RuntimeException e) {
                throw Servers.unavailable("Redis (Testcontainers)", e);
            }
        }
        int port = Servers.freePort();
        try {
            redis.embedded.RedisServer e = redis.embedded.RedisServer.newRedisServer()
                    .port(port).bind("127.0.0.1").setting("save \"\"").setting("appendonly no").build();
            e.start();
            return new RedisServer(null, List.of(), port, null, e);
        } catch (IOException | RuntimeException e) {
            throw Servers.unavailable("Redis (embedded-redis; no redis-server binary on the PATH)", e);
        }
    }

    /**
     * A private, restartable server from the {@code redis-server} binary, with extra arguments
     * (e.g. {@code "--requirepass", "pw"} or TLS options). Close it when done.
     */
    public static RedisServer launch(String... extraArgs) {
        String bin = binary();
        if (bin == null) {
            throw Servers.unavailable("Redis (no redis-server binary on the PATH; apt-get install redis-server)", new IOException("not found"));
        }
        RedisServer s = new RedisServer(bin, List.of(extraArgs), Servers.freePort(), null, null);
        try {
            s.start();
        } catch (RuntimeException e) {
            throw Servers.unavailable("Redis (" + bin + ")", e);
        }
        return s;
    }

    /**
     * A private server that also listens for TLS on {@link #tlsPort()}, with a self-signed
     * certificate for {@code 127.0.0.1} made by the JDK's {@code keytool}; clients trust
     * {@link #caFile()}. Client certificates are not required.
     */
    public static RedisServer launchTls() {
        Path certs;
        try {
            certs = Files.createTempDirectory("fmi-redis-tls-");
            Path ks = certs.resolve("server.p12");
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "redis", "-keyalg", "RSA", "-keysize", "2048",
                    "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                    "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", "changeit", "-keypass", "changeit")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException("keytool failed: " + out);
            }
            java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
            try (var in = Files.newInputStream(ks)) {
                store.load(in, "changeit".toCharArray());
            }
            java.util.Base64.Encoder b64 = java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
            Files.writeString(certs.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\n"
                    + b64.encodeToString(store.getCertificate("redis").getEncoded()) + "\n-----END CERTIFICATE-----\n");
            Files.writeString(certs.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\n"
                    + b64.encodeToString(store.getKey("redis", "changeit".toCharArray()).getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw Servers.unavailable("Redis with TLS (certificate generation)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return launch("--tls-port", Integer.toString(Servers.freePort()),
                "--tls-cert-file", certs.resolve("cert.pem").toString(),
                "--tls-key-file", certs.resolve("key.pem").toString(),
                "--tls-ca-cert-file", certs.resolve("cert.pem").toString(),
                "--tls-auth-clients", "no");
    }

    /** The TLS port of a server from {@link #launchTls()}, else -1. */
    public int tlsPort() {
        return tlsPort;
    }

    /** The PEM certificate a TLS client must trust, for a server from {@link #launchTls()}. */
    public Path caFile() {
        return caFile;
    }

    private static String binary() {
        String path = System.getenv("PATH");
        List<String> dirs = new ArrayList<>(path == null ? List.of() : Arrays.asList(path.split(File.pathSeparator)));
        dirs.add("/usr/bin");
        dirs.add("/usr/local/bin");
        for (String d : dirs) {
            File f = new File(d, "redis-server");
            if (f.canExecute()) {
                return f.getAbsolutePath();
            }
        }
        return null;
    }

    public String host() {
        return container != null ? container.getHost() : "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** {@code redis://host:port}. */
    public String uri() {
        return "redis://" + host() + ":" + port;
    }

    /** A {@code "Redis"} backend entry for this server: enabled, host, port. */
    @Override
    public ObjectNode backend() {
        return FmiConfig.newObject().put("enabled", true).put("host", host()).put("port", port);
    }

    public boolean restartable() {
        return binary != null;
    }

    /** Starts the process (again, on the same port, with the data saved by {@link #stop()}). */
    @Override
    public synchronized void start() {
        requireProcess();
        if (process != null && process.isAlive()) {
            return;
        }
        List<String> cmd = new ArrayList<>(List.of(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--dbfilename", "dump.rdb"));
        cmd.addAll(extraArgs);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            CountDownLatch ready = new CountDownLatch(1);
            StringBuilder out = new StringBuilder();
            Thread drain = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        if (ready.getCount() > 0) {
                            synchronized (out) {
                                out.append(line).append('\n');
                            }
                        }
                        if (line.contains("Ready to accept connections")) {
                            ready.countDown();
                        }
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            }, "fmi-test-redis-" + port);
            drain.setDaemon(true);
            drain.start();
            if (!ready.await(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                synchronized (out) {
                    throw new IllegalStateException("redis-server on port " + port + " not ready within 10 s:\n" + out);
                }
            }
            process = p;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + binary + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting redis-server", e);
        }
    }

    /** Stops the server gracefully, saving its data to disk ({@code SHUTDOWN SAVE}). */
    @Override
    public synchronized void stop() {
        requireProcess();
        if (process == null || !process.isAlive()) {
            return;
        }
        try {
            command("SHUTDOWN", "SAVE");
        } catch (IOException e) {
            // The server closes the connection as it exits: expected.
        }
        waitForExit();
    }

    /** Kills the server (SIGKILL); its data is lost, as in a crash. */
    public synchronized void kill() {
        requireProcess();
        if (process != null) {
            process.destroyForcibly();
            waitForExit();
        }
    }

    /** Stops (saving) and starts again on the same port. */
    public void restart() {
        stop();
        start();
    }

    private void waitForExit() {
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    private void requireProcess() {
        if (binary == null) {
            throw new IllegalStateException("only a server run from the redis-server binary can be stopped and started");
        }
    }

    /** Sends one command over a fresh connection and returns the first line of the reply. */
    public String command(String... args) throws IOException {
        try (Socket s = new Socket(host(), port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            if (password != null) {
                out.write(resp("AUTH", password));
                in.readLine();
            }
            out.write(resp(args));
            out.flush();
            return in.readLine();
        }
    }

    private static byte[] resp(String... args) {
        StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            b.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void close() {
        if (process != null) {
            process.destroyForcibly();
            waitForExit();
        }
        if (container != null) {
            container.stop();
        }
        if (embedded != null) {
            try {
                embedded.stop();
            } catch (IOException ignored) {
                // best effort at exit
            }
        }
        Servers.deleteTree(dir);
    }

    @Override
    public String toString() {
        return "RedisServer[" + uri() + (binary != null ? " " + binary : container != null ? " container" : " embedded") + "]";
    }
}
