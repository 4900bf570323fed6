package io.fmi.tcpunch.internal.cli;

import io.fmi.tcpunch.Transports;
import io.fmi.tcpunch.internal.FrameDecoder;
import io.fmi.tcpunch.internal.Hmac;
import io.fmi.tcpunch.internal.Message;
import io.fmi.tcpunch.internal.MessageCodec;
import io.fmi.tcpunch.internal.Wire;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Load generator for the rendezvous server ({@code loadgen} command). Speaks the wire protocol
 * directly (no punching: it measures the server). Two phases, all on one event loop thread:
 * <ol>
 * <li>hold: open {@code --pending} connections that each register a name nobody else uses, and keep
 *     them waiting for the whole run; or, with {@code --flood}, open that many from one source
 *     address (127.0.0.2 against a loopback server) the same way, count those the server refuses,
 *     and go on: one address flooding the server;</li>
 * <li>pair: for {@code --seconds}, keep {@code --concurrency} pairs in flight; a pair is two new
 *     connections registering one name; it is complete when both got their PEER frame, and failed
 *     when either got an error, was closed, or is not complete within {@value #PAIR_DEADLINE_SECONDS} s.</li>
 * </ol>
 * Against a loopback server the connections come from 127.0.0.2 to 127.0.0.251 (the pairs from
 * 127.0.0.3 on with {@code --flood}) so the run is not limited by one source address's ephemeral
 * ports; they are closed with {@code SO_LINGER 0}.
 */
final class LoadGenerator {
    static final int PAIR_DEADLINE_SECONDS = 10;

    private final InetSocketAddress server;
    private final Hmac key;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final SecureRandom random = new SecureRandom();
    private final String run = Long.toHexString(System.nanoTime());
    private int sourceIndex;
    private int firstSource = 2;
    /** While set, every connection comes from this address (the flood). */
    private InetAddress floodSource;

    private LoadGenerator(InetSocketAddress server, byte[] secret, EventLoopGroup group) {
        this.server = server;
        this.key = secret == null ? null : new Hmac(secret);
        this.loop = group.next();
        this.bootstrap = new Bootstrap().group(loop).channel(Transports.socketChannelClass(group))
                .option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.SO_LINGER, 0)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new FrameDecoder());
                    }
                });
    }

    static int run(Args a, byte[] secret, PrintStream out) {
        InetSocketAddress server = a.endpoint("server");
        int flood = a.integer("flood", 0);
        int pending = flood > 0 ? flood : a.integer("pending", 10_000);
        double seconds = a.number("seconds", 10);
        int concurrency = a.integer("concurrency", 256);
        EventLoopGroup group = Transports.newEventLoopGroup(1, "fmi-loadgen");
        try {
            LoadGenerator g = new LoadGenerator(server, secret, group);
            out.printf("loadgen against %s: %d held registrations%s, then pairs for %.0f s at concurrency %d, transport %s%n",
                    server, pending, flood > 0 ? " from one address" : "", seconds, concurrency,
                    Transports.isEpoll(group) ? "epoll" : "nio");
            List<Channel> held = g.hold(pending, flood > 0, out);
            if (held == null) {
                return 1;
            }
            int ok = g.pairs(seconds, concurrency, out);
            long stillOpen = held.stream().filter(Channel::isActive).count();
            out.printf("held registrations still waiting at the end: %d of %d%n", stillOpen, pending);
            held.forEach(Channel::close);
            return ok == 0 && (flood > 0 || stillOpen == pending) ? 0 : 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    private InetSocketAddress source() {
        if (!server.getAddress().isLoopbackAddress() || server.getAddress().getAddress().length != 4) {
            return null;
        }
        if (floodSource != null) {
            return new InetSocketAddress(floodSource, 0);
        }
        return new InetSocketAddress(loopback(firstSource + (sourceIndex++ % (252 - firstSource))), 0);
    }

    private static InetAddress loopback(int host) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) host});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Opens a connection, sends REGISTER, and passes each reply to {@code onReply} (null when it closed). */
    private void register(String name, String self, String peer, List<Channel> track, Consumer<Message> onReply) {
        InetSocketAddress src = source();
        (src == null ? bootstrap.connect(server) : bootstrap.connect(server, src)).addListener(f -> {
            io.netty.channel.ChannelFuture cf = (io.netty.channel.ChannelFuture) f;
            if (!f.isSuccess()) {
                onReply.accept(null);
                return;
            }
            Channel ch = cf.channel();
            track.add(ch);
            ch.pipeline().addLast(new SimpleChannelInboundHandler<ByteBuf>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
                    onReply.accept(MessageCodec.decode(frame));
                }

                @Override
                public void channelInactive(ChannelHandlerContext ctx) {
                    onReply.accept(null);
                }
            });
            byte[] nonce = new byte[Wire.NONCE_LENGTH];
            random.nextBytes(nonce);
            Message.Auth auth = new Message.Auth(key != null ? Wire.FLAG_MAC : 0, System.currentTimeMillis(), nonce);
            ch.writeAndFlush(MessageCodec.encode(ch.alloc(), new Message.Register(auth, name, self, peer, 0, List.of()), key));
        });
    }

    /**
     * Opens {@code n} held registrations; with {@code flood}, all from one source address, refusals
     * counted and not fatal. Null if a registration failed without {@code flood}.
     */
    private List<Channel> hold(int n, boolean flood, PrintStream out) throws InterruptedException {
        List<Channel> held = new ArrayList<>(n);
        CountDownLatch done = new CountDownLatch(n);
        int[] failures = new int[1];
        String[] firstError = new String[1];
        long start = System.nanoTime();
        if (flood && source() != null) {
            floodSource = loopback(2);
            firstSource = 3; // the pairs come from the other addresses
        }
        loop.execute(new Runnable() {
            int next;

            @Override
            public void run() {
                // at most 500 connects per loop turn, so the loop keeps reading replies
                for (int k = 0; k < 500 && next < n; k++, next++) {
                    boolean[] counted = new boolean[1];
                    register("hold-" + run + "-" + next, "a", "b", held, m -> {
                        if (counted[0]) {
                            return;
                        }
                        counted[0] = true;
                        if (!(m instanceof Message.Registered)) {
                            failures[0]++;
                            if (firstError[0] == null) {
                                firstError[0] = m == null ? "connection closed by the server" : String.valueOf(m);
                            }
                        }
                        done.countDown();
                    });
                }
                if (next < n) {
                    loop.execute(this);
                }
            }
        });
        // a flooded server may never answer some (it could not accept them): go on after a while
        boolean all = done.await(flood ? 30 : 120, TimeUnit.SECONDS);
        floodSource = null;
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        if (flood) {
            long answered = n - done.getCount();
            int refused = loop.submit(() -> failures[0]).sync().getNow();
            out.printf("flood from 127.0.0.2: %d connections; first reply REGISTERED: %d, refused at once: %d, unanswered:"
                    + " %d after %d ms; first refusal: %s%n", n, answered - refused, refused, n - answered, ms, firstError[0]);
            return loop.submit(() -> new ArrayList<>(held)).sync().getNow();
        }
        if (!all) {
            out.printf("hold: only %d of %d registered within 120 s%n", n - done.getCount(), n);
            return null;
        }
        if (failures[0] > 0) {
            out.printf("hold: %d of %d registrations failed, first: %s%n", failures[0], n, firstError[0]);
            return null;
        }
        out.printf("hold: %d registrations pending on the server (registered in %d ms)%n", n, ms);
        return loop.submit(() -> new ArrayList<>(held)).sync().getNow();
    }

    private int pairs(double seconds, int concurrency, PrintStream out) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        int buckets = (int) Math.ceil(seconds);
        long[] perSecond = new long[buckets + 1];
        List<Long> latencies = new ArrayList<>();
        int[] failures = new int[1];
        int[] inFlight = new int[1];
        CountDownLatch finished = new CountDownLatch(1);
        int[] counter = new int[1];
        Runnable[] startPair = new Runnable[1];
        startPair[0] = () -> {
            if (System.nanoTime() >= end) {
                if (inFlight[0] == 0) {
                    finished.countDown();
                }
                return;
            }
            inFlight[0]++;
            String name = "pair-" + run + "-" + counter[0]++;
            long t0 = System.nanoTime();
            int[] peers = new int[1];
            boolean[] over = new boolean[1];
            List<Channel> channels = new ArrayList<>(2);
            Consumer<Message> onReply = m -> {
                if (over[0] || m instanceof Message.Registered) {
                    return;
                }
                if (m instanceof Message.Peer && ++peers[0] < 2) {
                    return;
                }
                over[0] = true;
                channels.forEach(Channel::close);
                long now = System.nanoTime();
                if (m instanceof Message.Peer) {
                    latencies.add(now - t0);
                    perSecond[(int) Math.min(buckets, (now - start) / 1_000_000_000L)]++;
                } else {
                    failures[0]++;
                }
                inFlight[0]--;
                startPair[0].run();
            };
            register(name, "a", "b", channels, onReply);
            register(name, "b", "a", channels, onReply);
            // a server that cannot accept (no descriptors left) never answers: a failure, not a hang
            loop.schedule(() -> onReply.accept(null), PAIR_DEADLINE_SECONDS, TimeUnit.SECONDS);
        };
        loop.execute(() -> {
            for (int i = 0; i < concurrency; i++) {
                startPair[0].run();
            }
        });
        finished.await((long) seconds + 30, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - start) / 1e9;
        long[] lat = loop.submit(() -> latencies.stream().mapToLong(Long::longValue).sorted().toArray()).sync().getNow();
        long[] full = Arrays.copyOf(perSecond, Math.max(1, (int) Math.floor(seconds)));
        Arrays.sort(full);
        double median = full[full.length / 2];
        out.printf("pairs: %d completed in %.1f s = %.0f pairings/s (median of per-second counts %.0f/s), %d failed%n",
                lat.length, elapsed, lat.length / elapsed, median, failures[0]);
        if (lat.length > 0) {
            out.printf("pair latency (both PEER frames received): median %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    lat[lat.length / 2] / 1e6, lat[(int) (lat.length * 0.99)] / 1e6, lat[lat.length - 1] / 1e6);
        }
        return failures[0];
    }
}
