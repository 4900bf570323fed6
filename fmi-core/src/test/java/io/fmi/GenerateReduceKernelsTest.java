package io.fmi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class GenerateReduceKernelsTest {
    @Test
    void shouldFindTheGeneratedKernelsUpToDate() throws IOException {
        String source = Files.readString(Path.of("src/main/java/io/fmi/ReduceKernels.java"), StandardCharsets.UTF_8);
        assertEquals(GenerateReduceKernels.generate(), source, "ReduceKernels.java is out of date: run "
                + "java fmi-core/src/test/java/io/fmi/GenerateReduceKernels.java fmi-core/src/main/java/io/fmi/ReduceKernels.java");
    }
}
