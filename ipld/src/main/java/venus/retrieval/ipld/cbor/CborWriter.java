package venus.retrieval.ipld.cbor;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.model.Node;

/**
 * A streaming CBOR writer for hand-written struct encoders (vouchers, graphsync and data-transfer
 * messages). Every integer and length it writes is in shortest form and every length is definite,
 * so output is canonical dag-cbor as long as the caller writes map keys in canonical order
 * (shorter key first, then bytewise) — {@link #writeNode} does that itself.
 *
 * <p>Writes into a growing array ({@link #toByteArray()}) or through to an {@link OutputStream}
 * ({@link #flush()} pushes what is buffered; I/O errors surface as {@code IpldException(IO)}).
 */
public final class CborWriter {
    static final int TAG_CID = 42;
    static final int TAG_POS_BIGNUM = 2;
    static final int TAG_NEG_BIGNUM = 3;
    /** go-state-types refuses Filecoin BigInts longer than this many bytes (sign byte included). */
    public static final int FIL_BIGINT_MAX_BYTES = 128;

    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private final OutputStream out;
    private byte[] buf;
    private int len;

    /** A writer into a growing array. */
    public CborWriter() {
        this(null, 64);
    }

    /** A writer into a growing array of the given initial capacity. */
    public CborWriter(int initialCapacity) {
        this(null, Math.max(16, initialCapacity));
    }

    /** A writer through to {@code out}, buffering up to 8 KiB at a time. */
    public CborWriter(OutputStream out) {
        this(java.util.Objects.requireNonNull(out, "out"), 8192);
    }

    private CborWriter(OutputStream out, int capacity) {
        this.out = out;
        this.buf = new byte[capacity];
    }

    // ---- headers and scalars ----

    /** An array header announcing {@code n} items. */
    public CborWriter writeArrayHeader(long n) {
        return header(4, checkLength(n));
    }

    /** A map header announcing {@code n} entries. */
    public CborWriter writeMapHeader(long n) {
        return header(5, checkLength(n));
    }

    /** An unsigned integer; {@code v} is read as unsigned 64-bit (negative longs are values of 2^63 and above). */
    public CborWriter writeUint(long v) {
        return header(0, v);
    }

    /** A signed integer (major type 0 or 1). */
    public CborWriter writeInt(long v) {
        return v >= 0 ? header(0, v) : header(1, -1 - v);
    }

    /**
     * An integer of any size: major type 0/1 when it fits CBOR's 64-bit range, otherwise a
     * bignum (tag 2 or 3 over the big-endian magnitude). Tags 2/3 are not dag-cbor; only use this
     * where the caller's format asks for CBOR bignums.
     */
    public CborWriter writeBigInt(BigInteger v) {
        if (v.signum() >= 0) {
            if (v.bitLength() <= 64) {
                return header(0, v.longValue());
            }
            header(6, TAG_POS_BIGNUM);
            return writeBytes(magnitude(v));
        }
        BigInteger m = v.negate().subtract(BigInteger.ONE);  // CBOR stores -1 - n
        if (m.bitLength() <= 64) {
            return header(1, m.longValue());
        }
        header(6, TAG_NEG_BIGNUM);
        return writeBytes(magnitude(m));
    }

    /**
     * A Filecoin BigInt (go-state-types {@code big.Int}): a byte string, empty for zero, else a sign
     * byte (0x00 positive, 0x01 negative) followed by the big-endian magnitude without leading zeros.
     */
    public CborWriter writeFilBigInt(BigInteger v) {
        return writeBytes(filBigIntBytes(v));
    }

    /** The Filecoin BigInt byte form of {@code v} (what {@link #writeFilBigInt} wraps in a byte string). */
    public static byte[] filBigIntBytes(BigInteger v) {
        if (v.signum() == 0) {
            return new byte[0];
        }
        byte[] mag = magnitude(v.abs());
        byte[] b = new byte[mag.length + 1];
        b[0] = (byte) (v.signum() < 0 ? 1 : 0);
        System.arraycopy(mag, 0, b, 1, mag.length);
        if (b.length > FIL_BIGINT_MAX_BYTES) {
            throw new IpldException(IpldException.Reason.TOO_LARGE, "Filecoin BigInt needs " + b.length + " bytes, max " + FIL_BIGINT_MAX_BYTES);
        }
        return b;
    }

    private static byte[] magnitude(BigInteger nonNegative) {
        byte[] b = nonNegative.toByteArray();
        if (b.length > 1 && b[0] == 0) {
            return Arrays.copyOfRange(b, 1, b.length);
        }
        if (nonNegative.signum() == 0) {
            return new byte[0];
        }
        return b;
    }

    /** A byte string. */
    public CborWriter writeBytes(byte[] b) {
        return writeBytes(b, 0, b.length);
    }

    /** A byte string from a slice. */
    public CborWriter writeBytes(byte[] b, int off, int n) {
        header(2, n);
        return raw(b, off, n);
    }

    /**
     * Only the header of an {@code n}-byte byte string: the caller sends the {@code n} bytes
     * itself right after what this writer produced (zero-copy framing of large blocks).
     */
    public CborWriter writeBytesHeader(long n) {
        return header(2, checkLength(n));
    }

