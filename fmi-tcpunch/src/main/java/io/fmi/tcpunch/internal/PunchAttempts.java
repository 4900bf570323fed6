package io.fmi.tcpunch.internal;

import io.fmi.tcpunch.PunchedConnection;
import io.fmi.tcpunch.PunchedSocket;
import io.netty.channel.Channel;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** The attempts of one client still in progress, so closing the client can end them. Thread-safe. */
public final class PunchAttempts {
    private final Set<PunchAttempt> running = ConcurrentHashMap.newKeySet();

    /** Starts an attempt whose winning channel gets the caller's handlers ({@code HolePunchClient.connect}). */
    public CompletableFuture<PunchedConnection> start(ClientSettings settings, String name, String selfId, String peerId,
                                                      Duration timeout, Consumer<Channel> initializer) {
        return add(settings, name, selfId, peerId, timeout, initializer).startForChannel();
    }

    /** Starts an attempt whose winner is handed over as a plain socket ({@code HolePunchClient.connectSocket}). */
    public CompletableFuture<PunchedSocket> startSocket(ClientSettings settings, String name, String selfId, String peerId,
                                                        Duration timeout) {
        return add(settings, name, selfId, peerId, timeout, null).startForSocket();
    }

    private PunchAttempt add(ClientSettings settings, String name, String selfId, String peerId, Duration timeout,
                             Consumer<Channel> initializer) {
        PunchAttempt[] holder = new PunchAttempt[1];
        PunchAttempt a = new PunchAttempt(settings, name, selfId, peerId, timeout, initializer,
                () -> running.remove(holder[0]));
        holder[0] = a;
        running.add(a);
        return a;
    }

    /** Ends every attempt still in progress (client shutdown). */
    public void abortAll() {
        for (PunchAttempt a : running) {
            a.abort();
        }
    }
}
