package venus.retrieval.node.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import venus.retrieval.node.NodeException;
import venus.retrieval.node.NodeException.Reason;
import venus.retrieval.node.config.ConfigKeys;
import venus.retrieval.node.config.HostPort;
import venus.retrieval.node.daemon.DaemonContext;
import venus.retrieval.node.daemon.NodeService;

/**
 * The admin HTTP endpoint on {@code api.listen}: JSON-RPC 2.0 at {@code /rpc/v0} behind
 * {@code Authorization: Bearer <token>} (checked before any parsing or dispatch), Prometheus
 * metrics at {@code /metrics} without a token.
 */
public final class AdminApiService implements NodeService {
    /** Largest accepted request body. */
    static final int MAX_BODY = 1 << 20;

    private final DaemonContext ctx;
    private final ObjectMapper json;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean stopping;
    private HttpServer server;
    private ExecutorService executor;

    public AdminApiService(DaemonContext ctx) {
        this.ctx = ctx;
        this.json = ctx.json();
    }

    @Override
    public String name() {
        return "api";
    }

    @Override
    public List<String> start() throws IOException {
        HostPort listen = ctx.config().get(ConfigKeys.API_LISTEN);
        try {
            server = HttpServer.create(new InetSocketAddress(listen.host(), listen.port()), 64);
        } catch (BindException e) {
            throw new NodeException(Reason.BIND_FAILED, "api.listen " + listen + ": " + e.getMessage());
        }
        AtomicInteger n = new AtomicInteger();
        executor = new ThreadPoolExecutor(2, 4, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(256), r -> {
            Thread t = new Thread(r, "vrn-api-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/rpc/v0", this::tracked);
        server.createContext("/metrics", this::tracked);
        ctx.rawRpcEndpoints().forEach((path, endpoint) -> server.createContext(path, ex -> raw(ex, endpoint)));
        server.createContext("/", ex -> {
            try (ex) {
                send(ex, 404, "text/plain; charset=utf-8", "not found\n".getBytes(StandardCharsets.UTF_8));
            }
        });
        server.start();
        InetSocketAddress a = server.getAddress();
        return List.of("http://" + hostForUrl(listen.host()) + ":" + a.getPort());
    }

    /** The host to put in a URL clients use: a wildcard bind is reachable on loopback. */
    public static String hostForUrl(String host) {
        return switch (host) {
            case "0.0.0.0" -> "127.0.0.1";
            case "::", "0:0:0:0:0:0:0:0" -> "[::1]";
            default -> host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        };
    }

    /**
     * The origins allowed to call the API from a browser: the node's own gateway (which serves the
     * status page at {@code /webui/}), also under {@code localhost}. Nothing else gets CORS headers.
     */
    private boolean allowedOrigin(String origin) {
        if (origin == null) {
            return false;
        }
        List<String> gw = ctx.boundAddresses().get("gateway");
        if (gw == null || gw.isEmpty()) {
            return false;
        }
        String g = gw.get(0);
        return origin.equals(g) || origin.equals(g.replace("://127.0.0.1:", "://localhost:"));
    }

    /** CORS for the status page; a preflight is answered here, before the token check (it carries none). */
    private boolean cors(HttpExchange ex) throws IOException {
        String origin = ex.getRequestHeaders().getFirst("Origin");
        if (!allowedOrigin(origin)) {
            return false;
        }
        ex.getResponseHeaders().set("Access-Control-Allow-Origin", origin);
        ex.getResponseHeaders().set("Vary", "Origin");
        if (ex.getRequestMethod().equals("OPTIONS")) {
            ex.getResponseHeaders().set("Access-Control-Allow-Methods", "POST, GET");
            ex.getResponseHeaders().set("Access-Control-Allow-Headers", "Authorization, Content-Type");
            ex.getResponseHeaders().set("Access-Control-Max-Age", "600");
            send(ex, 204, null, new byte[0]);
            return true;
        }
        return false;
    }

    private void tracked(HttpExchange ex) throws IOException {
        inFlight.incrementAndGet();
        try (ex) {
            if (cors(ex)) {
                return;
            }
            if (stopping) {
                send(ex, 503, "text/plain; charset=utf-8", "shutting down\n".getBytes(StandardCharsets.UTF_8));
            } else if (ex.getHttpContext().getPath().equals("/metrics")) {
                metrics(ex);
            } else {
                try {
                    rpc(ex);
                } catch (RuntimeException e) {
                    // A bug must not leave the client without an answer; one line, no request content.
                    org.slf4j.LoggerFactory.getLogger(AdminApiService.class).warn("admin API request failed: {}", e.getClass().getSimpleName());
                    if (ex.getResponseCode() < 0) {
                        sendJson(ex, 500, error(null, -32603, "internal error"));
                    }
                }
            }
        } finally {
            if (inFlight.decrementAndGet() == 0) {
                synchronized (inFlight) {
                    inFlight.notifyAll();
                }
            }
        }
    }

    private void metrics(HttpExchange ex) throws IOException {
        if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
            send(ex, 405, "text/plain; charset=utf-8", "use GET\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        send(ex, 200, venus.retrieval.node.metrics.NodeMetrics.CONTENT_TYPE,
                ctx.metrics().scrape().getBytes(StandardCharsets.UTF_8));
    }

    private void rpc(HttpExchange ex) throws IOException {
        // Authenticate first: nothing of an unauthenticated request is parsed or dispatched.
        Optional<Permission> caller = bearer(ex.getRequestHeaders().getFirst("Authorization")).flatMap(ctx.tokens()::check);
        byte[] body = admit(ex, caller);
        if (body == null) {
            return;
        }
        JsonNode request;
        try {
            request = json.readTree(body);
        } catch (JacksonException e) {
            request = null;
        }
        if (request == null || !(request.isObject() || request.isArray())) {
            sendJson(ex, 200, error(null, -32700, "parse error"));
            return;
        }
        // Authorise every call of the request (a batch is all-or-nothing) before dispatching any.
        for (JsonNode call : request.isArray() ? request : List.of(request)) {
            String method = call.path("method").asText("");
            Optional<Permission> need = ctx.rpc().requiredPermission(method);
            if (need.isPresent() && !caller.get().allows(need.get())) {
                sendJson(ex, 403, error(call.get("id"), RpcDispatcher.PERMISSION_DENIED,
                        "permission denied: " + method + " needs '" + need.get().label() + "'"));
                return;
            }
        }
        JsonNode response = ctx.rpc().handle(request, caller.get());
        if (response == null) {
            send(ex, 204, null, new byte[0]);
        } else {
            sendJson(ex, 200, response);
        }
    }

    /**
     * The checks every JSON-RPC endpoint makes before it reads a request: a valid bearer token (401),
     * POST (405) and a bounded body (413). Returns the body, or null once the refusal has been sent.
     */
    private byte[] admit(HttpExchange ex, Optional<Permission> caller) throws IOException {
        if (caller.isEmpty()) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"vrn\"");
            send(ex, 401, "application/json", "{\"error\":\"missing or invalid bearer token\"}".getBytes(StandardCharsets.UTF_8));
            return null;
        }
        if (!ex.getRequestMethod().equals("POST")) {
            send(ex, 405, "text/plain; charset=utf-8", "use POST with a JSON-RPC 2.0 body\n".getBytes(StandardCharsets.UTF_8));
            return null;
        }
        byte[] body = readBody(ex.getRequestBody());
        if (body == null) {
            send(ex, 413, "text/plain; charset=utf-8", ("request body over " + MAX_BODY + " bytes\n").getBytes(StandardCharsets.UTF_8));
        }
        return body;
    }

