package venus.retrieval.gateway;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import venus.retrieval.ipld.Cid;

/**
 * What a handler answers: status, headers and a lazily produced body. Responses that carry
 * content ({@link #paidContent()} non-null) pass the {@link PaymentGate} before any byte is sent.
 */
public final class GatewayResponse {
    private final int status;
    private final HttpHeaders headers = new DefaultHttpHeaders();
    private ResponseBody body;
    private Cid paidContent;
    private String kind;

    public GatewayResponse(int status) {
        this.status = status;
    }

    /** A response with a short text/plain body (errors, redirects). */
    public static GatewayResponse text(int status, String message) {
        GatewayResponse r = new GatewayResponse(status);
        r.headers.set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        r.body = ResponseBody.of((message + "\n").getBytes(StandardCharsets.UTF_8));
        return r;
    }

    /** The status code. */
    public int status() {
        return status;
    }

    /** Mutable response headers. */
    public HttpHeaders headers() {
        return headers;
    }

    /** Sets a header, returns this. */
    public GatewayResponse header(CharSequence name, Object value) {
        headers.set(name, value);
        return this;
    }

    /** The body, or null for none. */
    public ResponseBody body() {
        return body;
    }

    /** Sets the body, returns this. */
    public GatewayResponse body(ResponseBody b) {
        this.body = b;
        return this;
    }

    /** The content this response delivers (what a paid gate prices), or null for free metadata. */
    public Cid paidContent() {
        return paidContent;
    }

    /** What kind of content this is ({@code raw}, {@code car}, {@code file}, {@code piece}...). */
    public String kind() {
        return kind;
    }

    /** Marks this response as delivering {@code content} of {@code kind}: the payment gate is consulted. */
    public GatewayResponse paid(Cid content, String kind) {
        this.paidContent = content;
        this.kind = kind;
        return this;
    }
}
