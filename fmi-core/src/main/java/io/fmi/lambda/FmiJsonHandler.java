package io.fmi.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * A Lambda handler of JSON events that reads its event and writes its response with the Jackson
 * parser FMI loads anyway, so that it fits a function of 128 MB. Extend it instead of implementing
 * {@code RequestHandler<Map<String, Object>, ...>}:
 *
 * <pre>
 * public final class Handler extends FmiJsonHandler {
 *     protected Object handle(Map&lt;String, Object&gt; event, Context context) {
 *         try (Communicator comm = FmiLambda.communicator(event, context)) {
 *             long[] sum = new long[1];
 *             comm.allreduce(new long[] {comm.rank() + 1}, sum, ReduceOp.SUM);
 *             return sum[0];
 *         }
 *     }
 * }
 * </pre>
 * deployed with the handler string {@code Handler::handleRequest} as before.
 *
 * <h2>Why</h2>
 * For a {@code RequestHandler} the runtime turns the event into a {@code Map} with its own, shaded
 * copy of Jackson ({@code aws-lambda-java-serialization}): 624 classes and 4.9 MB of class files,
 * loaded next to the Jackson FMI reads its configuration with. Lambda's Java runtime gives
 * metaspace 10 % of the function's memory; at 128 MB that is 12.8 MB. The runtime's copy costs a
 * function about 4 MB of metaspace (measured in the Lambda lab: 17.0 MB against 13.0 MB over
 * Direct; 10.2 MB with this handler now), so at 128 MB a {@code RequestHandler} dies with
 * {@code OutOfMemoryError: Metaspace} on its first event (docs/benchmarks.md). A
 * {@code RequestStreamHandler} never makes the runtime load its serializer, and this one reads and
 * writes plain JSON values with jackson-core's streaming parser and generator, not with
 * jackson-databind's serializers (a record or bean in the response is still written by databind).
 *
 * <p>The event must be a JSON object or {@code null}; the response is {@code handle}'s result
 * written as JSON (a map, a list, a number, a string, a record or bean Jackson can write, or
 * {@code null}). An exception thrown by {@code handle} fails the invocation as it would from a
 * {@code RequestHandler}. Thread-safe if {@code handle} is.
 */
public abstract class FmiJsonHandler implements RequestStreamHandler {
    /** For subclasses. */
    protected FmiJsonHandler() {
    }

    /**
     * Reads the event, calls {@link #handle} and writes its result: what the runtime calls.
     *
     * @throws IOException if the event is not a JSON object or the result cannot be written as JSON
     */
    @Override
    public final void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        Object event;
        try {
            event = JsonValues.read(input);
        } catch (IOException e) {
            throw new IOException("event: not JSON (expected: a JSON object, the job's event): " + e.getMessage(), e);
        }
        if (event != null && !(event instanceof Map)) {
            throw new IOException("event: " + event.getClass().getSimpleName() + " (expected: a JSON object, the job's event)");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) event;
        JsonValues.write(output, handle(map, context));
    }

    /**
     * Handles one invocation.
     *
     * @param event   the event, parsed as a JSON object (numbers as {@code Integer}, {@code Long},
     *                {@code BigInteger} or {@code Double}); null if the event was {@code null}
     * @param context the invocation's context
     * @return the response, written as JSON
     */
    protected abstract Object handle(Map<String, Object> event, Context context);
}
