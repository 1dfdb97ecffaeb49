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
     * The body's byte count when it is known without reading any content (a block, a file of known
     * size, a range), else -1 (e.g. a CAR, whose length only a walk of the DAG tells).
     */
    public synchronized long knownByteCount() {
        if (byteCount >= 0) {
            return byteCount;
        }
        return body == null ? 0 : body.length();
    }

    /**
     * {@link #byteCount()} with bounded work: the dry run stops as soon as it has produced more
     * than {@code maxBytes} body bytes or run past {@code deadlineNanos} ({@link System#nanoTime}
     * clock), and then returns -1 (bytes) or -2 (time). A body of known length costs nothing.
     */
    public synchronized long byteCountWithin(long maxBytes, long deadlineNanos) {
        long known = knownByteCount();
        if (known >= 0) {
            return known;
        }
        Bounded sink = new Bounded(maxBytes, deadlineNanos);
        try {
            body.writeTo(sink);
        } catch (IOException | RuntimeException e) {
            if (sink.exceeded) {
                return sink.count > maxBytes ? -1 : -2;
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw (RuntimeException) e;
        }
        byteCount = sink.count;
        return byteCount;
    }

    /**
     * What determines this response's body bytes, as a cache key for quotes: the kind, the
     * content, the path, the query parameters that shape a body ({@code format}, {@code dag-scope},
     * {@code entity-bytes}, {@code car-*}) and the {@code Accept} and {@code Range} headers. Other
     * parameters (e.g. {@code filename}) change no body byte, so varying them does not defeat the
     * cache.
     */
    public String quoteKey() {
        StringBuilder k = new StringBuilder(kind).append('|').append(content).append('|').append(request.rawPath());
        for (String name : SHAPING_PARAMS) {
            java.util.List<String> v = request.query().get(name);
            if (v != null) {
                k.append('|').append(name).append('=').append(String.join(",", v));
            }
        }
        String accept = request.header("Accept");
        String range = request.header("Range");
        return k.append("|A=").append(accept == null ? "" : accept).append("|R=").append(range == null ? "" : range).toString();
    }

    private static final String[] SHAPING_PARAMS = {"format", "dag-scope", "entity-bytes", "car-version", "car-order", "car-dups"};

    /** Counts like {@link BodySink.Counting} until a budget runs out, then refuses every write. */
    private static final class Bounded implements BodySink {
        private final long maxBytes;
        private final long deadline;
        private long count;
        private boolean exceeded;

        Bounded(long maxBytes, long deadline) {
            this.maxBytes = maxBytes;
            this.deadline = deadline;
        }

        private void add(long n) throws IOException {
            count += n;
            if (count > maxBytes || System.nanoTime() - deadline > 0) {
                exceeded = true;
                throw new IOException("pricing budget exceeded");
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            add(len);
        }

        @Override
        public void writeFile(java.nio.file.Path file, long position, long n) throws IOException {
            add(n);
        }
    }

    /**
     * The exact number of body bytes a GET of this response carries (for HEAD, what the GET would
     * carry). Computed on first call; for a CAR of unknown length this walks the DAG once, with no
     * bound: a gate that prices unpaid requests uses {@link #byteCountWithin} instead.
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
