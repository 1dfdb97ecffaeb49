package venus.retrieval.gateway;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One HTTP request as the gateway's handlers see it, whatever the transport (HTTP/1.1, h2c, h2).
 *
 * @param method upper-case method name
 * @param uri the request target as sent
 * @param rawPath the path part, still percent-encoded (segments are decoded one by one so that an
 *        encoded {@code /} stays inside its segment)
 * @param query decoded query parameters
 * @param headers request headers
 * @param remote the client's address
 * @param protocol {@code http/1.1}, {@code h2c} or {@code h2}
 */
public record GatewayRequest(String method, String uri, String rawPath, Map<String, List<String>> query,
                             HttpHeaders headers, SocketAddress remote, String protocol) {

    /** Builds a request from a request target, parsing path and query. */
    public static GatewayRequest of(String method, String uri, HttpHeaders headers, SocketAddress remote, String protocol) {
        QueryStringDecoder q = new QueryStringDecoder(uri, StandardCharsets.UTF_8, true, 64);
        return new GatewayRequest(method, uri, q.rawPath(), q.parameters(), headers, remote, protocol);
    }

    /** First value of query parameter {@code name}, or null. */
    public String param(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** Header value, or null. */
    public String header(CharSequence name) {
        return headers.get(name);
    }

    /** Whether this is a HEAD request (headers only). */
    public boolean head() {
        return "HEAD".equals(method);
    }

    /** The raw query string after {@code ?}, or empty. */
    public String rawQuery() {
        int q = uri.indexOf('?');
        return q < 0 ? "" : uri.substring(q + 1);
    }
}
