package io.fmi.lambda;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plain JSON values (maps, lists, strings, numbers, booleans, null) read and written with
 * jackson-core's streaming API alone. Events and responses are such values, and jackson-databind's
 * serializers and untyped deserializers for them are some 200 classes (1.3 MB of class files) that
 * a function of 128 MB has no metaspace for (docs/benchmarks.md, "The Lambda lab"). Values that are
 * not plain (a record, a bean) are written by an {@link ObjectMapper}, made only then.
 *
 * <p>Numbers read as databind's untyped reader reads them: {@code Integer}, {@code Long} or
 * {@code BigInteger} for integers, {@code Double} for the rest. Thread-safe.
 */
final class JsonValues {
    /** Never closes the caller's streams: the Lambda runtime owns them. */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();

    private JsonValues() {
    }

    /** The one JSON value of {@code in}; null for {@code null} or no content. */
    static Object read(InputStream in) throws IOException {
        try (JsonParser p = FACTORY.createParser(in)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return null;
            }
            Object v = value(p, t);
            JsonToken after = p.nextToken();
            if (after != null) {
                throw new IOException("unexpected " + after + " after the value at " + p.currentLocation());
            }
            return v;
        }
    }

    private static Object value(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT: {
                Map<String, Object> m = new LinkedHashMap<>();
                for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                    String name = p.currentName();
                    m.put(name, value(p, p.nextToken()));
                }
                return m;
            }
            case START_ARRAY: {
                List<Object> l = new ArrayList<>();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    l.add(value(p, e));
                }
                return l;
            }
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
                return p.getNumberValue();
            case VALUE_NUMBER_FLOAT:
                return p.getDoubleValue();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw new IOException("unexpected " + t + " at " + p.currentLocation());
        }
    }

    /** Writes {@code value} to {@code out} as JSON. */
    static void write(OutputStream out, Object value) throws IOException {
        if (!plain(value)) {
            Databind.MAPPER.writeValue(out, value);
            return;
        }
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            write(g, value);
        }
    }

    /** {@code value} as JSON text. */
    static String toText(Object value) throws IOException {
        if (!plain(value)) {
            return Databind.MAPPER.writeValueAsString(value);
        }
        StringWriter w = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            write(g, value);
        }
        return w.toString();
    }

    /** Whether {@code v} is made of maps, collections, arrays, strings, numbers, booleans and nulls only. */
    static boolean plain(Object v) {
        if (v == null || v instanceof CharSequence || v instanceof Number || v instanceof Boolean
                || v instanceof double[] || v instanceof long[] || v instanceof int[]) {
            return true;
        }
        if (v instanceof Map) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (!(e.getKey() instanceof String) || !plain(e.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (v instanceof Iterable) {
            for (Object e : (Iterable<?>) v) {
                if (!plain(e)) {
                    return false;
                }
            }
            return true;
        }
        if (v instanceof Object[]) {
            for (Object e : (Object[]) v) {
                if (!plain(e)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    private static void write(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof CharSequence) {
            g.writeString(v.toString());
        } else if (v instanceof Boolean) {
            g.writeBoolean((Boolean) v);
        } else if (v instanceof Double || v instanceof Float) {
            g.writeNumber(((Number) v).doubleValue());
        } else if (v instanceof BigDecimal) {
            g.writeNumber((BigDecimal) v);
        } else if (v instanceof BigInteger) {
            g.writeNumber((BigInteger) v);
        } else if (v instanceof Number) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof Map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                g.writeFieldName((String) e.getKey());
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof Iterable) {
            g.writeStartArray();
            for (Object e : (Iterable<?>) v) {
                write(g, e);
            }
            g.writeEndArray();
        } else if (v instanceof Object[]) {
            g.writeStartArray();
            for (Object e : (Object[]) v) {
                write(g, e);
            }
            g.writeEndArray();
        } else if (v instanceof double[]) {
            double[] a = (double[]) v;
            g.writeArray(a, 0, a.length);
        } else if (v instanceof long[]) {
            long[] a = (long[]) v;
            g.writeArray(a, 0, a.length);
        } else {
            int[] a = (int[]) v;
            g.writeArray(a, 0, a.length);
        }
    }

    /** Made on first use only: what is not plain JSON. */
    private static final class Databind {
        static final ObjectMapper MAPPER = new ObjectMapper()
                .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    }
}
