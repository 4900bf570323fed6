package io.fmi.channel.direct;

import io.fmi.tcpunch.Transports;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event loops of every Direct channel in this JVM, shared and reference counted: 256 peers of
 * one test JVM (or several communicators of one Lambda container) share {@code io_threads} threads
 * rather than starting threads each.
 *
 * <h2>Ownership</h2>
 * A channel {@link #acquire acquires} a group when it opens its first connection and
 * {@link Lease#release releases} it in {@code close()}; the last release shuts the group down and
 * waits (bounded) for its threads to end, so nothing outlives the last channel. One group exists
 * per (transport, thread count). Thread-safe.
 */
final class SharedEventLoops {
    private static final Logger log = LoggerFactory.getLogger(SharedEventLoops.class);
    private static final Map<String, Entry> GROUPS = new HashMap<>();

    private SharedEventLoops() {
    }

    /** A reference to a shared group; release it exactly once. */
    static final class Lease {
        private final Entry entry;
        private boolean released;

        private Lease(Entry entry) {
            this.entry = entry;
        }

        EventLoopGroup group() {
            return entry.group;
        }

        boolean epoll() {
            return entry.epoll;
        }

        void release() {
            EventLoopGroup toClose = null;
            synchronized (GROUPS) {
                if (released) {
                    return;
                }
                released = true;
                if (--entry.refs == 0) {
                    GROUPS.remove(entry.key);
                    toClose = entry.group;
                }
            }
            if (toClose != null) {
                log.debug("shutting down shared event loops {}", entry.key);
                toClose.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
    }

    private static final class Entry {
        final String key;
        final EventLoopGroup group;
        final boolean epoll;
        int refs;

        Entry(String key, EventLoopGroup group, boolean epoll) {
            this.key = key;
            this.group = group;
            this.epoll = epoll;
        }
    }

    /** Whether the transport setting resolves to native epoll on this machine. */
    static boolean useEpoll(DirectOptions.Transport transport) {
        switch (transport) {
            case NIO:
                return false;
            case EPOLL:
                if (!Epoll.isAvailable()) {
                    throw new io.fmi.FmiConfigException("backends.Direct.transport: epoll (expected: a transport that loads here; epoll does not: "
                            + Epoll.unavailabilityCause() + ")");
                }
                return true;
            default:
                return Transports.epollAvailable();
        }
    }

    static Lease acquire(DirectOptions.Transport transport, int threads) {
        boolean epoll = useEpoll(transport);
        String key = (epoll ? "epoll" : "nio") + "x" + threads;
        synchronized (GROUPS) {
            Entry e = GROUPS.get(key);
            if (e == null) {
                DefaultThreadFactory tf = new DefaultThreadFactory("fmi-direct-" + (epoll ? "epoll" : "nio"), true);
                EventLoopGroup g = epoll ? new EpollEventLoopGroup(threads, tf) : new NioEventLoopGroup(threads, tf);
                e = new Entry(key, g, epoll);
                GROUPS.put(key, e);
                log.debug("started shared event loops {}", key);
            }
            e.refs++;
            return new Lease(e);
        }
    }

    /** Number of groups alive (for tests). */
    static int liveGroups() {
        synchronized (GROUPS) {
            return GROUPS.size();
        }
    }
}
