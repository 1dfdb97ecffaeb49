package venus.retrieval.ipld.cbor;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.IpldException.Reason;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.ipld.model.Utf8;

/**
 * A pull reader of CBOR items over a byte array slice, for hand-written struct decoders and for
 * {@link DagCbor#decode}. It is lenient where real peers are: integers and lengths need not be in
 * shortest form, map keys may come in any order, text strings may hold bytes that are not UTF-8.
 * It rejects what dag-cbor forbids and no peer needs: indefinite lengths, tags other than 42
 * (and 2/3 bignums), undefined and other simple values, NaN and infinities.
 *
 * <p>Every failure is an {@link IpldException} with reason {@code BAD_BLOCK}, {@code TRUNCATED}
 * or {@code TOO_LARGE}; no input makes it throw anything else. A length is never trusted beyond
 * the bytes that remain (each item takes at least one byte), so memory stays proportional to
 * the input whatever the input claims.
 */
public final class CborReader {
    /** Major types. */
    public static final int MAJOR_UINT = 0, MAJOR_NEGINT = 1, MAJOR_BYTES = 2, MAJOR_TEXT = 3,
            MAJOR_ARRAY = 4, MAJOR_MAP = 5, MAJOR_TAG = 6, MAJOR_SIMPLE = 7;

    private final byte[] buf;
    private final int end;
    private final DagCbor.Limits limits;
    private int pos;

    /** A reader over the whole array with default limits. */
    public CborReader(byte[] buf) {
        this(buf, 0, buf.length, DagCbor.Limits.DEFAULT);
    }

    /** A reader over {@code buf[off, off+len)} with default limits. */
    public CborReader(byte[] buf, int off, int len) {
        this(buf, off, len, DagCbor.Limits.DEFAULT);
    }

    /** A reader over {@code buf[off, off+len)} with the given limits. */
    public CborReader(byte[] buf, int off, int len, DagCbor.Limits limits) {
        if (off < 0 || len < 0 || off > buf.length - len) {
            throw new IndexOutOfBoundsException("slice [" + off + ", +" + len + ") of " + buf.length);
        }
        this.buf = buf;
        this.pos = off;
        this.end = off + len;
        this.limits = limits;
    }

    /** The offset of the next item in the underlying array. */
    public int position() {
        return pos;
    }

    /** Bytes left in the slice. */
    public int remaining() {
        return end - pos;
    }

    /** Whether any bytes are left. */
    public boolean hasRemaining() {
        return pos < end;
    }

    /** Throws {@code BAD_BLOCK} unless every byte of the slice was consumed. */
    public void expectEnd() {
        if (pos != end) {
            throw bad("trailing bytes after the CBOR item at offset " + pos);
        }
    }

    /** The major type (0–7) of the next item, without consuming it. */
    public int peekMajorType() {
        need(1);
        return (buf[pos] & 0xFF) >>> 5;
    }

    /** Whether the next item is null (without consuming it). */
    public boolean isNull() {
        need(1);
        return (buf[pos] & 0xFF) == 0xF6;
    }

    /** Consumes a null. */
    public void readNull() {
        need(1);
        if ((buf[pos] & 0xFF) != 0xF6) {
            throw bad("expected null at offset " + pos);
        }
        pos++;
    }

    /** Reads a boolean. */
    public boolean readBool() {
        need(1);
        int b = buf[pos] & 0xFF;
        if (b == 0xF4 || b == 0xF5) {
            pos++;
            return b == 0xF5;
        }
        throw bad("expected a boolean at offset " + pos);
    }

    /** Reads an array header; returns the item count (bounded by the remaining bytes and the limits). */
    public int readArrayHeader() {
        int at = pos;
        long n = header(MAJOR_ARRAY, "an array");
        return count(n, 1, at);
    }

    /** Reads a map header; returns the entry count (bounded by the remaining bytes and the limits). */
    public int readMapHeader() {
        int at = pos;
        long n = header(MAJOR_MAP, "a map");
        return count(n, 2, at);
    }

    /** Reads an unsigned integer (major type 0); the result is unsigned 64-bit (see {@link Long#toUnsignedString}). */
    public long readUint() {
        return header(MAJOR_UINT, "an unsigned integer");
    }

