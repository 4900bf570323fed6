package io.fmi.channel.direct;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fmi.FmiConfig;
import io.fmi.tcpunch.RendezvousServer;
import java.net.InetAddress;
import java.util.function.Consumer;

/** Config and rendezvous server for tests on loopback. */
final class DirectTesting {
    private DirectTesting() {
    }

    static RendezvousServer startServer() {
        return RendezvousServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0).build().start();
    }

    /** Only the Direct backend, pointed at {@code server}; {@code tweak} may add keys. */
    static FmiConfig config(RendezvousServer server, Consumer<ObjectNode> tweak) {
        ObjectNode d = FmiConfig.newObject()
                .put("enabled", true)
                .put("host", InetAddress.getLoopbackAddress().getHostAddress())
                .put("port", server.port())
                .put("max_timeout", 30_000)
                .put("nat_probe", false);
        tweak.accept(d);
        return FmiConfig.defaults().withOnly("Direct").withBackend("Direct", d);
    }

    static FmiConfig config(RendezvousServer server) {
        return config(server, d -> { });
    }
}
