package io.fmi.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.fmi.DataType;
import org.junit.jupiter.api.Test;

/** The pass counter costs nothing and counts nothing unless the JVM asks for it ({@code -Dfmi.passes.count}). */
class PassCounterTest {
    @Test
    void shouldCountNothingWhenOff() {
        assertFalse(PassCounter.ON, "the test JVM runs without -Dfmi.passes.count");
        PassCounter.reset();
        double[] a = new double[1000];
        byte[] b = new byte[8000];
        TypedArrays.encode(DataType.DOUBLE, a, 0, a.length, b, 0);
        TypedArrays.decode(DataType.DOUBLE, b, 0, a, 0, a.length);
        assertEquals(0, PassCounter.bytes());
    }
}
