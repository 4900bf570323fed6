package io.fmi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class GenerateOverloadsTest {
    @Test
    void shouldFindTheGeneratedOverloadsUpToDate() throws IOException {
        Path file = Path.of("src/main/java/io/fmi/Communicator.java");
        String source = Files.readString(file, StandardCharsets.UTF_8);
        assertEquals(GenerateOverloads.generate(source), source,
                "Communicator's generated overloads are out of date: run "
                        + "java fmi-core/src/test/java/io/fmi/GenerateOverloads.java fmi-core/src/main/java/io/fmi/Communicator.java");
    }

    @Test
    void shouldGiveEveryBufferFormAnOverloadPerElementType() {
        List<Class<?>> types = List.of(byte[].class, int[].class, long[].class, float[].class, double[].class, ByteBuffer.class);
        List<String> missing = new ArrayList<>();
        int forms = 0;
        for (Method m : Communicator.class.getMethods()) {
            if (!Modifier.isAbstract(m.getModifiers()) || !Arrays.asList(m.getParameterTypes()).contains(Buffer.class)) {
                continue;
            }
            forms++;
            for (Class<?> t : types) {
                Class<?>[] p = m.getParameterTypes().clone();
                for (int i = 0; i < p.length; i++) {
                    if (p[i] == Buffer.class) {
                        p[i] = t;
                    }
                }
                try {
                    Method o = Communicator.class.getMethod(m.getName(), p);
                    assertTrue(o.isDefault(), o + " is not a default method");
                    assertEquals(m.getReturnType(), o.getReturnType(), o.toString());
                } catch (NoSuchMethodException e) {
                    missing.add(m.getName() + Arrays.toString(p));
                }
            }
        }
        assertTrue(forms >= 20, "Buffer forms found: " + forms);
        assertEquals(List.of(), missing);
    }
}
