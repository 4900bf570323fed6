package io.fmi.local;

import io.fmi.channel.Mailbox;
import java.util.HashMap;
import java.util.Map;

/**
 * The shared memory through which in-memory channels of one JVM talk: per communicator scope, a
 * mailbox for every rank (created on first reference, so messages to a peer that has not yet
 * opened its channel wait for it) and a key-value store for the mediated family.
 *
 * <p>{@link LocalCluster} makes one fabric per run; communicators built by hand with the
 * {@code Local} or {@code LocalStore} backend share {@link #shared()}. Thread-safe.
 */
public final class LocalFabric {
    private static final LocalFabric SHARED = new LocalFabric();

    private final Map<String, Group> groups = new HashMap<>();
    private final LocalStore store = new LocalStore();

    /** The JVM-wide fabric used by communicators that do not name one. */
    public static LocalFabric shared() {
        return SHARED;
    }

    /** The in-memory key-value store of this fabric. */
    public LocalStore store() {
        return store;
    }

    synchronized Group group(String scope, int size) {
        Group g = groups.get(scope);
        if (g == null || g.size != size) {
            g = new Group(scope, size);
            groups.put(scope, g);
        }
        return g;
    }

    synchronized void release(Group g) {
        groups.remove(g.scope, g);
    }

    /** The peers of one communicator. */
    final class Group {
        final String scope;
        final int size;
        private final Mailbox[] mailboxes;
        private final Throwable[] gone;
        private int departed;

        Group(String scope, int size) {
            this.scope = scope;
            this.size = size;
            this.mailboxes = new Mailbox[size];
            this.gone = new Throwable[size];
            for (int i = 0; i < size; i++) {
                mailboxes[i] = new Mailbox();
            }
        }

        Mailbox mailbox(int rank) {
            return mailboxes[rank];
        }

        synchronized Throwable gone(int rank) {
            return gone[rank];
        }

        /** Rank {@code rank} left (closed or failed): receives waiting on it fail at once. */
        void depart(int rank, Throwable why) {
            boolean last;
            synchronized (this) {
                if (gone[rank] != null) {
                    return;
                }
                gone[rank] = why;
                last = ++departed == size;
            }
            for (int i = 0; i < size; i++) {
                if (i != rank) {
                    mailboxes[i].failPeer(rank, why);
                }
            }
            if (last) {
                release(this);
            }
        }
    }
}
