package io.fmi.tcpunch.internal;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * The decoded frames of protocol version 1. Byte layouts are in {@link MessageCodec} and
 * {@code docs/protocol.md}. Byte arrays in these records are never mutated after decoding.
 */
public interface Message {

    /** The preamble every client request carries: flags, a timestamp and a nonce against replay. */
    record Auth(int flags, long timestampMillis, byte[] nonce) {
        public boolean hasMac() {
            return (flags & Wire.FLAG_MAC) != 0;
        }
    }

    /** Marker of the frames a client sends to the server. */
    interface Request extends Message {
        Auth auth();
    }

    record Register(Auth auth, String name, String selfId, String peerId, int natFlags,
                    List<InetSocketAddress> privateEndpoints) implements Request {
        public boolean symmetricNat() {
            return (natFlags & Wire.NAT_SYMMETRIC) != 0;
        }
    }

    record Probe(Auth auth) implements Request {
    }

    record Relay(Auth auth, byte[] token, String selfId) implements Request {
    }

    record Registered(InetSocketAddress observed, int ttlMillis) implements Message {
    }

    /** @param probePort the server's probe port, 0 if it has none */
    record Observed(InetSocketAddress observed, int probePort) implements Message {
    }

    record Peer(byte[] token, int natFlags, String peerId, InetSocketAddress publicEndpoint,
                List<InetSocketAddress> privateEndpoints) implements Message {
        public boolean symmetricNat() {
            return (natFlags & Wire.NAT_SYMMETRIC) != 0;
        }
    }

    record RelayReady() implements Message {
    }

    record Error(ErrorCode code, int rawCode, String text) implements Message {
        public Error(ErrorCode code, String text) {
            this(code, code.code(), text);
        }
    }

    record Hello(String name, String from, String to, byte[] nonce) implements Message {
    }

    record Proof(byte[] mac) implements Message {
    }

    record Select() implements Message {
    }
}
