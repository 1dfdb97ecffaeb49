package venus.retrieval.ipld.car;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.Varint;

/**
 * Streaming CARv1 writer: the header (roots) when created, then one section per {@link #put}.
 * Nothing is buffered beyond the caller's stream; the caller vouches that each block hashes to its
 * CID (blocks come from a verified store or a builder that just hashed them).
 */
public final class CarWriter implements BlockSink, AutoCloseable {
    private final OutputStream out;
    private final byte[] head = new byte[Varint.MAX_BYTES + CarReader.MAX_CID_BYTES];
    private long written;

    /** Writes the CARv1 header with {@code roots} to {@code out} at once. */
    public CarWriter(OutputStream out, List<Cid> roots) {
        this.out = out;
        byte[] header = CarHeaderCodec.encodeV1(roots);
        write(Varint.encode(header.length), 0, Varint.size(header.length));
        write(header, 0, header.length);
    }

    /** The CARv1 header bytes (length varint included) for {@code roots}: what a writer emits first. */
    public static byte[] headerBytes(List<Cid> roots) {
        byte[] header = CarHeaderCodec.encodeV1(roots);
        byte[] out = new byte[Varint.size(header.length) + header.length];
        int n = Varint.write(header.length, out, 0);
        System.arraycopy(header, 0, out, n, header.length);
        return out;
    }

    /** Appends one block section. */
    @Override
    public void put(Cid cid, byte[] data) {
        put(cid, data, 0, data.length);
    }

    /** Appends one block section whose bytes are a slice of {@code data}. */
    public void put(Cid cid, byte[] data, int off, int len) {
        int cidLen = cid.byteLength();
        if (cidLen > CarReader.MAX_CID_BYTES) {
            throw new IpldException(IpldException.Reason.TOO_LARGE, "CID of " + cidLen + " bytes is too long for a CAR section");
        }
        int n = Varint.write((long) cidLen + len, head, 0);
        n += cid.writeTo(head, n);
        write(head, 0, n);
        write(data, off, len);
    }

    /** Bytes written so far, header included. */
    public long bytesWritten() {
        return written;
    }

    /** Flushes the underlying stream. */
    public void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new IpldException(IpldException.Reason.IO, "writing CAR: " + e.getMessage(), e);
        }
    }

    /** Flushes and closes the underlying stream. */
    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new IpldException(IpldException.Reason.IO, "closing CAR: " + e.getMessage(), e);
        }
    }

    private void write(byte[] b, int off, int len) {
        try {
            out.write(b, off, len);
            written += len;
        } catch (IOException e) {
            throw new IpldException(IpldException.Reason.IO, "writing CAR at offset " + written + ": " + e.getMessage(), e);
        }
    }
}
