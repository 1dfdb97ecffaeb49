package venus.retrieval.gateway;

import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import venus.retrieval.ipld.Cid;

/**
 * The facts a {@link PaymentGate} decides on: who asks (address, headers), for what content, and
 * how many body bytes this response will carry.
 */
public final class PaymentRequest {
    private final GatewayRequest request;
    private final Cid content;
    private final String kind;
    private final ResponseBody body;
    private long byteCount = -1;

    PaymentRequest(GatewayRequest request, Cid content, String kind, ResponseBody body) {
        this.request = request;
        this.content = content;
        this.kind = kind;
        this.body = body;
    }

    /** The client's address. */
    public SocketAddress remote() {
        return request.remote();
    }

    /** The request headers (where a client puts its voucher). */
    public HttpHeaders headers() {
        return request.headers();
    }

    /** The request method ({@code GET} or {@code HEAD}: a HEAD response carries no body bytes). */
    public String method() {
        return request.method();
    }

    /** The request target as sent. */
    public String uri() {
        return request.uri();
    }

    /** The content delivered (the block, file, DAG root or piece CID). */
    public Cid content() {
        return content;
    }

    /** {@code raw}, {@code car}, {@code file}, {@code piece}, {@code dir}... */
    public String kind() {
        return kind;
    }

    /**
     * The exact number of body bytes a GET of this response carries (for HEAD, what the GET would
     * carry). Computed on first call; for a CAR of unknown length this walks the DAG once, so call
     * it from the gate only when pricing needs it.
     */
    public synchronized long byteCount() {
        if (byteCount < 0) {
            try {
                byteCount = body == null ? 0 : body.measure();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return byteCount;
    }
}
