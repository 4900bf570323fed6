package io.fmi.examples.launch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local HTTP server that answers Lambda's {@code Invoke} and {@code GetFunctionConcurrency}
 * APIs as Lambda does (paths, headers, status codes and error bodies of the 2015-03-31 and
 * 2019-09-30 APIs), with a behaviour per rank chosen by the test: run a handler, throttle (429),
 * fail (5xx), report a function error, or hold the request open as a function that runs on.
 */
final class LambdaEndpoint implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the endpoint does with the invocation of one rank. */
    interface Behaviour {
        Answer answer(JsonNode event, LambdaEndpoint endpoint) throws Exception;
    }

    /** An HTTP answer: status, headers (name, value, ...) and body. */
    static final class Answer {
        final int status;
        final String[] headers;
        final String body;

        Answer(int status, String body, String... headers) {
            this.status = status;
            this.body = body;
            this.headers = headers;
        }

        static Answer ok(Object result) throws IOException {
            return new Answer(200, JSON.writeValueAsString(result), "X-Amz-Executed-Version", "$LATEST");
        }

        static Answer throttled() {
            return new Answer(429, "{\"Reason\":\"ReservedFunctionConcurrentInvocationLimitExceeded\",\"Type\":\"User\",\"message\":\"Rate Exceeded.\"}",
                    "x-amzn-ErrorType", "TooManyRequestsException");
        }

        static Answer serviceError() {
            return new Answer(500, "{\"Type\":\"Service\",\"message\":\"An internal error occurred.\"}", "x-amzn-ErrorType", "ServiceException");
        }

        static Answer functionError(String type, String message) {
            return new Answer(200, "{\"errorType\":\"" + type + "\",\"errorMessage\":\"" + message + "\"}",
                    "X-Amz-Function-Error", "Unhandled", "X-Amz-Executed-Version", "$LATEST");
        }
    }

    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "lambda-endpoint");
        t.setDaemon(true);
        return t;
    });
    private final Behaviour behaviour;
    private final Integer reservedConcurrency;
    /** Released at close: invocations told to hold wait for it, as functions that never end. */
    final CountDownLatch released = new CountDownLatch(1);
    final List<JsonNode> events = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    final List<String> invocationTypes = new CopyOnWriteArrayList<>();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();

    LambdaEndpoint(Integer reservedConcurrency, Behaviour behaviour) throws IOException {
        this.behaviour = behaviour;
        this.reservedConcurrency = reservedConcurrency;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Holds the invocation open until the endpoint closes: a function still running. */
    Answer hold() throws InterruptedException {
        released.await(60, TimeUnit.SECONDS);
        return new Answer(500, "{\"Type\":\"Service\",\"message\":\"endpoint closed\"}", "x-amzn-ErrorType", "ServiceException");
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            Answer a;
            if (ex.getRequestMethod().equals("GET") && path.matches("/2019-09-30/functions/[^/]+/concurrency")) {
                a = new Answer(200, reservedConcurrency == null ? "{}" : "{\"ReservedConcurrentExecutions\":" + reservedConcurrency + "}");
            } else if (ex.getRequestMethod().equals("POST") && path.matches("/2015-03-31/functions/[^/]+/invocations")) {
                authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
                invocationTypes.add(String.valueOf(ex.getRequestHeaders().getFirst("X-Amz-Invocation-Type")));
                JsonNode event = JSON.readTree(ex.getRequestBody().readAllBytes());
                events.add(event);
                maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                try {
                    a = behaviour.answer(event, this);
                } catch (Exception e) {
                    a = Answer.functionError(e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
                } finally {
                    inFlight.decrementAndGet();
                }
            } else {
                a = new Answer(404, "{\"Type\":\"User\",\"message\":\"no such API: " + path + "\"}", "x-amzn-ErrorType", "ResourceNotFoundException");
            }
            for (int i = 0; i < a.headers.length; i += 2) {
                ex.getResponseHeaders().add(a.headers[i], a.headers[i + 1]);
            }
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.getResponseHeaders().add("x-amzn-RequestId", java.util.UUID.randomUUID().toString());
            byte[] body = a.body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(a.status, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        } catch (IOException e) {
            // The client went away (a cancelled request): nothing to answer.
        }
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
        pool.shutdownNow();
    }
}
