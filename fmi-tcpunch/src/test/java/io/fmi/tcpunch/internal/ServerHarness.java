package io.fmi.tcpunch.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;

/** A {@link ServerCore} and socket-less server connections (EmbeddedChannel) for handler tests. */
final class ServerHarness {
    final ServerCore core;

    ServerHarness(ServerConfig config) {
        this.core = new ServerCore(config);
    }

    static ServerConfig config(Hmac secret, Duration ttl, int maxPending) {
        return limits(secret, ttl, maxPending, maxPending, 1000, 1000);
    }

    static ServerConfig limits(Hmac secret, Duration ttl, int maxPending, int maxPendingPerAddress, int maxConnections,
                               int maxConnectionsPerAddress) {
        return new ServerConfig(secret, ttl, Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(30),
                maxPending, maxPendingPerAddress, 1000, maxConnections, maxConnectionsPerAddress, 10, 200, 64, true);
    }

    /** An EmbeddedChannel that claims to be connected from {@code remote}. */
    static final class Conn extends EmbeddedChannel {
        private InetSocketAddress remote;

        Conn() {
            super();
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return remote;
        }

        ByteBuf readFrame() {
            runPendingTasks();
            return readOutbound();
        }

        Message readMessage() {
            ByteBuf b = readFrame();
            if (b == null) {
                return null;
            }
            try {
                return MessageCodec.decode(b);
            } finally {
                b.release();
            }
        }
    }

    Conn connect(String ip, int port) {
        Conn c = new Conn();
        c.remote = new InetSocketAddress(ip, port);
        c.pipeline().addLast("limiter", new ConnectionLimiter(core))
                .addLast("sniffer", new ServerInitializer.Sniffer(core.config.legacyTcpunch(), core.config.maxNameBytes()))
                .addLast("handler", new ServerConnectionHandler(core));
        c.pipeline().fireChannelActive();
        return c;
    }

    static ByteBuf frame(Message m, Hmac key) {
        return MessageCodec.encode(Unpooled.buffer().alloc(), m, key);
    }

    static Message.Register register(String name, String self, String peer, long timestamp, byte[] nonce, Hmac key) {
        return new Message.Register(new Message.Auth(key != null ? Wire.FLAG_MAC : 0, timestamp, nonce), name, self, peer, 0,
                List.of(new InetSocketAddress("10.0.0.7", 4000)));
    }

    static byte[] nonce(int seed) {
        byte[] n = new byte[Wire.NONCE_LENGTH];
        n[0] = (byte) seed;
        n[1] = (byte) (seed >> 8);
        n[2] = (byte) (seed >> 16);
        return n;
    }
}
