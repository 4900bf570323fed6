package io.fmi.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Parses JSON text into Jackson's tree ({@link JsonNode}) with jackson-core's streaming parser and
 * {@link JsonNodeFactory}, without an {@code ObjectMapper}. Building an {@code ObjectMapper} loads
 * some 150 classes of jackson-databind's serializer and deserializer factories, which the
 * configuration does not use and a Lambda function of 128 MB has no metaspace for (Lambda's Java
 * runtime gives metaspace 10 % of the memory; docs/benchmarks.md, "The Lambda lab").
 *
 * <p>Gives the tree {@code ObjectMapper.readTree} gives with default settings: integers as
 * {@code IntNode}, {@code LongNode} or {@code BigIntegerNode}, other numbers as {@code DoubleNode},
 * the last of duplicate keys, content after the first value ignored. Internal: no
 * promise of compatibility. Thread-safe.
 */
public final class JsonTree {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonTree() {
    }

    /**
     * The tree of the first JSON value of {@code json}; null if there is none.
     *
     * @throws JsonProcessingException with the location, if the text is not JSON
     */
    public static JsonNode read(String json) throws JsonProcessingException {
        try (JsonParser p = FACTORY.createParser(json)) {
            JsonToken t = p.nextToken();
            return t == null ? null : value(p, t);
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            // a String source does no I/O
            throw new UncheckedIOException(e);
        }
    }

    /** A new, empty object node. */
    public static ObjectNode object() {
        return NODES.objectNode();
    }

    private static JsonNode value(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT: {
                ObjectNode o = NODES.objectNode();
                for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                    String name = p.currentName();
                    o.set(name, value(p, p.nextToken()));
                }
                return o;
            }
            case START_ARRAY: {
                ArrayNode a = NODES.arrayNode();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    a.add(value(p, e));
                }
                return a;
            }
            case VALUE_STRING:
                return NODES.textNode(p.getText());
            case VALUE_NUMBER_INT:
                switch (p.getNumberType()) {
                    case INT:
                        return NODES.numberNode(p.getIntValue());
                    case LONG:
                        return NODES.numberNode(p.getLongValue());
                    default:
                        return NODES.numberNode(p.getBigIntegerValue());
                }
            case VALUE_NUMBER_FLOAT:
                return NODES.numberNode(p.getDoubleValue());
            case VALUE_TRUE:
                return NODES.booleanNode(true);
            case VALUE_FALSE:
                return NODES.booleanNode(false);
            case VALUE_NULL:
                return NODES.nullNode();
            default:
                throw new JsonParseException(p, "unexpected token " + t);
        }
    }
}
