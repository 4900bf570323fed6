package io.fmi.tcpunch;

import io.netty.bootstrap.AbstractBootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.StandardSocketOptions;

/**
 * Picks Netty's native epoll transport where it loads (Linux x86_64 and aarch64) and NIO
 * elsewhere, and hides the one place where they differ for hole punching: {@code SO_REUSEPORT}.
 *
 * <pre>
 * EventLoopGroup group = Transports.newEventLoopGroup(2, "fmi-direct");
 * Bootstrap b = new Bootstrap().group(group).channel(Transports.socketChannelClass(group));
 * Transports.reusePort(b, group);          // before bind, on every socket sharing the port
 * </pre>
 *
 * <p>The channel classes follow the group, not the platform: an NIO group passed in by a caller
 * gets NIO channels even where epoll is available. Set the system property
 * {@code fmi.tcpunch.transport=nio} to never use epoll. Thread-safe (stateless).
 */
public final class Transports {

    /**
     * {@code SO_REUSEPORT} for epoll client channels. {@code EpollChannelOption.SO_REUSEPORT} is only
     * honoured by epoll server (and datagram) channels; on a client bootstrap it is ignored with a log
     * line and the bind then fails. The raw option (level {@code SOL_SOCKET}=1, name 15) works.
     */
    private static final IntegerUnixChannelOption EPOLL_CLIENT_REUSEPORT =
            new IntegerUnixChannelOption("SO_REUSEPORT", 1, 15);

    private Transports() {
    }

    /** Whether the native epoll transport is loaded and not disabled by {@code fmi.tcpunch.transport=nio}. */
    public static boolean epollAvailable() {
        return !"nio".equalsIgnoreCase(System.getProperty("fmi.tcpunch.transport")) && Epoll.isAvailable();
    }

    /** A new group of {@code threads} event loops (0 = Netty's default) with named daemon threads. */
    public static EventLoopGroup newEventLoopGroup(int threads, String threadNamePrefix) {
        DefaultThreadFactory tf = new DefaultThreadFactory(threadNamePrefix, true);
        return epollAvailable() ? new EpollEventLoopGroup(threads, tf) : new NioEventLoopGroup(threads, tf);
    }

    /** Whether {@code group} runs the epoll transport. */
    public static boolean isEpoll(EventLoopGroup group) {
        return group instanceof EpollEventLoopGroup
                || group.next().getClass().getName().startsWith("io.netty.channel.epoll.");
    }

    /** The client channel class that runs on {@code group}'s loops (epoll or NIO). */
    public static Class<? extends SocketChannel> socketChannelClass(EventLoopGroup group) {
        return isEpoll(group) ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** The server channel class that runs on {@code group}'s loops (epoll or NIO). */
    public static Class<? extends ServerSocketChannel> serverSocketChannelClass(EventLoopGroup group) {
        return isEpoll(group) ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** Sets {@code SO_REUSEADDR} and {@code SO_REUSEPORT} on the channels {@code b} creates (client or server). */
    public static void reusePort(AbstractBootstrap<?, ?> b, EventLoopGroup group) {
        b.option(ChannelOption.SO_REUSEADDR, true);
        if (!isEpoll(group)) {
            b.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true);
        } else if (b instanceof ServerBootstrap) {
            b.option(EpollChannelOption.SO_REUSEPORT, true);
        } else {
            b.option(EPOLL_CLIENT_REUSEPORT, 1);
        }
    }
}
