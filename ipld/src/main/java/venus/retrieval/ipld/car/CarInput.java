package venus.retrieval.ipld.car;

import java.io.IOException;
import java.io.InputStream;
import venus.retrieval.ipld.IpldException;

/**
 * A buffered byte source that knows its absolute position. One fixed buffer is reused for the
 * whole file; large block bodies are copied straight from the stream into the caller's array.
 */
final class CarInput {
    private final InputStream in;
    private byte[] buf;
    private int pos;
    private int limit;
    private long bufStart;     // absolute offset of buf[0]
    private boolean eof;

    CarInput(InputStream in, int bufferSize) {
        this.in = in;
        this.buf = new byte[bufferSize];
    }

    /** Enlarges the buffer to at least {@code size} bytes, keeping what it holds. */
    void grow(int size) {
        if (buf.length < size) {
            buf = java.util.Arrays.copyOf(buf, size);
        }
    }

    /** Absolute offset of the next byte. */
    long position() {
        return bufStart + pos;
    }

    byte[] buffer() {
        return buf;
    }

    int bufferPos() {
        return pos;
    }

    /** Bytes available contiguously in the buffer at {@link #bufferPos()}. */
    int buffered() {
        return limit - pos;
    }

    void advance(int n) {
        pos += n;
    }

    /**
     * Tries to make {@code n} bytes (at most the buffer size) available contiguously. Returns how
     * many are available; fewer than {@code n} means the input ended.
     */
    int ensure(int n) {
        if (limit - pos >= n) {
            return limit - pos;
        }
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            bufStart += pos;
            limit -= pos;
            pos = 0;
        }
        while (limit < n && !eof) {
            int r = read(buf, limit, buf.length - limit);
            if (r < 0) {
                eof = true;
            } else {
                limit += r;
            }
        }
        return limit - pos;
    }

    /** Reads exactly {@code len} bytes; returns how many were read (fewer only at end of input). */
    int readFully(byte[] dst, int off, int len) {
        int n = Math.min(len, limit - pos);
        System.arraycopy(buf, pos, dst, off, n);
        pos += n;
        while (n < len && !eof) {
            int r = read(dst, off + n, len - n);
            if (r < 0) {
                eof = true;
            } else {
                n += r;
                bufStart += r;   // bytes that bypassed the buffer still move the position
            }
        }
        return n;
    }

    /** Skips {@code n} bytes; returns how many were skipped (fewer only at end of input). */
    long skip(long n) {
        long done = Math.min(n, limit - pos);
        pos += (int) done;
        while (done < n && !eof) {
            // drop the buffer, then read through it: InputStream.skip is not reliable at end of input
            bufStart += limit;
            pos = 0;
            limit = 0;
            int r = read(buf, 0, (int) Math.min(buf.length, n - done));
            if (r < 0) {
                eof = true;
            } else {
                limit = r;
                pos = r;
                done += r;
            }
        }
        return done;
    }

    private int read(byte[] dst, int off, int len) {
        try {
            int r;
            do {
                r = in.read(dst, off, len);
            } while (r == 0);
            return r;
        } catch (IOException e) {
            throw new IpldException(IpldException.Reason.IO, "reading CAR at offset " + position() + ": " + e.getMessage(), e);
        }
    }

    void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new IpldException(IpldException.Reason.IO, "closing CAR: " + e.getMessage(), e);
        }
    }
}