    /** Reads an integer (major type 0 or 1) that fits a long; {@code TOO_LARGE} otherwise. */
    public long readInt() {
        need(1);
        int at = pos;
        int major = (buf[pos] & 0xFF) >>> 5;
        if (major == MAJOR_UINT) {
            long v = header(MAJOR_UINT, "an integer");
            if (v < 0) {
                throw new IpldException(Reason.TOO_LARGE, "integer at offset " + at + " does not fit a long");
            }
            return v;
        }
        if (major == MAJOR_NEGINT) {
            long v = header(MAJOR_NEGINT, "an integer");
            if (v < 0) {
                throw new IpldException(Reason.TOO_LARGE, "integer at offset " + at + " does not fit a long");
            }
            return -1 - v;
        }
        throw bad("expected an integer at offset " + at + ", got major type " + major);
    }

    /** Reads an integer of any size: major type 0/1, or a bignum (tag 2/3 over a byte string). */
    public BigInteger readBigInt() {
        need(1);
        int at = pos;
        int major = (buf[pos] & 0xFF) >>> 5;
        if (major == MAJOR_UINT) {
            return unsignedBig(header(MAJOR_UINT, "an integer"));
        }
        if (major == MAJOR_NEGINT) {
            return unsignedBig(header(MAJOR_NEGINT, "an integer")).add(BigInteger.ONE).negate();
        }
        if (major == MAJOR_TAG) {
            long tag = header(MAJOR_TAG, "a tag");
            if (tag == CborWriter.TAG_POS_BIGNUM || tag == CborWriter.TAG_NEG_BIGNUM) {
                BigInteger m = new BigInteger(1, readBytes());
                return tag == CborWriter.TAG_POS_BIGNUM ? m : m.add(BigInteger.ONE).negate();
            }
            throw bad("expected an integer at offset " + at + ", got tag " + Long.toUnsignedString(tag));
        }
        throw bad("expected an integer at offset " + at + ", got major type " + major);
    }

    /** Reads a Filecoin BigInt: a byte string, empty for zero, else a sign byte (0/1) and big-endian magnitude. */
    public BigInteger readFilBigInt() {
        int at = pos;
        byte[] b = readBytes();
        if (b.length == 0) {
            return BigInteger.ZERO;
        }
        if (b.length > CborWriter.FIL_BIGINT_MAX_BYTES) {
            throw new IpldException(Reason.TOO_LARGE, "Filecoin BigInt at offset " + at + " is " + b.length + " bytes, max " + CborWriter.FIL_BIGINT_MAX_BYTES);
        }
        if (b[0] != 0 && b[0] != 1) {
            throw bad("Filecoin BigInt at offset " + at + " has sign byte " + (b[0] & 0xFF));
        }
        BigInteger m = new BigInteger(1, b, 1, b.length - 1);
        return b[0] == 1 ? m.negate() : m;
    }

    /** Reads a byte string. */
    public byte[] readBytes() {
        int n = length(header(MAJOR_BYTES, "a byte string"));
        byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return b;
    }

    /** Reads a text string, decoding it leniently (bytes that are not UTF-8 become U+FFFD). */
    public String readText() {
        int n = length(header(MAJOR_TEXT, "a text string"));
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    /** Reads a text string's exact bytes (which need not be UTF-8). */
    public byte[] readTextBytes() {
        int n = length(header(MAJOR_TEXT, "a text string"));
        byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return b;
    }

    /** Reads a link: tag 42 over a byte string of 0x00 and a binary CID. */
    public Cid readCid() {
        int at = pos;
        long tag = header(MAJOR_TAG, "a CID (tag 42)");
        if (tag != CborWriter.TAG_CID) {
            throw bad("expected tag 42 at offset " + at + ", got tag " + Long.toUnsignedString(tag));
        }
        return cidBody(at);
    }

    /** Reads a 64-bit (or, leniently, 16/32-bit) float; NaN and infinities are refused. */
    public double readFloat() {
        need(1);
        int at = pos;
        int ib = buf[pos] & 0xFF;
        double d;
        if (ib == 0xF9) {
            need(3);
            d = halfToDouble(((buf[pos + 1] & 0xFF) << 8) | (buf[pos + 2] & 0xFF));
            pos += 3;
        } else if (ib == 0xFA) {
            need(5);
            d = java.lang.Float.intBitsToFloat((int) be(pos + 1, 4));
            pos += 5;
        } else if (ib == 0xFB) {
            need(9);
            d = Double.longBitsToDouble(be(pos + 1, 8));
            pos += 9;
        } else {
            throw bad("expected a float at offset " + at);
        }
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw bad("NaN or Infinity at offset " + at + " (not allowed in dag-cbor)");
        }
        return d;
    }

