package io.fmi.channel.direct;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event loops that open the connections of every Direct channel in this JVM (rendezvous,
 * punching, handshake), shared and reference counted: 256 peers of one test JVM (or several
 * communicators of one Lambda container) share {@code io_threads} threads rather than starting
 * threads each. They are NIO loops, the kind from which fmi-tcpunch hands a connection over as a
 * plain {@link java.nio.channels.SocketChannel} ({@code HolePunchClient.connectSocket}); from then
 * on the channel's own threads drive it ({@link DirectIo}).
 *
 * <h2>Ownership</h2>
 * A channel {@link #acquire acquires} the group when it opens its first connection and
 * {@link Lease#release releases} it in {@code close()}; the last release shuts the group down and
 * waits (bounded) for its threads to end, so nothing outlives the last channel. One group exists
 * per thread count. Thread-safe.
 */
final class SharedEventLoops {
    private static final Logger log = LoggerFactory.getLogger(SharedEventLoops.class);
    private static final Map<Integer, Entry> GROUPS = new HashMap<>();

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

        void release() {
            EventLoopGroup toClose = null;
            synchronized (GROUPS) {
                if (released) {
                    return;
                }
                released = true;
                if (--entry.refs == 0) {
                    GROUPS.remove(entry.threads);
                    toClose = entry.group;
                }
            }
            if (toClose != null) {
                log.debug("shutting down the shared Direct event loops ({} threads)", entry.threads);
                toClose.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
    }

    private static final class Entry {
        final int threads;
        final EventLoopGroup group;
        int refs;

        Entry(int threads, EventLoopGroup group) {
            this.threads = threads;
            this.group = group;
        }
    }

    static Lease acquire(int threads) {
        synchronized (GROUPS) {
            Entry e = GROUPS.get(threads);
            if (e == null) {
                DefaultThreadFactory tf = new DefaultThreadFactory("fmi-direct-nio", true);
                e = new Entry(threads, new NioEventLoopGroup(threads, tf));
                GROUPS.put(threads, e);
                log.debug("started shared Direct event loops ({} threads)", threads);
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
