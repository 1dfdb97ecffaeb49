package venus.retrieval.gateway;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * Where a {@link ResponseBody} writes. The server's sink applies backpressure: a call returns only
 * when the connection can take more, so a slow client holds the writer (never memory). A call
 * throws {@link IOException} once the client is gone or stalled past the request timeout.
 */
public interface BodySink {
    /** Writes {@code len} bytes of {@code b} (copied; the caller may reuse the array). */
    void write(byte[] b, int off, int len) throws IOException;

    /**
     * Writes {@code count} bytes of the file at {@code file} from {@code position}; zero-copy
     * ({@code sendfile}) where the transport allows it (cleartext HTTP/1.1).
     */
    void writeFile(Path file, long position, long count) throws IOException;

    /** This sink as an OutputStream (for writers that take one, e.g. a CAR writer). */
    default OutputStream asOutputStream() {
        BodySink self = this;
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                self.write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                self.write(b, off, len);
            }
        };
    }

    /** Counts bytes and keeps none (for {@link ResponseBody#measure()}). */
    final class Counting implements BodySink {
        private long count;

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }

        @Override
        public void writeFile(Path file, long position, long count) {
            this.count += count;
        }

        /** Bytes written so far. */
        public long count() {
            return count;
        }
    }
}