    /** Skips one complete item (any well-formed definite-length CBOR, tags included). */
    public void skip() {
        long pending = 1;
        while (pending > 0) {
            need(1);
            int at = pos;
            int major = (buf[pos] & 0xFF) >>> 5;
            long arg = argument();
            pending--;
            switch (major) {
                case MAJOR_BYTES, MAJOR_TEXT -> pos += length(arg);
                case MAJOR_ARRAY -> pending += count(arg, 1, at);
                case MAJOR_MAP -> pending += 2L * count(arg, 2, at);
                case MAJOR_TAG -> pending++;
                default -> { }  // ints and simple values: the argument was all of it
            }
            if (pending > end - pos) {
                throw new IpldException(Reason.TRUNCATED, "input ends before the " + pending + " pending CBOR items at offset " + pos);
            }
        }
    }

    /** Skips one item and returns its encoded bytes. */
    public byte[] readRaw() {
        int start = pos;
        skip();
        return Arrays.copyOfRange(buf, start, pos);
    }

    /** Reads one item as a data-model value (dag-cbor rules; see the class comment). */
    public Node readNode() {
        return node(0);
    }

    // ---- data model ----

    private Node node(int depth) {
        if (depth > limits.maxDepth()) {
            throw new IpldException(Reason.TOO_LARGE, "nesting deeper than " + limits.maxDepth() + " at offset " + pos);
        }
        need(1);
        int at = pos;
        int ib = buf[pos] & 0xFF;
        int major = ib >>> 5;
        switch (major) {
            case MAJOR_UINT:
                return Node.unsigned(argument());
            case MAJOR_NEGINT: {
                long v = argument();
                return v >= 0 ? Node.integer(-1 - v) : Node.integer(unsignedBig(v).add(BigInteger.ONE).negate());
            }
            case MAJOR_BYTES:
                return Node.bytes(readBytes());
            case MAJOR_TEXT:
                return Node.stringBytes(readTextBytes());
            case MAJOR_ARRAY: {
                int n = readArrayHeader();
                List<Node> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(node(depth + 1));
                }
                return Node.list(list);
            }
            case MAJOR_MAP: {
                int n = readMapHeader();
                LinkedHashMap<String, Node> map = new LinkedHashMap<>(Math.max(4, n * 4 / 3 + 1));
                for (int i = 0; i < n; i++) {
                    int keyAt = pos;
                    need(1);
                    if ((buf[pos] & 0xFF) >>> 5 != MAJOR_TEXT) {
                        throw bad("map key at offset " + keyAt + " is not a text string (dag-cbor keys are strings)");
                    }
                    int kn = length(argument());
                    if (!Utf8.isValid(buf, pos, kn)) {
                        throw bad("map key at offset " + keyAt + " is not valid UTF-8");
                    }
                    String key = new String(buf, pos, kn, StandardCharsets.UTF_8);
                    pos += kn;
                    Node value = node(depth + 1);
                    if (map.putIfAbsent(key, value) != null) {
                        throw bad("duplicate map key \"" + key + "\" at offset " + keyAt);
                    }
                }
                return Node.map(map);
            }
            case MAJOR_TAG: {
                long tag = argument();
                if (tag == CborWriter.TAG_CID) {
                    return Node.link(cidBody(at));
                }
                if (tag == CborWriter.TAG_POS_BIGNUM || tag == CborWriter.TAG_NEG_BIGNUM) {
                    BigInteger m = new BigInteger(1, readBytes());
                    return Node.integer(tag == CborWriter.TAG_POS_BIGNUM ? m : m.add(BigInteger.ONE).negate());
                }
                throw bad("CBOR tag " + Long.toUnsignedString(tag) + " at offset " + at + " is not allowed in dag-cbor (only 42)");
            }
            default:
                if (ib == 0xF4 || ib == 0xF5) {
                    pos++;
                    return Node.bool(ib == 0xF5);
                }
                if (ib == 0xF6) {
                    pos++;
                    return Node.NULL;
                }
                if (ib >= 0xF9 && ib <= 0xFB) {
                    return Node.floating(readFloat());
                }
                if (ib == 0xFF) {
                    throw bad("unexpected break (0xff) at offset " + at);
                }
                throw bad("CBOR simple value 0x" + Integer.toHexString(ib) + " at offset " + at + " is not allowed in dag-cbor");
        }
    }

    // ---- primitives ----

    private Cid cidBody(int at) {
        int n = length(header(MAJOR_BYTES, "the byte string of a CID"));
        if (n < 2 || buf[pos] != 0) {
            throw bad("CID at offset " + at + " must be a byte string starting with 0x00");
        }
        Cid cid;
        try {
            cid = Cid.decode(buf, pos + 1, pos + n);
        } catch (IpldException e) {
            throw new IpldException(Reason.BAD_BLOCK, "bad CID at offset " + at + ": " + e.getMessage(), e);
        }
        if (cid.byteLength() != n - 1) {
            throw bad("CID at offset " + at + " has trailing bytes");
        }
        pos += n;
        return cid;
    }

    /** Reads a header of the expected major type and returns its argument (unsigned). */
    private long header(int major, String what) {
        need(1);
        int got = (buf[pos] & 0xFF) >>> 5;
        if (got != major) {
            throw bad("expected " + what + " at offset " + pos + ", got major type " + got);
        }
        return argument();
    }

    /** Consumes the initial byte and its argument; returns the argument as unsigned 64-bit. */
    private long argument() {
        need(1);
        int at = pos;
        int info = buf[pos] & 0x1F;
        int major = (buf[pos] & 0xFF) >>> 5;
        if (info < 24) {
            pos++;
            return info;
        }
        if (info == 31) {
            throw bad("indefinite length at offset " + at + " (not allowed in dag-cbor)");
        }
        if (info > 27) {
            throw bad("reserved additional info " + info + " at offset " + at);
        }
        if (major == MAJOR_SIMPLE && info == 24) {
            throw bad("CBOR simple value at offset " + at + " is not allowed in dag-cbor");
        }
        int n = 1 << (info - 24);
        need(1 + n);
        long v = be(pos + 1, n);
        pos += 1 + n;
        return v;
    }

    private long be(int p, int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = (v << 8) | (buf[p + i] & 0xFF);
        }
        return v;
    }

    /** A byte/text string length: must fit in what remains. */
    private int length(long n) {
        if (n < 0 || n > end - pos) {
            throw new IpldException(Reason.TRUNCATED, "string of " + Long.toUnsignedString(n) + " bytes at offset " + pos
                    + " runs past the end (" + (end - pos) + " left)");
        }
        return (int) n;
    }

    /** A collection count: each item takes at least one byte, so it cannot exceed what remains. */
    private int count(long n, int itemsPerEntry, int at) {
        if (n < 0 || n > limits.maxCollectionLength()) {
            throw new IpldException(Reason.TOO_LARGE, "collection of " + Long.toUnsignedString(n) + " at offset " + at
                    + " exceeds the limit of " + limits.maxCollectionLength());
        }
        if (n * itemsPerEntry > end - pos) {
            throw new IpldException(Reason.TRUNCATED, "collection of " + n + " at offset " + at + " cannot fit in the "
                    + (end - pos) + " bytes left");
        }
        return (int) n;
    }

    private void need(int n) {
        if (end - pos < n) {
            throw new IpldException(Reason.TRUNCATED, "CBOR input ends at offset " + end + " inside an item starting at " + pos);
        }
    }

    private static BigInteger unsignedBig(long bits) {
        BigInteger b = BigInteger.valueOf(bits & Long.MAX_VALUE);
        return bits < 0 ? b.setBit(63) : b;
    }

    private static double halfToDouble(int h) {
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        double v;
        if (exp == 0) {
            v = mant * 0x1p-24;
        } else if (exp == 31) {
            v = mant == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else {
            v = (mant + 1024) * Math.pow(2, exp - 25);
        }
        return (h & 0x8000) != 0 ? -v : v;
    }

    private static IpldException bad(String msg) {
        return new IpldException(Reason.BAD_BLOCK, msg);
    }
}
