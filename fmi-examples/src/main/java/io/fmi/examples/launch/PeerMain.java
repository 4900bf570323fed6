package io.fmi.examples.launch;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fmi.examples.lambda.FmiHandler;
import io.fmi.lambda.LocalContext;
import java.util.Map;

/**
 * One peer process of the local launcher: runs {@link FmiHandler} on the event given as the first
 * argument (JSON) with a {@link LocalContext}, and prints its report as one line
 * {@code FMI-REPORT {...}} on standard output. Logs go to standard error.
 */
public final class PeerMain {
    /** Prefix of the report line the launcher looks for. */
    public static final String REPORT = "FMI-REPORT ";

    private PeerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: PeerMain <event-json> <remaining-ms>");
            System.exit(2);
        }
        ObjectMapper json = new ObjectMapper();
        Map<String, Object> event = json.readValue(args[0], new TypeReference<Map<String, Object>>() { });
        Map<String, Object> report = new FmiHandler().handle(event, new LocalContext("fmi-example", Long.parseLong(args[1]), 1024));
        System.out.println(REPORT + json.writeValueAsString(report));
        System.out.flush();
        System.exit(Boolean.TRUE.equals(report.get("ok")) ? 0 : 1);
    }
}
