package io.fmi.tcpunch.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Netty NIO channels around {@code java.nio} sockets that this client opened itself and keeps a
 * reference to, so that a punched connection can leave Netty as a plain {@link SocketChannel}
 * ({@link io.fmi.tcpunch.HolePunchClient#connectSocket}) through public constructors only: no
 * reflection into Netty. Accepted connections are wrapped the same way, by a server channel that
 * accepts for itself. Used on NIO event loops only. Stateless factories; each channel follows
 * Netty's threading rules.
 */
final class OwnedChannels {
    private static final Logger log = LoggerFactory.getLogger(OwnedChannels.class);

    private OwnedChannels() {
    }

    /** A new unconnected client channel (a Bootstrap's channel factory). */
    static OwnedSocketChannel socket() {
        try {
            return new OwnedSocketChannel(null, SocketChannel.open());
        } catch (IOException e) {
            throw new ChannelException("cannot open a socket: " + e.getMessage(), e);
        }
    }

    /** A new unbound listening channel (a ServerBootstrap's channel factory). */
    static OwnedServerSocketChannel server() {
        try {
            return new OwnedServerSocketChannel(ServerSocketChannel.open());
        } catch (IOException e) {
            throw new ChannelException("cannot open a server socket: " + e.getMessage(), e);
        }
    }

    /** A Netty channel whose {@code java.nio} socket the client can hand over. */
    static final class OwnedSocketChannel extends NioSocketChannel {
        private final SocketChannel socket;

        OwnedSocketChannel(Channel parent, SocketChannel socket) {
            super(parent, socket);
            this.socket = socket;
        }

        /** The socket under this channel. */
        SocketChannel socket() {
            return socket;
        }
    }

    /** Accepts into {@link OwnedSocketChannel}s, so accepted connections can be handed over too. */
    static final class OwnedServerSocketChannel extends NioServerSocketChannel {
        private final ServerSocketChannel server;

        OwnedServerSocketChannel(ServerSocketChannel server) {
            super(server);
            this.server = server;
        }

        /** What {@link NioServerSocketChannel} does, with the accepted socket kept by its wrapper. */
        @Override
        protected int doReadMessages(List<Object> buf) throws Exception {
            SocketChannel s = server.accept();
            if (s == null) {
                return 0;
            }
            try {
                buf.add(new OwnedSocketChannel(this, s));
                return 1;
            } catch (RuntimeException e) {
                log.debug("cannot wrap an accepted connection from {}: {}", s.getRemoteAddress(), e.toString());
                s.close();
                return 0;
            }
        }
    }
}
