package io.fmi.examples.lab;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Lambda Runtime API of one function, as AWS's runtime interface client expects it
 * (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html): one invocation, then the
 * function is held, as a Lambda sandbox is frozen between invocations.
 *
 * <pre>
 * GET  /2018-06-01/runtime/invocation/next              the event, with Lambda-Runtime-Aws-Request-Id,
 *                                                       -Deadline-Ms, -Invoked-Function-Arn, -Trace-Id;
 *                                                       a second call is held open until {@link #close()}
 * POST /2018-06-01/runtime/invocation/{id}/response     the handler's result: {@link #outcome()}
 * POST /2018-06-01/runtime/invocation/{id}/error        the handler's error
 * POST /2018-06-01/runtime/init/error                   the runtime could not start the handler
 * </pre>
 *
 * The first {@code next} marks the end of the function's init phase ({@link #initDoneMillis()});
 * its deadline is the time the event is handed out plus the function's timeout. The native
 * client crashes the JVM when {@code next} answers without those headers, so {@code next} never
 * answers with an error: it waits.
 *
 * <p>Thread-safe; one instance per function.
 */
public final class RuntimeApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RuntimeApi.class);
    private static final String PREFIX = "/2018-06-01/runtime/";

    /** How an invocation ended: a response, an error from the handler, or an init error. Immutable. */
    public static final class Outcome {
        /** What kind of ending. */
        public enum Kind { RESPONSE, ERROR, INIT_ERROR }

        public final Kind kind;
        /** The body the runtime posted: the handler's JSON result, or Lambda's error document. */
        public final String body;
        /** Wall-clock time of the post, epoch milliseconds. */
        public final long atMillis;

        Outcome(Kind kind, String body, long atMillis) {
            this.kind = kind;
            this.body = body;
            this.atMillis = atMillis;
        }
    }

    private final String functionArn;
    private final String event;
    private final Duration timeout;
    private final HttpServer server;
    private final ExecutorService threads;
    private final String requestId = UUID.randomUUID().toString();
    private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    private final CompletableFuture<Long> invoked = new CompletableFuture<>();
    private final CompletableFuture<Long> idle = new CompletableFuture<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile long initDoneMillis;
    private volatile long deadlineMillis;

    /**
     * Starts the API on {@code bind}, on a free port.
     *
     * @param functionName the function's name, for its ARN
     * @param event        the event of the one invocation, JSON
     * @param timeout      the function's timeout: the invocation's deadline is its start plus this
     */
    public RuntimeApi(InetAddress bind, String functionName, String event, Duration timeout) throws IOException {
        this.functionArn = "arn:aws:lambda:us-east-1:000000000000:function:" + functionName;
        this.event = Objects.requireNonNull(event, "event");
        this.timeout = timeout;
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "lab-runtime-api-" + functionName);
            t.setDaemon(true);
            return t;
        });
        this.server = HttpServer.create(new InetSocketAddress(bind, 0), 16);
        server.setExecutor(threads);
        server.createContext(PREFIX, this::handle);
        server.start();
    }

    /** The port, for {@code AWS_LAMBDA_RUNTIME_API=host:port}. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** When the runtime first asked for an event (its init phase ended), epoch ms; 0 before. */
    public long initDoneMillis() {
        return initDoneMillis;
    }

    /** Completes with the time (epoch ms) the event was handed out. */
    public CompletableFuture<Long> invoked() {
        return invoked;
    }

    /** The invocation's deadline, epoch ms; 0 before it was invoked. */
    public long deadlineMillis() {
        return deadlineMillis;
    }

    /** Completes when the runtime posts a response, an error or an init error. */
    public CompletableFuture<Outcome> outcome() {
        return outcome;
    }

    /** Completes (epoch ms) when the runtime asks for the next event after the first: the function is idle. */
    public CompletableFuture<Long> idle() {
        return idle;
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath().substring(PREFIX.length());
            String method = x.getRequestMethod();
            byte[] body = x.getRequestBody().readAllBytes();
            long now = System.currentTimeMillis();
            if (method.equals("GET") && path.equals("invocation/next")) {
                next(x, now);
            } else if (method.equals("POST") && path.equals("invocation/" + requestId + "/response")) {
                outcome.complete(new Outcome(Outcome.Kind.RESPONSE, new String(body, StandardCharsets.UTF_8), now));
                reply(x, 202, "{\"status\":\"OK\"}");
            } else if (method.equals("POST") && path.equals("invocation/" + requestId + "/error")) {
                outcome.complete(new Outcome(Outcome.Kind.ERROR, new String(body, StandardCharsets.UTF_8), now));
                reply(x, 202, "{\"status\":\"OK\"}");
            } else if (method.equals("POST") && path.equals("init/error")) {
                outcome.complete(new Outcome(Outcome.Kind.INIT_ERROR, new String(body, StandardCharsets.UTF_8), now));
                reply(x, 202, "{\"status\":\"OK\"}");
            } else {
                log.debug("[{}] unexpected {} {}", functionArn, method, path);
                reply(x, 404, "{\"errorMessage\":\"unknown path " + path + "\",\"errorType\":\"InvalidRequestID\"}");
            }
        }
    }

    private void next(HttpExchange x, long now) throws IOException {
        boolean first;
        synchronized (this) {
            first = initDoneMillis == 0;
            if (first) {
                initDoneMillis = now;
                deadlineMillis = now + timeout.toMillis();
            }
        }
        if (!first) {
            // Like Lambda, which freezes the sandbox until the next event: hold the call until the end.
            idle.complete(now);
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.getResponseHeaders().add("Lambda-Runtime-Aws-Request-Id", requestId);
        x.getResponseHeaders().add("Lambda-Runtime-Deadline-Ms", Long.toString(deadlineMillis));
        x.getResponseHeaders().add("Lambda-Runtime-Invoked-Function-Arn", functionArn);
        x.getResponseHeaders().add("Lambda-Runtime-Trace-Id", "Root=1-" + Long.toHexString(now / 1000) + "-"
                + requestId.replace("-", "").substring(0, 24) + ";Parent=0000000000000000;Sampled=0");
        reply(x, 200, event);
        invoked.complete(now);
    }

    private static void reply(HttpExchange x, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(status, b.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(b);
        }
    }

    /** Releases a held {@code next} and stops the server. Stop the function's process first. */
    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
