package io.fmi.channel.direct;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fmi.FmiConfig;
import io.fmi.tcpunch.RendezvousServer;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A rendezvous server on loopback for one test class, started before its first test and closed
 * after its last, and the configuration that points the Direct backend at it:
 * {@code @RegisterExtension static final DirectTesting server = new DirectTesting();}
 */
final class DirectTesting implements BeforeAllCallback, AfterAllCallback {
    /** The server's shared secret, also in {@link #config()}: the tests run the secured path, as deployments do. */
    static final String SECRET = "direct-tests";

    private RendezvousServer server;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = RendezvousServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0)
                .secret(SECRET.getBytes(StandardCharsets.UTF_8)).build().start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** The server's port on the loopback address. */
    int port() {
        return server.port();
    }

    /** The server's counters now. */
    io.fmi.tcpunch.ServerStats stats() {
        return server.stats();
    }

    /** Only the Direct backend, pointed at this server. */
    FmiConfig config() {
        return config(d -> { });
    }

    /** Only the Direct backend, pointed at this server; {@code tweak} may add keys. */
    FmiConfig config(Consumer<ObjectNode> tweak) {
        ObjectNode d = FmiConfig.newObject()
                .put("enabled", true)
                .put("host", InetAddress.getLoopbackAddress().getHostAddress())
                .put("port", port())
                .put("max_timeout", 30_000)
                .put("nat_probe", false)
                .put("secret", SECRET);
        tweak.accept(d);
        return FmiConfig.defaults().withOnly("Direct").withBackend("Direct", d);
    }
}