    /** A text string (UTF-8). */
    public CborWriter writeText(String s) {
        return writeTextBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A text string given as its exact bytes, which are written unchanged even if not valid UTF-8. */
    public CborWriter writeTextBytes(byte[] b) {
        header(3, b.length);
        return raw(b, 0, b.length);
    }

    /** A link: tag 42 over a byte string of 0x00 followed by the binary CID. */
    public CborWriter writeCid(Cid cid) {
        header(6, TAG_CID);
        int n = cid.byteLength();
        header(2, n + 1L);
        ensure(n + 1);
        buf[len++] = 0;
        len += cid.writeTo(buf, len);
        return this;
    }

    /** A boolean. */
    public CborWriter writeBool(boolean b) {
        return writeByte(b ? 0xF5 : 0xF4);
    }

    /** Null. */
    public CborWriter writeNull() {
        return writeByte(0xF6);
    }

    /** A 64-bit float (dag-cbor writes every float at 64 bits); NaN and infinities are refused. */
    public CborWriter writeFloat64(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new IpldException(IpldException.Reason.BAD_BLOCK, "dag-cbor has no NaN or Infinity");
        }
        ensure(9);
        buf[len++] = (byte) 0xFB;
        putLong(Double.doubleToLongBits(d));
        return this;
    }

    /** Already-encoded CBOR, copied verbatim (e.g. a nested block kept as bytes). */
    public CborWriter writeRaw(byte[] encoded) {
        return raw(encoded, 0, encoded.length);
    }

    /** A data-model value in canonical dag-cbor form (map keys sorted, shortest ints). */
    public CborWriter writeNode(Node node) {
        DagCborEncoder.write(this, node, 0);
        return this;
    }

    // ---- output ----

    /** Bytes written so far (when writing to an array) or still buffered (when streaming). */
    public int size() {
        return len;
    }

    /** A copy of what was written; only for a writer without an OutputStream. */
    public byte[] toByteArray() {
        if (out != null) {
            throw new IllegalStateException("this writer streams to an OutputStream");
        }
        return Arrays.copyOf(buf, len);
    }

    /** Pushes buffered bytes to the OutputStream (a no-op for an array writer). */
    public CborWriter flush() {
        if (out != null) {
            drain();
            try {
                out.flush();
            } catch (IOException e) {
                throw new IpldException(IpldException.Reason.IO, "write failed: " + e.getMessage(), e);
            }
        }
        return this;
    }

    // ---- internals ----

    private static long checkLength(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative length " + n);
        }
        return n;
    }

    /** Writes a major type with its argument in shortest form; {@code v} is unsigned. */
    CborWriter header(int major, long v) {
        ensure(9);
        int m = major << 5;
        if (v >= 0 && v < 24) {
            buf[len++] = (byte) (m | (int) v);
        } else if (v >= 0 && v < 0x100) {
            buf[len++] = (byte) (m | 24);
            buf[len++] = (byte) v;
        } else if (v >= 0 && v < 0x10000) {
            buf[len++] = (byte) (m | 25);
            buf[len++] = (byte) (v >>> 8);
            buf[len++] = (byte) v;
        } else if (v >= 0 && v < 0x100000000L) {
            buf[len++] = (byte) (m | 26);
            buf[len++] = (byte) (v >>> 24);
            buf[len++] = (byte) (v >>> 16);
            buf[len++] = (byte) (v >>> 8);
            buf[len++] = (byte) v;
        } else {
            buf[len++] = (byte) (m | 27);
            putLong(v);
        }
        return this;
    }

    private void putLong(long v) {
        for (int s = 56; s >= 0; s -= 8) {
            buf[len++] = (byte) (v >>> s);
        }
    }

    private CborWriter writeByte(int b) {
        ensure(1);
        buf[len++] = (byte) b;
        return this;
    }

    private CborWriter raw(byte[] b, int off, int n) {
        if (out != null && n > buf.length - len) {
            drain();
            if (n >= buf.length) {
                try {
                    out.write(b, off, n);
                } catch (IOException e) {
                    throw new IpldException(IpldException.Reason.IO, "write failed: " + e.getMessage(), e);
                }
                return this;
            }
        }
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
        return this;
    }

    private void ensure(int n) {
        if (buf.length - len >= n) {
            return;
        }
        if (out != null) {
            drain();
            if (buf.length >= n) {
                return;
            }
        }
        long want = Math.max((long) buf.length * 2, (long) len + n);
        if (want > Integer.MAX_VALUE - 16) {
            throw new IpldException(IpldException.Reason.TOO_LARGE, "CBOR output exceeds 2 GiB");
        }
        buf = Arrays.copyOf(buf, (int) want);
    }

    private void drain() {
        if (len == 0) {
            return;
        }
        try {
            out.write(buf, 0, len);
        } catch (IOException e) {
            throw new IpldException(IpldException.Reason.IO, "write failed: " + e.getMessage(), e);
        }
        len = 0;
    }
}
