package venus.retrieval.gateway;

import java.io.IOException;

/**
 * The bytes of a response, produced on demand into a {@link BodySink} so that no handler ever
 * holds a whole file or DAG in memory. Written at most once per response (and possibly once more
 * by {@link #measure()}).
 */
public interface ResponseBody {
    /** Exact byte count when known up front (sets Content-Length), else -1 (chunked / HTTP/2 framing). */
    long length();

    /** Writes every byte to {@code sink}; the sink blocks while the client is not reading. */
    void writeTo(BodySink sink) throws IOException;

    /**
     * The exact byte count, computing it when {@link #length()} is unknown by a dry run into a
     * counting sink (reads the data once more; only a paid {@link PaymentGate} asks for it).
     */
    default long measure() throws IOException {
        long n = length();
        if (n >= 0) {
            return n;
        }
        BodySink.Counting c = new BodySink.Counting();
        writeTo(c);
        return c.count();
    }

    /** A body held in memory (small: a block, an error page, a listing). */
    static ResponseBody of(byte[] bytes) {
        return new ResponseBody() {
            @Override
            public long length() {
                return bytes.length;
            }

            @Override
            public void writeTo(BodySink sink) throws IOException {
                sink.write(bytes, 0, bytes.length);
            }
        };
    }

    /** A slice of {@code bytes}. */
    static ResponseBody of(byte[] bytes, int offset, int length) {
        return new ResponseBody() {
            @Override
            public long length() {
                return length;
            }

            @Override
            public void writeTo(BodySink sink) throws IOException {
                sink.write(bytes, offset, length);
            }
        };
    }
}
