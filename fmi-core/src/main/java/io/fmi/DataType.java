package io.fmi;

import java.util.Locale;

/**
 * Element types carried by FMI. On every channel elements travel little-endian, the memory layout
 * of x86-64 and AArch64, so Java peers interoperate with the C++ FMI's raw buffers.
 */
public enum DataType {
    BYTE(1), INT(4), LONG(8), FLOAT(4), DOUBLE(8);

    private final int sizeBytes;

    DataType(int sizeBytes) {
        this.sizeBytes = sizeBytes;
    }

    /** Size of one element in bytes. */
    public int sizeBytes() {
        return sizeBytes;
    }

    /** Lower-case name used in messages. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
