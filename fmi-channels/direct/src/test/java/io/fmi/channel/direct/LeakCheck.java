package io.fmi.channel.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaked a Netty buffer (caught by Netty's leak detector, which surefire
 * runs at {@code paranoid}), or left Direct event loop threads running after its last channel closed.
 */
final class LeakCheck implements BeforeAllCallback, AfterAllCallback {
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    private static volatile boolean installed;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        install();
    }

    @SuppressWarnings("unchecked")
    private static synchronized void install() throws ReflectiveOperationException {
        if (installed) {
            return;
        }
        Field f = Class.forName("io.netty.buffer.AbstractByteBuf").getDeclaredField("leakDetector");
        f.setAccessible(true);
        ResourceLeakDetector<ByteBuf> d = (ResourceLeakDetector<ByteBuf>) f.get(null);
        d.setLeakListener((resourceType, records) -> LEAKS.add(resourceType + records));
        installed = true;
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        // Leaks are reported when a tracked buffer was collected and the next buffer is allocated.
        for (int i = 0; i < 5 && LEAKS.isEmpty(); i++) {
            System.gc();
            Thread.sleep(50);
            for (int j = 0; j < 200; j++) {
                PooledByteBufAllocator.DEFAULT.directBuffer(16).release();
            }
        }
        if (!LEAKS.isEmpty()) {
            String first = LEAKS.get(0);
            LEAKS.clear();
            fail("Netty buffer leak in " + context.getDisplayName() + ": " + first);
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (liveDirectThreads() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(0, SharedEventLoops.liveGroups(), "shared Direct event loop groups still open after the last channel closed");
        assertEquals(0, liveDirectThreads(), "fmi-direct event loop threads still running after the last channel closed");
    }

    private static long liveDirectThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("fmi-direct-")).count();
    }
}
