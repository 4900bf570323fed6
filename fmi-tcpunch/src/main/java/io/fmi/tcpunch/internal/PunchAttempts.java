package io.fmi.tcpunch.internal;

import io.fmi.tcpunch.PunchedConnection;
import io.netty.channel.Channel;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** The attempts of one client still in progress, so closing the client can end them. Thread-safe. */
public final class PunchAttempts {
    private final Set<PunchAttempt> running = ConcurrentHashMap.newKeySet();

    public CompletableFuture<PunchedConnection> start(ClientSettings settings, String name, String selfId, String peerId,
                                                      Duration timeout, Consumer<Channel> initializer) {
        PunchAttempt[] holder = new PunchAttempt[1];
        PunchAttempt a = new PunchAttempt(settings, name, selfId, peerId, timeout, initializer,
                () -> running.remove(holder[0]));
        holder[0] = a;
        running.add(a);
        return a.start();
    }

    public void abortAll() {
        for (PunchAttempt a : running) {
            a.abort();
        }
    }
}
