package io.fmi.examples.layer;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fmi.examples.lambda.FmiHandler;
import io.fmi.lambda.FmiLambda;
import io.fmi.lambda.LocalContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The test function jar's entry point, run by {@link LayerIT} in a JVM whose class path is the
 * layer's jars and this jar alone: invokes the example handler once per rank, each in its own
 * thread as N Lambda containers would, and prints each report as one line {@code REPORT {...}}.
 *
 * <pre>
 * java -cp 'layer/java/lib/*:function.jar' io.fmi.examples.layer.LayerJob SIZE JOB_JSON
 * </pre>
 */
public final class LayerJob {
    private LayerJob() {
    }

    public static void main(String[] args) throws Exception {
        int size = Integer.parseInt(args[0]);
        ObjectMapper json = new ObjectMapper();
        Map<String, Object> job = json.readValue(args[1], new TypeReference<Map<String, Object>>() { });
        String runId = (String) job.get(FmiLambda.RUN_ID);
        List<Thread> ranks = new ArrayList<>();
        String[] reports = new String[size];
        for (int r = 0; r < size; r++) {
            Map<String, Object> event = FmiLambda.event(job, r, size, runId);
            int rank = r;
            Thread t = new Thread(() -> {
                Map<String, Object> report = new FmiHandler().handle(event, new LocalContext("fmi-layer-test", 60_000, 1024));
                try {
                    reports[rank] = json.writeValueAsString(report);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    reports[rank] = "{\"rank\": " + rank + ", \"ok\": false, \"error\": \"unprintable report\"}";
                }
            }, "rank-" + r);
            t.start();
            ranks.add(t);
        }
        for (Thread t : ranks) {
            t.join();
        }
        for (String report : reports) {
            System.out.println("REPORT " + report);
        }
        System.exit(0);
    }
}
