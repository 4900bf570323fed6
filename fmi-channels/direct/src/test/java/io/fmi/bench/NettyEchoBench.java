package io.fmi.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A plain Netty echo, no FMI: the client writes a message of n bytes, the server echoes every
 * byte back as it arrives, the client times the round trip until all n bytes are back. Used to
 * look for the cause of the multi-millisecond p99 stalls such an echo shows on loopback (see
 * docs/benchmarks.md, "TCP congestion control on loopback"). Run by {@code bench/run-netty-echo.sh}.
 *
 * <pre>java -cp ... io.fmi.bench.NettyEchoBench [nio|epoll] [iterations] [sizes...]</pre>
 */
public final class NettyEchoBench {
    private NettyEchoBench() {
    }

    public static void main(String[] args) throws Exception {
        String transport = args.length > 0 ? args[0] : "nio";
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int[] sizes = args.length > 2 ? Arrays.stream(args, 2, args.length).mapToInt(Integer::parseInt).toArray()
                : new int[] {64 * 1024, 256 * 1024, 1024 * 1024};
        boolean epoll = transport.equals("epoll");
        if (epoll && !Epoll.isAvailable()) {
            throw new IllegalStateException("epoll transport unavailable: " + Epoll.unavailabilityCause());
        }
        EventLoopGroup server = epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
        EventLoopGroup client = epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
        Class<? extends ServerChannel> serverType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        Class<? extends Channel> clientType = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        try {
            Channel listener = new ServerBootstrap().group(server).channel(serverType)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ctx.write(msg);
                        }

                        @Override
                        public void channelReadComplete(ChannelHandlerContext ctx) {
                            ctx.flush();
                        }
                    })
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            Counter counter = new Counter();
            Channel ch = new Bootstrap().group(client).channel(clientType).option(ChannelOption.TCP_NODELAY, true)
                    .handler(counter).connect(listener.localAddress()).sync().channel();
            for (int size : sizes) {
                ByteBuf payload = Unpooled.unreleasableBuffer(Unpooled.directBuffer(size).writeZero(size));
                long[] rtt = new long[iterations];
                for (int i = -iterations / 5; i < iterations; i++) {
                    long t0 = System.nanoTime();
                    counter.expect(size);
                    ch.writeAndFlush(payload.retainedDuplicate());
                    if (!counter.done.tryAcquire(10, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("echo of " + size + " bytes: no reply within 10 s");
                    }
                    if (i >= 0) {
                        rtt[i] = System.nanoTime() - t0;
                    }
                }
                Arrays.sort(rtt);
                long over2ms = Arrays.stream(rtt).filter(t -> t > 2_000_000).count();
                System.out.printf(Locale.ROOT, "RESULT op=echo impl=netty-%s bytes=%d iters=%d median_us=%.1f p99_us=%.1f max_us=%.1f over_2ms=%d%n",
                        transport, size, iterations, rtt[iterations / 2] / 1e3, rtt[iterations * 99 / 100] / 1e3,
                        rtt[iterations - 1] / 1e3, over2ms);
            }
            ch.close().sync();
            listener.close().sync();
        } finally {
            client.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            server.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** Counts the echoed bytes; releases {@link #done} once the expected number is back. */
    private static final class Counter extends ChannelInboundHandlerAdapter {
        final Semaphore done = new Semaphore(0);
        private volatile int remaining;

        void expect(int n) {
            remaining = n;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            int n = b.readableBytes();
            b.release();
            remaining -= n;
            if (remaining == 0) {
                done.release();
            }
        }
    }
}
