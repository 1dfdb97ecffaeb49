package venus.retrieval.ipld.pb;

import venus.retrieval.ipld.IpldException;

/**
 * A cursor over protobuf wire bytes: keys, varints (up to 10 bytes, 64-bit), length-delimited
 * slices. Shared by dag-pb and UnixFS so that neither hand-rolls its own bounds checks. Every
 * failure is an {@link IpldException} with the reason given at construction (BAD_BLOCK for
 * dag-pb, BAD_UNIXFS for UnixFS).
 *
 * <p>Protobuf varints differ from multiformats varints ({@code Varint}): they carry a full
 * 64-bit value in at most 10 bytes, so this reader has its own decoder rather than relaxing
 * {@code Varint}'s 9-byte multiformats limit.
 */
public final class ProtoReader {
    /** Wire type of varint fields. */
    public static final int VARINT = 0;
    /** Wire type of 64-bit fixed fields. */
    public static final int I64 = 1;
    /** Wire type of length-delimited fields (bytes, strings, messages, packed repeated). */
    public static final int LEN = 2;
    /** Wire type of 32-bit fixed fields. */
    public static final int I32 = 5;

    private final byte[] buf;
    private final int limit;
    private final IpldException.Reason reason;
    private final String what;
    private int pos;

    /** Reads {@code buf[offset, limit)}; errors carry {@code reason} and name {@code what}. */
    public ProtoReader(byte[] buf, int offset, int limit, IpldException.Reason reason, String what) {
        this.buf = buf;
        this.pos = offset;
        this.limit = limit;
        this.reason = reason;
        this.what = what;
    }

    /** True while bytes remain. */
    public boolean hasMore() {
        return pos < limit;
    }

    /** The current offset in the underlying array. */
    public int position() {
        return pos;
    }

    /** The underlying array (for slices returned by {@link #lengthDelimited()}). */
    public byte[] array() {
        return buf;
    }

    /**
     * Reads a field key and returns it ({@code fieldNumber << 3 | wireType}). Field numbers
     * outside [1, 2^29) are rejected.
     */
    public int key() {
        long k = varint();
        long field = k >>> 3;
        if (field == 0 || field > 0x1FFF_FFFFL) {
            throw error("invalid field number " + field);
        }
        return (int) k;
    }

    /** Reads a varint as an unsigned 64-bit value held in a long (values past 2^63 are negative). */
    public long varint() {
        long value = 0;
        for (int i = 0; i < 10; i++) {
            if (pos >= limit) {
                throw error("truncated varint");
            }
            int b = buf[pos++] & 0xFF;
            if (i == 9 && b > 1) {
                throw error("varint overflows 64 bits");
            }
            value |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw error("varint longer than 10 bytes");
    }

    /** Reads a varint that must fit in a non-negative long. */
    public long uint63() {
        long v = varint();
        if (v < 0) {
            throw error("value exceeds 2^63-1");
        }
        return v;
    }

    /** Reads a little-endian fixed 32-bit value. */
    public int fixed32() {
        if (limit - pos < 4) {
            throw error("truncated fixed32");
        }
        int v = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8 | (buf[pos + 2] & 0xFF) << 16 | (buf[pos + 3] & 0xFF) << 24;
        pos += 4;
        return v;
    }

    /**
     * Reads a length prefix and skips the bytes; returns the offset where they start (their end
     * is {@link #position()} afterwards).
     */
    public int lengthDelimited() {
        long len = varint();
        if (len < 0 || len > limit - pos) {
            throw error("length " + Long.toUnsignedString(len) + " runs past the end");
        }
        int start = pos;
        pos += (int) len;
        return start;
    }

    /** Reads a length-delimited field and copies it out. */
    public byte[] bytes() {
        int start = lengthDelimited();
        return java.util.Arrays.copyOfRange(buf, start, pos);
    }

    /** An exception of this reader's reason, naming the message being decoded. */
    public IpldException error(String message) {
        return new IpldException(reason, what + ": " + message);
    }

    /** Field number of a key returned by {@link #key()}. */
    public static int field(int key) {
        return key >>> 3;
    }

    /** Wire type of a key returned by {@link #key()}. */
    public static int wireType(int key) {
        return key & 7;
    }
}
