package io.fmi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** JsonTree gives the tree ObjectMapper.readTree gives, node types included. */
class JsonTreeTest {
    private static final ObjectMapper DATABIND = new ObjectMapper();

    @Test
    void shouldGiveTheTreeOfReadTree() throws Exception {
        for (String json : List.of(
                "{\"backends\": {\"Direct\": {\"enabled\": true, \"host\": \"10.0.0.1\", \"port\": 10000, \"spin_us\": 0.5}},"
                        + " \"models\": [1, 2147483648, 123456789012345678901234567890, -0.0, 1e300, null, \"\\u00e9\"], \"k\": 1, \"k\": 2}",
                "[]", "[[], {}]", "\"text\"", "12", "-9223372036854775808", "false", "null", "{} trailing")) {
            assertEquals(DATABIND.readTree(json), JsonTree.read(json), json);
            assertEquals(DATABIND.readTree(json).getNodeType(), JsonTree.read(json).getNodeType(), json);
        }
        assertEquals(DATABIND.readTree("[1, 2147483648, 1e2]").get(1).numberType(), JsonTree.read("[1, 2147483648, 1e2]").get(1).numberType());
        assertEquals(DATABIND.readTree("[1e2]").get(0).numberType(), JsonTree.read("[1e2]").get(0).numberType());
    }

    @Test
    void shouldAnswerNullForNoContent() throws Exception {
        assertNull(JsonTree.read(""));
        assertNull(JsonTree.read("  \n"));
    }

    @Test
    void shouldReportWhereTheTextStopsBeingJson() {
        JsonProcessingException e = assertThrows(JsonProcessingException.class, () -> JsonTree.read("{\n  \"a\": tru }"));
        assertEquals(2, e.getLocation().getLineNr());
        JsonProcessingException unclosed = assertThrows(JsonProcessingException.class, () -> JsonTree.read("{\"a\": [1, 2"));
        assertEquals(1, unclosed.getLocation().getLineNr());
    }
}
