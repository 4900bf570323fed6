package io.fmi.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fmi.Communicator;
import io.fmi.ReduceOp;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** FmiJsonHandler as the runtime calls it: JSON bytes in, JSON bytes out, checked against databind's reading of the same bytes. */
@Timeout(30)
class FmiJsonHandlerTest {
    private static final ObjectMapper DATABIND = new ObjectMapper();

    @AfterEach
    void forgetTheContainer() {
        FmiLambda.shutdown();
    }

    /** Echoes its event back with what it saw of it. */
    private static final class Echo extends FmiJsonHandler {
        Map<String, Object> seen;

        @Override
        protected Object handle(Map<String, Object> event, Context context) {
            seen = event;
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("event", event);
            out.put("array", new double[] {0.5, -1e300});
            out.put("longs", new long[] {Long.MIN_VALUE});
            out.put("boxed", new Object[] {1.25, "x", null, true});
            return out;
        }
    }

    private static String call(FmiJsonHandler h, String event) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        h.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, new LocalContext("f", 10_000, 128));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldReadTheEventAsDatabindReadsItAndWriteTheResponseAsJson() throws Exception {
        String event = "{\"rank\": 1, \"size\": 2147483648, \"big\": 123456789012345678901234567890, \"x\": 0.1,"
                + " \"s\": \"\\u00e9\\n\", \"t\": true, \"n\": null, \"list\": [1, [2.5, {}], \"a\"], \"o\": {\"k\": false}}";
        Echo h = new Echo();
        String response = call(h, event);

        Map<String, Object> expected = DATABIND.readValue(event, new TypeReference<Map<String, Object>>() { });
        assertEquals(expected, h.seen);
        assertEquals(Integer.class, h.seen.get("rank").getClass());
        assertEquals(Long.class, h.seen.get("size").getClass());
        assertEquals(BigInteger.class, h.seen.get("big").getClass());
        Map<String, Object> back = DATABIND.readValue(response, new TypeReference<Map<String, Object>>() { });
        assertEquals(expected, back.get("event"));
        assertEquals(List.of(0.5, -1e300), back.get("array"));
        assertEquals(List.of(Long.MIN_VALUE), back.get("longs"));
        assertEquals(java.util.Arrays.asList(1.25, "x", null, true), back.get("boxed"));
    }

    @Test
    void shouldHandANullEventOnAndWriteANullResponse() throws Exception {
        FmiJsonHandler h = new FmiJsonHandler() {
            @Override
            protected Object handle(Map<String, Object> event, Context context) {
                assertNull(event);
                return null;
            }
        };
        assertEquals("null", call(h, "null"));
    }

    record Point(int x, String label) { }

    @Test
    void shouldWriteARecordThroughDatabind() throws Exception {
        FmiJsonHandler h = new FmiJsonHandler() {
            @Override
            protected Object handle(Map<String, Object> event, Context context) {
                return Map.of("p", new Point(3, "c"));
            }
        };
        assertEquals("{\"p\":{\"x\":3,\"label\":\"c\"}}", call(h, "{}"));
    }

    @Test
    void shouldNameTheEventWhenItIsNotAJsonObject() {
        Echo h = new Echo();
        IOException notJson = assertThrows(IOException.class, () -> call(h, "{\"rank\": "));
        assertTrue(notJson.getMessage().startsWith("event: not JSON (expected: a JSON object, the job's event): "), notJson.getMessage());
        IOException array = assertThrows(IOException.class, () -> call(h, "[1, 2]"));
        assertEquals("event: ArrayList (expected: a JSON object, the job's event)", array.getMessage());
        IOException twoValues = assertThrows(IOException.class, () -> call(h, "{} {}"));
        assertTrue(twoValues.getMessage().contains("unexpected START_OBJECT after the value"), twoValues.getMessage());
    }

    @Test
    void shouldRunACommunicatorFromTheEventsBytes() throws Exception {
        FmiJsonHandler h = new FmiJsonHandler() {
            @Override
            protected Object handle(Map<String, Object> event, Context context) {
                try (Communicator comm = FmiLambda.communicator(event, context)) {
                    long[] sum = new long[1];
                    comm.allreduce(new long[] {comm.rank() + 41}, sum, ReduceOp.SUM);
                    return sum[0];
                }
            }
        };
        String event = "{\"rank\": 0, \"size\": 1, \"run_id\": \"r1\", \"config\": {\"backends\": {\"Local\": {\"enabled\": true}}}}";
        assertEquals("41", call(h, event));
    }
}
