package venus.retrieval.ipld;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * Unsigned LEB128 varints as multiformats defines them: at most 9 bytes (63 bits), and minimally
 * encoded — a decoder that accepted padding would let one value have many encodings.
 */
public final class Varint {
    /** The longest legal encoding. */
    public static final int MAX_BYTES = 9;

    private Varint() {}

    /** Number of bytes {@code value} takes when encoded. */
    public static int size(long value) {
        checkEncodable(value);
        int n = 1;
        while ((value >>>= 7) != 0) {
            n++;
        }
        return n;
    }

    /** Encodes {@code value} into a new array. */
    public static byte[] encode(long value) {
        byte[] out = new byte[size(value)];
        write(value, out, 0);
        return out;
    }

    /** Writes {@code value} at {@code offset}; returns the number of bytes written. */
    public static int write(long value, byte[] out, int offset) {
        checkEncodable(value);
        int i = offset;
        while ((value & ~0x7FL) != 0) {
            out[i++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out[i++] = (byte) value;
        return i - offset;
    }

    /** Writes {@code value} into {@code out}. */
    public static void write(long value, ByteBuffer out) {
        checkEncodable(value);
        while ((value & ~0x7FL) != 0) {
            out.put((byte) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.put((byte) value);
    }

    /**
     * Decodes a varint at {@code offset}. Returns the value; the encoded length is
     * {@link #size(long)} of it (minimal encoding guarantees that).
     */
    public static long decode(byte[] in, int offset, int limit) {
        long value = 0;
        for (int i = 0; i < MAX_BYTES; i++) {
            if (offset + i >= limit) {
                throw new IpldException(IpldException.Reason.TRUNCATED, "varint truncated at byte " + (offset + i));
            }
            int b = in[offset + i] & 0xFF;
            value |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                if (b == 0 && i > 0) {
                    throw new IpldException(IpldException.Reason.BAD_VARINT, "varint is not minimally encoded");
                }
                return value;
            }
        }
        throw new IpldException(IpldException.Reason.BAD_VARINT, "varint is longer than " + MAX_BYTES + " bytes");
    }

    /** Decodes a varint from the start of {@code in}. */
    public static long decode(byte[] in) {
        return decode(in, 0, in.length);
    }

    /** Decodes a varint at the buffer's position, advancing it. */
    public static long decode(ByteBuffer in) {
        long value = 0;
        for (int i = 0; i < MAX_BYTES; i++) {
            if (!in.hasRemaining()) {
                throw new IpldException(IpldException.Reason.TRUNCATED, "varint truncated");
            }
            int b = in.get() & 0xFF;
            value |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                if (b == 0 && i > 0) {
                    throw new IpldException(IpldException.Reason.BAD_VARINT, "varint is not minimally encoded");
                }
                return value;
            }
        }
        throw new IpldException(IpldException.Reason.BAD_VARINT, "varint is longer than " + MAX_BYTES + " bytes");
    }

    /**
     * Reads a varint from a stream. Returns -1 on a clean end of stream before the first byte;
     * an end of stream inside the varint is an {@link EOFException}.
     */
    public static long read(InputStream in) throws IOException {
        long value = 0;
        for (int i = 0; i < MAX_BYTES; i++) {
            int b = in.read();
            if (b < 0) {
                if (i == 0) {
                    return -1;
                }
                throw new EOFException("varint truncated");
            }
            value |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                if (b == 0 && i > 0) {
                    throw new IpldException(IpldException.Reason.BAD_VARINT, "varint is not minimally encoded");
                }
                return value;
            }
        }
        throw new IpldException(IpldException.Reason.BAD_VARINT, "varint is longer than " + MAX_BYTES + " bytes");
    }

    private static void checkEncodable(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("varint value must be in [0, 2^63): " + value);
        }
    }
}
