package io.fmi;

import java.util.Locale;

/**
 * Element types carried by FMI. On every channel elements travel little-endian, the memory layout
 * of x86-64 and AArch64, so Java peers interoperate with the C++ FMI's raw buffers.
 */
public enum DataType {
    /** 8-bit signed integer, as Java's {@code byte}. */
    BYTE(1),
    /** 32-bit signed integer, as Java's {@code int}. */
    INT(4),
    /** 64-bit signed integer, as Java's {@code long}. */
    LONG(8),
    /** IEEE 754 single precision, as Java's {@code float}. */
    FLOAT(4),
    /** IEEE 754 double precision, as Java's {@code double}. */
    DOUBLE(8);

    private final int sizeBytes;

    DataType(int sizeBytes) {
        this.sizeBytes = sizeBytes;
    }

    /**
     * Size of one element.
     *
     * @return bytes per element
     */
    public int sizeBytes() {
        return sizeBytes;
    }

    /**
     * Lower-case name used in messages.
     *
     * @return e.g. {@code "int"}
     */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
