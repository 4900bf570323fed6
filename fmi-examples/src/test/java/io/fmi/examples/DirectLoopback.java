package io.fmi.examples;

import io.fmi.FmiConfig;
import io.fmi.tcpunch.RendezvousServer;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * A rendezvous server on loopback with a secret of its own, and the configuration that points
 * the Direct channel (and only it) at it: for peers of {@link io.fmi.local.LocalCluster} that
 * talk over real TCP connections. Close it after the peers closed their communicators.
 */
public final class DirectLoopback implements AutoCloseable {
    private final RendezvousServer server;
    private final FmiConfig config;

    public DirectLoopback() throws Exception {
        String secret = UUID.randomUUID().toString();
        server = RendezvousServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0)
                .secret(secret.getBytes(StandardCharsets.UTF_8)).build().start();
        config = FmiConfig.defaults().withOnly("Direct").withBackend("Direct", FmiConfig.newObject().put("enabled", true)
                .put("host", "127.0.0.1").put("port", server.port()).put("secret", secret).put("nat_probe", false));
    }

    /** Direct only, at this server. */
    public FmiConfig config() {
        return config;
    }

    @Override
    public void close() {
        server.close();
    }
}
