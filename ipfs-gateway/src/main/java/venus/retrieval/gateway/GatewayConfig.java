package venus.retrieval.gateway;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Immutable settings of one {@link GatewayServer}, validated once at construction.
 *
 * @param host address to bind (e.g. {@code 127.0.0.1}, {@code 0.0.0.0})
 * @param port port to bind; 0 picks any free port
 * @param maxConcurrentRequests requests served at once over all connections and HTTP/2 streams;
 *        one more is answered {@code 503} with {@code Retry-After}
 * @param maxHeaderBytes largest request header block (HTTP/1.1 header section, HTTP/2 header list);
 *        a bigger one is answered {@code 431}
 * @param requestTimeout longest time a request may go without progress: from its headers to the
 *        first response byte, and between two writes of the body. Before the first byte the client
 *        gets {@code 504}; afterwards the connection is closed (a body cannot change status).
 * @param idleTimeout a connection with no request in flight and no traffic for this long is closed
 * @param tlsCertificate PEM certificate chain; with {@code tlsKey} the port speaks TLS (h2 and
 *        http/1.1 by ALPN) instead of cleartext (HTTP/1.1 and h2c). Null for cleartext.
 * @param tlsKey PEM PKCS#8 private key for {@code tlsCertificate}, or null
 * @param maxHttp2Streams concurrent streams one HTTP/2 connection may open
 */
public record GatewayConfig(
        String host,
        int port,
        int maxConcurrentRequests,
        int maxHeaderBytes,
        Duration requestTimeout,
        Duration idleTimeout,
        Path tlsCertificate,
        Path tlsKey,
        int maxHttp2Streams) {

    /** Default bind address. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** Default port (the Kubo gateway's). */
    public static final int DEFAULT_PORT = 8080;

    public GatewayConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (host.isBlank()) {
            throw new IllegalArgumentException("gateway host must not be empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("gateway port must be 0..65535, got " + port);
        }
        if (maxConcurrentRequests < 1) {
            throw new IllegalArgumentException("gateway.maxConcurrentRequests must be >= 1, got " + maxConcurrentRequests);
        }
        if (maxHeaderBytes < 1024 || maxHeaderBytes > 1 << 20) {
            throw new IllegalArgumentException("gateway.maxHeaderBytes must be 1024..1048576, got " + maxHeaderBytes);
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("gateway.requestTimeout must be positive");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("gateway.idleTimeout must be positive");
        }
        if ((tlsCertificate == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("gateway TLS needs both a certificate and a key file");
        }
        if (maxHttp2Streams < 1) {
            throw new IllegalArgumentException("gateway.maxHttp2Streams must be >= 1, got " + maxHttp2Streams);
        }
    }

    /** Defaults: 127.0.0.1:8080, 256 requests, 16 KiB headers, 60 s request and 120 s idle timeouts, cleartext. */
    public static GatewayConfig defaults() {
        return new GatewayConfig(DEFAULT_HOST, DEFAULT_PORT, 256, 16 * 1024,
                Duration.ofSeconds(60), Duration.ofSeconds(120), null, null, 128);
    }

    /** Whether the listener speaks TLS. */
    public boolean tls() {
        return tlsCertificate != null;
    }

    /** A copy bound to {@code host:port}. */
    public GatewayConfig withListen(String host, int port) {
        return new GatewayConfig(host, port, maxConcurrentRequests, maxHeaderBytes, requestTimeout, idleTimeout,
                tlsCertificate, tlsKey, maxHttp2Streams);
    }

    /** A copy with another request limit. */
    public GatewayConfig withMaxConcurrentRequests(int n) {
        return new GatewayConfig(host, port, n, maxHeaderBytes, requestTimeout, idleTimeout, tlsCertificate, tlsKey, maxHttp2Streams);
    }

    /** A copy with another header limit. */
    public GatewayConfig withMaxHeaderBytes(int n) {
        return new GatewayConfig(host, port, maxConcurrentRequests, n, requestTimeout, idleTimeout, tlsCertificate, tlsKey, maxHttp2Streams);
    }

    /** A copy with other timeouts. */
    public GatewayConfig withTimeouts(Duration request, Duration idle) {
        return new GatewayConfig(host, port, maxConcurrentRequests, maxHeaderBytes, request, idle, tlsCertificate, tlsKey, maxHttp2Streams);
    }

    /** A copy that serves TLS from the given PEM files. */
    public GatewayConfig withTls(Path certificate, Path key) {
        return new GatewayConfig(host, port, maxConcurrentRequests, maxHeaderBytes, requestTimeout, idleTimeout, certificate, key, maxHttp2Streams);
    }

    /** A copy bound to {@code listen} = {@code host:port} ({@code [v6]:port} for IPv6), the {@code gateway.listen} form. */
    public GatewayConfig withListen(String listen) {
        if (listen == null || listen.isBlank()) {
            throw new IllegalArgumentException("gateway.listen must be host:port");
        }
        int colon = listen.lastIndexOf(':');
        if (colon <= 0 || colon == listen.length() - 1) {
            throw new IllegalArgumentException("gateway.listen must be host:port, got \"" + listen + "\"");
        }
        String h = listen.substring(0, colon);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        int p;
        try {
            p = Integer.parseInt(listen.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("gateway.listen port is not a number: \"" + listen + "\"");
        }
        return withListen(h, p);
    }
}
