package io.fmi.channels.testing;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fmi.FmiConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.testcontainers.containers.localstack.LocalStackContainer;

/**
 * A real DynamoDB API for tests: AWS's DynamoDB Local in HTTP mode in this JVM (so requests take
 * the SDK's real HTTP path), or LocalStack when a Docker engine answers.
 *
 * <pre>
 * DynamoDbServer db = DynamoDbServer.shared();             // one per JVM, stopped at exit
 * FmiConfig cfg = FmiConfig.defaults().withOnly("DynamoDB").withBackend("DynamoDB", db.backend());
 * </pre>
 *
 * <p>{@link #backend()} names table {@value #TABLE} with {@code "create": true}, static test
 * credentials (letters and digits only: DynamoDB Local 2.x refuses others), region
 * {@code us-east-1} and a fast poll interval. {@link #launch()} starts a private
 * server on disk ({@code -dbPath}) that keeps its tables across {@link #stop()} and
 * {@link #start()}. When no server can start, {@link Servers#unavailable} fails (under
 * {@code CI=true}) or skips the calling test. Thread-safe.
 */
public final class DynamoDbServer implements RestartableServer {
    public static final String TABLE = "fmi-test";
    private static DynamoDbServer shared;

    private final URI endpoint;
    private final Path dir;
    private final LocalStackContainer localStack;
    private final int port;
    private DynamoDBProxyServer server;

    private DynamoDbServer(int port, Path dir, LocalStackContainer localStack) {
        this.port = port;
        this.dir = dir;
        this.localStack = localStack;
        this.endpoint = localStack != null
                ? localStack.getEndpointOverride(LocalStackContainer.Service.DYNAMODB)
                : URI.create("http://127.0.0.1:" + port);
    }

    /** The server shared by every test of this JVM; started on first call, stopped at exit. */
    public static synchronized DynamoDbServer shared() {
        if (shared == null) {
            DynamoDbServer s = Servers.dockerAvailable()
                    ? new DynamoDbServer(-1, null, LocalStack.get())
                    : new DynamoDbServer(Servers.freePort(), null, null);
            if (s.localStack == null) {
                s.start();
                Servers.atExit("dynamodb", s::close);
            }
            shared = s;
        }
        return shared;
    }

    /** A private DynamoDB Local keeping its data on disk, restartable on the same port. Close it when done. */
    public static DynamoDbServer launch() {
        try {
            DynamoDbServer s = new DynamoDbServer(Servers.freePort(), Files.createTempDirectory("fmi-dynamodb-"), null);
            s.start();
            return s;
        } catch (IOException e) {
            throw Servers.unavailable("DynamoDB Local", e);
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    /** An enabled {@code "DynamoDB"} entry for this server (table {@value #TABLE}, created on demand). */
    @Override
    public ObjectNode backend() {
        return FmiConfig.newObject().put("enabled", true)
                .put("endpoint", endpoint.toString())
                .put("region", localStack != null ? localStack.getRegion() : "us-east-1")
                .put("access_key", localStack != null ? localStack.getAccessKey() : "fmitest")
                .put("secret_key", localStack != null ? localStack.getSecretKey() : "fmitest")
                .put("table_name", TABLE)
                .put("create", true)
                .put("timeout", 5)
                .put("poll_max_ms", 200);
    }

    @Override
    public synchronized void start() {
        if (localStack != null) {
            throw new IllegalStateException("a LocalStack container is not restarted by this fixture");
        }
        if (server != null) {
            return;
        }
        List<String> args = dir == null
                ? List.of("-inMemory", "-sharedDb", "-port", Integer.toString(port))
                : List.of("-dbPath", dir.toString(), "-sharedDb", "-port", Integer.toString(port));
        try {
            DynamoDBProxyServer s = ServerRunner.createServerFromCommandLineArgs(args.toArray(new String[0]));
            s.start();
            server = s;
        } catch (Exception e) {
            throw Servers.unavailable("DynamoDB Local on port " + port, e);
        }
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            try {
                server.stop();
            } catch (Exception e) {
                throw new IllegalStateException("stopping DynamoDB Local: " + e, e);
            } finally {
                server = null;
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
        Servers.deleteTree(dir);
    }

    @Override
    public String toString() {
        return "DynamoDbServer[" + endpoint + (localStack != null ? " localstack" : dir != null ? " on disk" : " in memory") + "]";
    }
}
