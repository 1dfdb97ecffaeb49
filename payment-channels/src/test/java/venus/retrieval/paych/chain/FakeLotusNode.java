package venus.retrieval.paych.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A local HTTP fixture that answers JSON-RPC 2.0 at {@code /rpc/v1} the way a Lotus node does
 * (the result shapes of lotus' documented API), so the client is tested without a Lotus node.
 * Requires {@code Authorization: Bearer <token>} and answers 401 otherwise, like go-jsonrpc's
 * auth handler for a bad token.
 */
final class FakeLotusNode implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /** A JSON-RPC error the handler wants returned. */
    static final class RpcError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int code;

        RpcError(int code, String message) {
            super(message);
            this.code = code;
        }
    }

    final String token;
    final HttpServer server;
    final Map<String, Function<JsonNode, Object>> handlers = new ConcurrentHashMap<>();
    final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    final List<String> authHeaders = new CopyOnWriteArrayList<>();

    FakeLotusNode(String token) throws IOException {
        this.token = token;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/rpc/v1", ex -> {
            try (ex) {
                String auth = ex.getRequestHeaders().getFirst("Authorization");
                authHeaders.add(String.valueOf(auth));
                if (token != null && !("Bearer " + token).equals(auth)) {
                    ex.sendResponseHeaders(401, -1);
                    return;
                }
                JsonNode req = JSON.readTree(ex.getRequestBody());
                requests.add(req);
                ObjectNode resp = JSON.createObjectNode();
                resp.put("jsonrpc", "2.0");
                resp.set("id", req.get("id"));
                String method = req.path("method").asText();
                Function<JsonNode, Object> h = handlers.get(method);
                try {
                    if (h == null) {
                        throw new RpcError(-32601, "method '" + method + "' not found");
                    }
                    resp.set("result", JSON.valueToTree(h.apply(req.get("params"))));
                } catch (RpcError e) {
                    ObjectNode err = resp.putObject("error");
                    err.put("code", e.code);
                    err.put("message", e.getMessage());
                }
                byte[] body = resp.toString().getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            }
        });
        server.start();
    }

    FakeLotusNode on(String method, Function<JsonNode, Object> handler) {
        handlers.put("Filecoin." + method, handler);
        return this;
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/rpc/v1");
    }

    JsonNode lastRequest() {
        return requests.get(requests.size() - 1);
    }

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
