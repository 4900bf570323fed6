package io.fmi.channels.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fmi.FmiConfig;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.testcontainers.containers.localstack.LocalStackContainer;

/**
 * A real S3 API for tests: s3proxy over an in-memory blob store in this JVM, or LocalStack when a
 * Docker engine answers.
 *
 * <pre>
 * S3Server s3 = S3Server.shared();                         // one per JVM, stopped at exit
 * FmiConfig cfg = FmiConfig.defaults().withOnly("S3").withBackend("S3", s3.backend());
 * </pre>
 *
 * <p>{@link #backend()} names bucket {@value #BUCKET} with {@code "create": true}, static test
 * credentials, region {@code us-east-1}, path-style addressing and a fast poll interval.
 * {@link #launch()} starts a private server that keeps its objects across {@link #stop()} and
 * {@link #start()} (the blob store outlives the HTTP server). When no server can start,
 * {@link Servers#unavailable} fails (under {@code CI=true}) or skips the calling test. Thread-safe.
 */
public final class S3Server implements RestartableServer {
    public static final String BUCKET = "fmi-test";
    private static final String KEY = "fmitest";
    private static final String SECRET = "fmitestsecret";
    private static S3Server shared;

    private final String host;
    private final int port;
    private final BlobStore store;
    private final LocalStackContainer localStack;
    private S3Proxy proxy;

    private S3Server(int port, LocalStackContainer localStack) {
        this("127.0.0.1", port, localStack);
    }

    private S3Server(String host, int port, LocalStackContainer localStack) {
        this.host = host;
        this.port = port;
        this.localStack = localStack;
        this.store = localStack == null ? new TransientNio2BlobStore() : null;
    }

    /** The server shared by every test of this JVM; started on first call, stopped at exit. */
    public static synchronized S3Server shared() {
        if (shared == null) {
            S3Server s = Servers.dockerAvailable() ? new S3Server(-1, LocalStack.get()) : new S3Server(Servers.freePort(), null);
            if (s.localStack == null) {
                s.start();
                Servers.atExit("s3", s::close);
            }
            shared = s;
        }
        return shared;
    }

    /** A private s3proxy, restartable on the same port with its objects kept. Close it when done. */
    public static S3Server launch() {
        return launch("127.0.0.1");
    }

    /**
     * A private s3proxy listening on {@code host} (an address of this machine, e.g. a lab's
     * internet address) instead of 127.0.0.1. Close it when done.
     */
    public static S3Server launch(String host) {
        S3Server s = new S3Server(host, Servers.freePort(), null);
        s.start();
        return s;
    }

    public URI endpoint() {
        return localStack != null ? localStack.getEndpointOverride(LocalStackContainer.Service.S3) : URI.create("http://" + host + ":" + port);
    }

    /** An enabled {@code "S3"} entry for this server (bucket {@value #BUCKET}, created on demand). */
    @Override
    public ObjectNode backend() {
        return FmiConfig.newObject().put("enabled", true)
                .put("endpoint", endpoint().toString())
                .put("s3_region", localStack != null ? localStack.getRegion() : "us-east-1")
                .put("access_key", localStack != null ? localStack.getAccessKey() : KEY)
                .put("secret_key", localStack != null ? localStack.getSecretKey() : SECRET)
                .put("bucket_name", BUCKET)
                .put("create", true)
                .put("timeout", 5)
                .put("poll_max_ms", 200);
    }

    @Override
    public synchronized void start() {
        if (localStack != null) {
            throw new IllegalStateException("a LocalStack container is not restarted by this fixture");
        }
        if (proxy != null) {
            return;
        }
        try {
            S3Proxy p = S3Proxy.builder().blobStore(store).endpoint(endpoint())
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, KEY, SECRET).build();
            p.start();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!"STARTED".equals(p.getState())) {
                if (System.nanoTime() > until) {
                    p.stop();
                    throw new IllegalStateException("s3proxy not STARTED within 10 s (state " + p.getState() + ")");
                }
                Thread.sleep(10);
            }
            proxy = p;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw Servers.unavailable("s3proxy on port " + port, e);
        }
    }

    @Override
    public synchronized void stop() {
        if (proxy != null) {
            try {
                proxy.stop();
            } catch (Exception e) {
                throw new IllegalStateException("stopping s3proxy: " + e, e);
            } finally {
                proxy = null;
            }
        }
    }

    @Override
    public synchronized void close() {
        try {
            stop();
        } catch (RuntimeException ignored) {
            // best effort
        }
    }

    @Override
    public String toString() {
        return "S3Server[" + endpoint() + (localStack != null ? " localstack" : " s3proxy") + "]";
    }
}