    /** An extra JSON-RPC endpoint: same token check as /rpc/v0, write access for state-changing methods. */
    private void raw(HttpExchange ex, DaemonContext.RawRpcEndpoint endpoint) throws IOException {
        inFlight.incrementAndGet();
        try (ex) {
            Optional<Permission> caller = bearer(ex.getRequestHeaders().getFirst("Authorization")).flatMap(ctx.tokens()::check);
            if (stopping) {
                send(ex, 503, "text/plain; charset=utf-8", "shutting down\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            byte[] body = admit(ex, caller);
            if (body == null) {
                return;
            }
            String method;
            try {
                method = json.readTree(body).path("method").asText("");
            } catch (JacksonException e) {
                method = "";
            }
            if (endpoint.needsWrite().test(method) && !caller.get().allows(Permission.WRITE)) {
                sendJson(ex, 403, error(null, RpcDispatcher.PERMISSION_DENIED, "permission denied: " + method + " needs 'write'"));
                return;
            }
            send(ex, 200, "application/json", endpoint.handler().apply(body));
        } finally {
            if (inFlight.decrementAndGet() == 0) {
                synchronized (inFlight) {
                    inFlight.notifyAll();
                }
            }
        }
    }

    static Optional<String> bearer(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        return Optional.of(header.substring(7).trim());
    }

    private ObjectNode error(JsonNode id, int code, String message) {
        ObjectNode r = json.createObjectNode().put("jsonrpc", "2.0");
        r.set("id", id == null ? json.nullNode() : id);
        r.putObject("error").put("code", code).put("message", message);
        return r;
    }

    private static byte[] readBody(InputStream in) throws IOException {
        byte[] b = in.readNBytes(MAX_BODY + 1);
        return b.length > MAX_BODY ? null : b;
    }

    private void sendJson(HttpExchange ex, int status, JsonNode body) throws IOException {
        send(ex, status, "application/json", json.writeValueAsBytes(body));
    }

    private void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ctx.metrics().registry().counter("vrn.api.requests", "path", ex.getHttpContext().getPath(),
                "status", Integer.toString(status)).increment();
        sendUncounted(ex, status, type, body);
    }

    private static void sendUncounted(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        if (type != null) {
            ex.getResponseHeaders().set("Content-Type", type);
        }
        boolean noBody = status == 204 || ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, noBody ? -1 : body.length);
        if (!noBody) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void stop(Duration grace) {
        if (server == null) {
            return;
        }
        stopping = true;
        long deadline = System.nanoTime() + grace.toNanos();
        synchronized (inFlight) {
            while (inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(inFlight, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        // In-flight work is done or its grace is over: close now (stop(0) cuts open exchanges).
        server.stop(0);
        executor.shutdownNow();
    }
}
