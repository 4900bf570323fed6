package io.fmi;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Objects;

/**
 * Turns the objects of {@code sendObject}, {@code recvObject}, {@code bcastObject} and
 * {@code gatherObjects} into bytes and back; set with {@code Communicator.builder().codec(...)}.
 * The default, {@link #json()}, writes JSON with Jackson, so peers in other languages can read
 * the messages, and decodes only into the class the receiver names, never a class named by the
 * sender. FMI never uses Java serialization.
 *
 * <pre>
 * record Stats(long count, double mean) { }
 * comm.sendObject(new Stats(3, 1.5), 0);
 * Stats s = comm.recvObject(1, Stats.class);                 // at rank 0
 *
 * Communicator.builder().codec(ObjectCodec.json(myMapper))    // Jackson modules, naming, ...
 * </pre>
 *
 * <p>Implementations must be thread-safe; they may throw any runtime exception, which the
 * communicator reports as an {@link FmiException} naming the operation, the rank and the type.
 */
public interface ObjectCodec {

    /**
     * Encodes an object.
     *
     * @param value the object, possibly null
     * @return its bytes
     */
    byte[] encode(Object value);

    /**
     * Decodes bytes made by {@link #encode} on another rank.
     *
     * @param <T>   the type to decode into
     * @param bytes the encoded object
     * @param type  the class to decode into
     * @return the object, possibly null
     */
    <T> T decode(byte[] bytes, Class<T> type);

    /**
     * JSON through a Jackson {@link ObjectMapper} with default settings (records, beans, maps,
     * lists, strings, numbers; no polymorphic typing).
     *
     * @return the shared default codec
     */
    static ObjectCodec json() {
        return Json.DEFAULT;
    }

    /**
     * JSON through {@code mapper}, configured as the caller likes (modules, naming, ...). The
     * mapper must not be reconfigured afterwards.
     *
     * @param mapper the mapper; the caller's
     * @return a codec using it
     */
    static ObjectCodec json(ObjectMapper mapper) {
        return new Json(Objects.requireNonNull(mapper, "mapper"));
    }

    /** The JSON codec; thread-safe as {@link ObjectMapper} is once configured. */
    final class Json implements ObjectCodec {
        static final Json DEFAULT = new Json(null);

        /** The caller's mapper; null for the default codec, whose mapper is {@link DefaultMapper#INSTANCE}. */
        private final ObjectMapper mapper;

        private Json(ObjectMapper mapper) {
            this.mapper = mapper;
        }

        private ObjectMapper mapper() {
            return mapper != null ? mapper : DefaultMapper.INSTANCE;
        }

        /**
         * Made at the first object encoded or decoded, not with every communicator: an
         * {@code ObjectMapper} loads some 150 classes, more than a Lambda function of 128 MB that
         * sends no objects has metaspace for (docs/benchmarks.md, "The Lambda lab").
         */
        private static final class DefaultMapper {
            static final ObjectMapper INSTANCE = new ObjectMapper();
        }

        @Override
        public byte[] encode(Object value) {
            try {
                return mapper().writeValueAsBytes(value);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot write " + (value == null ? "null" : value.getClass().getName())
                        + " as JSON: " + e.getMessage(), e);
            }
        }

        @Override
        public <T> T decode(byte[] bytes, Class<T> type) {
            try {
                return mapper().readValue(bytes, type);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + bytes.length + " bytes of JSON as " + type.getName()
                        + ": " + e.getMessage(), e);
            }
        }

        @Override
        public String toString() {
            return "ObjectCodec.json()";
        }
    }
}
