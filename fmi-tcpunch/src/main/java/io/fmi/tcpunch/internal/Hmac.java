package io.fmi.tcpunch.internal;

import io.netty.buffer.ByteBuf;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 with one key. Thread-safe: each thread gets its own {@link Mac}. The key is copied
 * and never logged.
 */
public final class Hmac {
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;

    public Hmac(byte[] key) {
        if (key == null || key.length == 0) {
            throw new IllegalArgumentException("key length: 0 (expected: > 0)");
        }
        this.key = new SecretKeySpec(key.clone(), ALGORITHM);
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** A fresh, reset Mac for this thread; finish it with {@link Mac#doFinal()}. */
    public Mac mac() {
        Mac mac = macs.get();
        mac.reset();
        return mac;
    }

    public byte[] compute(ByteBuf buf, int index, int length) {
        Mac mac = mac();
        mac.update(buf.nioBuffer(index, length));
        return mac.doFinal();
    }

    public byte[] compute(byte[]... parts) {
        Mac mac = mac();
        for (byte[] p : parts) {
            mac.update(p);
        }
        return mac.doFinal();
    }

    /** Appends the MAC of {@code buf[start, writerIndex)} to {@code buf}. */
    public void sign(ByteBuf buf, int start) {
        buf.writeBytes(compute(buf, start, buf.writerIndex() - start));
    }

    /**
     * Whether the last {@link Wire#MAC_LENGTH} bytes of {@code frame} (reader to writer index) are the
     * MAC of the bytes before them. Constant-time comparison.
     */
    public boolean verifyTrailer(ByteBuf frame) {
        int start = frame.readerIndex();
        int len = frame.readableBytes() - Wire.MAC_LENGTH;
        if (len < 0) {
            return false;
        }
        byte[] expected = compute(frame, start, len);
        byte[] actual = new byte[Wire.MAC_LENGTH];
        frame.getBytes(start + len, actual);
        return MessageDigest.isEqual(expected, actual);
    }
}
