package io.fmi.tcpunch.internal;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.fmi.tcpunch.internal.ServerHarness.Conn;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Duration;

/**
 * Fuzzes the decoders: {@link MessageCodec#decode} on arbitrary frames (only a
 * {@link ProtocolException} may come out), and whole server connections fed arbitrary bytes in
 * arbitrary chunks, framed or legacy (nothing may escape the pipeline, nothing may leak). One fuzz
 * test only: Jazzer fuzzes a single test per run, for {@code maxDuration}.
 */
class DecoderFuzzTest {
    private static final ServerHarness SERVER =
            new ServerHarness(ServerHarness.config(new Hmac(new byte[] {7}), Duration.ofSeconds(60), 1000));

    @FuzzTest(maxDuration = "25s")
    void shouldSurviveAnyBytes(FuzzedDataProvider data) {
        boolean framed = data.consumeBoolean();
        byte type = data.consumeByte();
        byte[] payload = data.consumeBytes(Wire.MAX_PAYLOAD_LENGTH + 8);
        ByteBuf frame = Unpooled.buffer();
        if (framed) {
            frame.writeShort(Wire.MAGIC).writeByte(Wire.VERSION).writeByte(type).writeShort(payload.length);
        }
        frame.writeBytes(payload);
        try {
            MessageCodec.decode(frame);
        } catch (ProtocolException expected) {
            // malformed input is reported, never anything else
        }

        Conn c = SERVER.connect("203.0.113.1", 5000);
        try {
            while (frame.isReadable() && c.isOpen()) {
                int n = Math.min(frame.readableBytes(), 1 + data.consumeInt(0, 64));
                c.writeInbound(frame.readRetainedSlice(n));
                c.pipeline().fireChannelReadComplete();
            }
            c.checkException();
        } finally {
            frame.release();
            c.finishAndReleaseAll();
        }
    }
}
