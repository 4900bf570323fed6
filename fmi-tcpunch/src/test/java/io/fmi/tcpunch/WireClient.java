package io.fmi.tcpunch;

import io.fmi.tcpunch.internal.Hmac;
import io.fmi.tcpunch.internal.Message;
import io.fmi.tcpunch.internal.MessageCodec;
import io.fmi.tcpunch.internal.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.util.List;

/**
 * A blocking client of the rendezvous protocol over a plain socket, for server tests that need
 * what {@link HolePunchClient} does not offer: a chosen source address (127.0.0.2, 127.0.0.3, ...
 * are all loopback on Linux), single frames, and connections that are only held.
 * Not thread-safe; one per thread.
 */
final class WireClient implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Socket socket;
    private final DataInputStream in;
    private final Hmac key;

    private WireClient(Socket socket, Hmac key) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.key = key;
    }

    /** Connects from {@code source} (port chosen by the system) to {@code server}; {@code secret} may be null. */
    static WireClient connect(InetAddress source, InetSocketAddress server, byte[] secret, int timeoutMillis) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setSoLinger(true, 0); // no TIME_WAIT pile-up from hundreds of short connections
            s.bind(new InetSocketAddress(source, 0));
            s.connect(server, timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            return new WireClient(s, secret == null ? null : new Hmac(secret));
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    static InetAddress loopback(int lastByte) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) lastByte});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    Message.Auth auth() {
        byte[] nonce = new byte[Wire.NONCE_LENGTH];
        RANDOM.nextBytes(nonce);
        return new Message.Auth(key != null ? Wire.FLAG_MAC : 0, System.currentTimeMillis(), nonce);
    }

    void register(String name, String self, String peer) throws IOException {
        send(new Message.Register(auth(), name, self, peer, 0, List.of()));
    }

    void send(Message m) throws IOException {
        ByteBuf b = MessageCodec.encode(Unpooled.buffer().alloc(), m, key);
        try {
            socket.getOutputStream().write(ByteBufUtil.getBytes(b));
        } finally {
            b.release();
        }
    }

    /** The next frame, or null if the server closed the connection or nothing came within the socket timeout. */
    Message read() throws IOException {
        byte[] header = new byte[Wire.HEADER_LENGTH];
        try {
            in.readFully(header);
            int length = ((header[4] & 0xFF) << 8) | (header[5] & 0xFF);
            byte[] frame = new byte[Wire.HEADER_LENGTH + length];
            System.arraycopy(header, 0, frame, 0, header.length);
            in.readFully(frame, header.length, length);
            return MessageCodec.decode(Unpooled.wrappedBuffer(frame));
        } catch (EOFException | SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).contains("reset")) {
                return null;
            }
            throw e;
        }
    }

    /** Whether the server closed this connection (end of stream or reset), waiting at most the socket timeout. */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return String.valueOf(e.getMessage()).contains("reset");
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
