package io.fmi.tcpunch.internal;

import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;

/** The settled settings of a hole-punching client, shared by all its attempts. Immutable. */
public record ClientSettings(
        InetSocketAddress server,
        Hmac secret,
        byte[] rawSecret,
        EventLoopGroup group,
        boolean epoll,
        Executor callbackExecutor,
        List<InetAddress> privateAddresses,
        Duration directTimeout,
        Duration probeTimeout,
        Duration serverRetryTimeout,
        boolean mappingProbe,
        boolean relay,
        boolean direct,
        SecureRandom random) {

    public byte[] nonce() {
        byte[] n = new byte[Wire.NONCE_LENGTH];
        random.nextBytes(n);
        return n;
    }

    public Message.Auth auth() {
        return new Message.Auth(secret != null ? Wire.FLAG_MAC : 0, System.currentTimeMillis(), nonce());
    }
}
