package venus.retrieval.ipld;

import java.util.Arrays;

/**
 * A content identifier, v0 or v1. Immutable and compact: it keeps only its binary form and
 * parses the parts on demand. Equality is byte equality of the binary form.
 */
public final class Cid implements Comparable<Cid> {
    /** The longest CID string {@link #parse} accepts. */
    public static final int MAX_STRING_LENGTH = 2048;

    private final byte[] bytes;     // binary form: v0 = bare multihash; v1 = 0x01, codec, multihash
    private final int version;
    private final long codec;
    private final int mhOffset;
    private int hash;

    private Cid(byte[] bytes, int version, long codec, int mhOffset) {
        this.bytes = bytes;
        this.version = version;
        this.codec = codec;
        this.mhOffset = mhOffset;
    }

    /** A CIDv1 of {@code codec} over {@code multihash}. */
    public static Cid v1(long codec, Multihash multihash) {
        byte[] b = new byte[1 + Varint.size(codec) + multihash.size()];
        b[0] = 1;
        int n = 1 + Varint.write(codec, b, 1);
        multihash.writeTo(b, n);
        return new Cid(b, 1, codec, n);
    }

    /** A CIDv0: dag-pb over a sha2-256 multihash. */
    public static Cid v0(Multihash multihash) {
        if (multihash.code() != Multicodec.SHA2_256 || multihash.digestLength() != 32) {
            throw new IpldException(IpldException.Reason.BAD_CID, "CIDv0 requires a 32-byte sha2-256 multihash");
        }
        return new Cid(multihash.bytes(), 0, Multicodec.DAG_PB, 0);
    }

    /** Hashes {@code data} with sha2-256 and returns its CIDv1 under {@code codec}. */
    public static Cid of(long codec, byte[] data) {
        return v1(codec, Multihash.compute(Multicodec.SHA2_256, data));
    }

    /** Parses the binary form; the whole array must be one CID. */
    public static Cid decode(byte[] bytes) {
        Cid c = decode(bytes, 0, bytes.length);
        if (c.bytes.length != bytes.length) {
            throw new IpldException(IpldException.Reason.BAD_CID, "trailing bytes after CID");
        }
        return c;
    }

    /** Parses a binary CID at {@code offset}; its length is {@code result.byteLength()}. */
    public static Cid decode(byte[] in, int offset, int limit) {
        try {
            if (limit - offset >= 34 && in[offset] == 0x12 && in[offset + 1] == 0x20) {
                Multihash mh = Multihash.decode(in, offset, limit);
                return new Cid(mh.bytes(), 0, Multicodec.DAG_PB, 0);
            }
            long version = Varint.decode(in, offset, limit);
            if (version != 1) {
                throw new IpldException(IpldException.Reason.BAD_CID, "unsupported CID version " + version);
            }
            int p = offset + 1;
            long codec = Varint.decode(in, p, limit);
            p += Varint.size(codec);
            Multihash mh = Multihash.decode(in, p, limit);
            int end = p + mh.size();
            return new Cid(Arrays.copyOfRange(in, offset, end), 1, codec, p - offset);
        } catch (IpldException e) {
            if (e.reason() == IpldException.Reason.BAD_CID) {
                throw e;
            }
            throw new IpldException(IpldException.Reason.BAD_CID, "invalid CID: " + e.getMessage(), e);
        }
    }

    /** Parses the string form: a base58btc CIDv0 ({@code Qm…}) or a multibase CIDv1. */
    public static Cid parse(String s) {
        if (s == null || s.isEmpty()) {
            throw new IpldException(IpldException.Reason.BAD_CID, "empty CID");
        }
        // base58/base36 decoding is quadratic in the length; no real CID comes near this bound
        // (a sha2-512 CID in base16 is ~140 characters, an inline identity CID a few hundred).
        if (s.length() > MAX_STRING_LENGTH) {
            throw new IpldException(IpldException.Reason.BAD_CID,
                    "CID string is " + s.length() + " characters long; the limit is " + MAX_STRING_LENGTH);
        }
        try {
            if (s.length() == 46 && s.startsWith("Qm")) {
                Cid c = decode(Multibase.decodeRaw(Multibase.Base.BASE58_BTC, s));
                if (c.version != 0) {
                    throw new IpldException(IpldException.Reason.BAD_CID, "not a CIDv0");
                }
                return c;
            }
            byte[] raw = Multibase.decode(s);
            Cid c = decode(raw);
            if (c.version == 0) {
                throw new IpldException(IpldException.Reason.BAD_CID, "a CIDv0 must be written in bare base58btc");
            }
            return c;
        } catch (IpldException e) {
            if (e.reason() == IpldException.Reason.BAD_CID) {
                throw new IpldException(IpldException.Reason.BAD_CID, "invalid CID \"" + abbreviate(s) + "\": " + e.getMessage(), e);
            }
            throw new IpldException(IpldException.Reason.BAD_CID, "invalid CID \"" + abbreviate(s) + "\": " + e.getMessage(), e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    /** 0 or 1. */
    public int version() {
        return version;
    }

    /** The content codec (dag-pb for v0). */
    public long codec() {
        return codec;
    }

    /** The multihash. */
    public Multihash multihash() {
        return Multihash.decode(bytes, mhOffset, bytes.length);
    }

    /** The multihash's binary form (the blockstore key), copied. */
    public byte[] multihashBytes() {
        return Arrays.copyOfRange(bytes, mhOffset, bytes.length);
    }

    /** Whether the multihash is the identity function (the block's bytes are inline). */
    public boolean isIdentity() {
        return bytes[mhOffset] == 0x00;
    }

    /** For identity CIDs, the inline block bytes. */
    public byte[] identityData() {
        if (!isIdentity()) {
            throw new IllegalStateException("not an identity CID");
        }
        return multihash().digest();
    }

    /** A copy of the binary form. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Length of the binary form. */
    public int byteLength() {
        return bytes.length;
    }

    /** Writes the binary form at {@code off}; returns bytes written. */
    public int writeTo(byte[] out, int off) {
        System.arraycopy(bytes, 0, out, off, bytes.length);
        return bytes.length;
    }

    /** The same content as a CIDv1 (identity for a v1). */
    public Cid toV1() {
        return version == 1 ? this : v1(Multicodec.DAG_PB, multihash());
    }

    /** The string in the given base (CIDv0 only has base58btc). */
    public String toString(Multibase.Base base) {
        if (version == 0) {
            if (base != Multibase.Base.BASE58_BTC) {
                return toV1().toString(base);
            }
            return Multibase.encodeRaw(Multibase.Base.BASE58_BTC, bytes);
        }
        return Multibase.encode(base, bytes);
    }

    /** Canonical string: base58btc for v0, base32 lower for v1. */
    @Override
    public String toString() {
        return version == 0 ? Multibase.encodeRaw(Multibase.Base.BASE58_BTC, bytes) : Multibase.encode(Multibase.Base.BASE32, bytes);
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof Cid && Arrays.equals(bytes, ((Cid) o).bytes));
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = Arrays.hashCode(bytes);
            hash = h;
        }
        return h;
    }

    @Override
    public int compareTo(Cid o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }
}
