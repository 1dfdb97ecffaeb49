package venus.retrieval.node.webui;

import io.netty.handler.codec.http.HttpHeaderNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;
import venus.retrieval.gateway.GatewayHandler;
import venus.retrieval.gateway.GatewayRequest;
import venus.retrieval.gateway.GatewayResponse;
import venus.retrieval.gateway.ResponseBody;

/**
 * The status page on the gateway port: {@code /webui/} serves plain HTML/JS/CSS from the node's
 * resources, and {@code /webui/config.json} tells the page where the admin API is. The page holds
 * no data and no secret: it asks the operator for an API token (or takes it from the URL fragment,
 * which browsers never send), keeps it in {@code sessionStorage} and calls the admin API directly;
 * the admin API allows CORS for exactly this gateway origin. Other paths go to the wrapped handler.
 */
public final class WebUi implements GatewayHandler {
    static final String PREFIX = "/webui";
    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "style.css", "text/css; charset=utf-8");

    private final GatewayHandler next;
    private final Supplier<String> apiUrl;

    /**
     * @param next   handles every other path
     * @param apiUrl the admin API's base URL (read per request: known once it is bound)
     */
    public WebUi(GatewayHandler next, Supplier<String> apiUrl) {
        this.next = next;
        this.apiUrl = apiUrl;
    }

    @Override
    public GatewayResponse handle(GatewayRequest req) {
        String path = req.rawPath();
        if (!path.equals(PREFIX) && !path.startsWith(PREFIX + "/")) {
            return next.handle(req);
        }
        if (!"GET".equals(req.method()) && !"HEAD".equals(req.method())) {
            return GatewayResponse.text(405, "405 Method Not Allowed: " + req.method());
        }
        if (path.equals(PREFIX)) {
            return new GatewayResponse(301).header(HttpHeaderNames.LOCATION, PREFIX + "/");
        }
        String name = path.substring(PREFIX.length() + 1);
        if (name.isEmpty()) {
            name = "index.html";
        }
        if (name.equals("config.json")) {
            String api = apiUrl.get();
            return body("{\"api\":" + (api == null ? "null" : "\"" + api.replace("\"", "") + "\"") + "}",
                    "application/json");
        }
        String type = FILES.get(name);
        if (type == null) {
            return GatewayResponse.text(404, "404 Not Found: " + path);
        }
        try (InputStream in = WebUi.class.getResourceAsStream("/webui/" + name)) {
            if (in == null) {
                return GatewayResponse.text(404, "404 Not Found: " + path);
            }
            return body(in.readAllBytes(), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static GatewayResponse body(String text, String type) {
        return body(text.getBytes(StandardCharsets.UTF_8), type);
    }

    private static GatewayResponse body(byte[] bytes, String type) {
        GatewayResponse r = new GatewayResponse(200).body(ResponseBody.of(bytes));
        r.header(HttpHeaderNames.CONTENT_TYPE, type);
        r.header(HttpHeaderNames.CACHE_CONTROL, "no-store");
        // The page only talks to its own origin and the admin API; no inline script, no framing.
        r.header("Content-Security-Policy", "default-src 'self'; connect-src 'self' " + API_ORIGINS + "; frame-ancestors 'none'");
        r.header("X-Content-Type-Options", "nosniff");
        return r;
    }

    /** Where the admin API may be (its port differs from the gateway's). */
    private static final String API_ORIGINS = "http://127.0.0.1:* http://localhost:* http://[::1]:*";
}
