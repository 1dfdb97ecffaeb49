package venus.retrieval.ipld;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.bouncycastle.crypto.digests.Blake2bDigest;

/**
 * A self-describing hash: function code, digest length, digest. Immutable; {@link #bytes()} is
 * the binary form, which is also the key of the blockstore.
 */
public final class Multihash {
    private final long code;
    private final byte[] digest;
    private final byte[] bytes;
    private int hash;

    private Multihash(long code, byte[] digest, byte[] bytes) {
        this.code = code;
        this.digest = digest;
        this.bytes = bytes;
    }

    /** Wraps an existing digest. */
    public static Multihash of(long code, byte[] digest) {
        byte[] b = new byte[Varint.size(code) + Varint.size(digest.length) + digest.length];
        int n = Varint.write(code, b, 0);
        n += Varint.write(digest.length, b, n);
        System.arraycopy(digest, 0, b, n, digest.length);
        return new Multihash(code, digest.clone(), b);
    }

    /** Parses the binary form; the whole array must be one multihash. */
    public static Multihash decode(byte[] bytes) {
        Multihash mh = decode(bytes, 0, bytes.length);
        if (mh.bytes.length != bytes.length) {
            throw new IpldException(IpldException.Reason.BAD_MULTIHASH, "trailing bytes after multihash");
        }
        return mh;
    }

    /** Parses a multihash at {@code offset}; its length is {@code result.bytes().length}. */
    public static Multihash decode(byte[] in, int offset, int limit) {
        try {
            long code = Varint.decode(in, offset, limit);
            int p = offset + Varint.size(code);
            long len = Varint.decode(in, p, limit);
            p += Varint.size(len);
            if (len > limit - p) {
                throw new IpldException(IpldException.Reason.BAD_MULTIHASH, "multihash digest length " + len + " exceeds input");
            }
            int expected = expectedLength(code);
            if (expected >= 0 && len != expected) {
                throw new IpldException(IpldException.Reason.BAD_MULTIHASH,
                        Multicodec.name(code) + " digest must be " + expected + " bytes, got " + len);
            }
            byte[] digest = Arrays.copyOfRange(in, p, p + (int) len);
            return new Multihash(code, digest, Arrays.copyOfRange(in, offset, p + (int) len));
        } catch (IpldException e) {
            if (e.reason() == IpldException.Reason.BAD_MULTIHASH) {
                throw e;
            }
            throw new IpldException(IpldException.Reason.BAD_MULTIHASH, "bad multihash: " + e.getMessage(), e);
        }
    }

    /** Hashes {@code data} with the function {@code code}. */
    public static Multihash compute(long code, byte[] data) {
        return compute(code, data, 0, data.length);
    }

    /** Hashes a slice of {@code data} with the function {@code code}. */
    public static Multihash compute(long code, byte[] data, int off, int len) {
        return of(code, digest(code, data, off, len));
    }

    /** Whether this implementation can compute the function {@code code}. */
    public static boolean isSupported(long code) {
        return code == Multicodec.IDENTITY || code == Multicodec.SHA2_256 || code == Multicodec.SHA2_512
                || code == Multicodec.BLAKE2B_256 || code == Multicodec.SHA2_256_TRUNC254_PADDED;
    }

    /** True when {@code data} hashes to this multihash. */
    public boolean matches(byte[] data) {
        return matches(data, 0, data.length);
    }

    /** True when the slice hashes to this multihash. */
    public boolean matches(byte[] data, int off, int len) {
        if (code == Multicodec.IDENTITY) {
            return Arrays.equals(digest, 0, digest.length, data, off, off + len);
        }
        return MessageDigest.isEqual(digest, digest(code, data, off, len));
    }

    /** Throws {@link IpldException.Reason#HASH_MISMATCH} unless {@code data} hashes to this. */
    public void verify(byte[] data) {
        if (!matches(data)) {
            throw new IpldException(IpldException.Reason.HASH_MISMATCH, "bytes do not hash to " + this);
        }
    }

    private static byte[] digest(long code, byte[] data, int off, int len) {
        if (code == Multicodec.IDENTITY) {
            return Arrays.copyOfRange(data, off, off + len);
        }
        if (code == Multicodec.BLAKE2B_256) {
            Blake2bDigest d = new Blake2bDigest(256);
            d.update(data, off, len);
            byte[] out = new byte[32];
            d.doFinal(out, 0);
            return out;
        }
        MessageDigest md = messageDigest(code);
        md.update(data, off, len);
        byte[] out = md.digest();
        if (code == Multicodec.SHA2_256_TRUNC254_PADDED) {
            out[31] &= 0x3F;
        }
        return out;
    }

    /**
     * A fresh JDK digest for a SHA-2 based function (callers on hot paths keep one per thread).
     * The trunc254 variant still needs its top two bits cleared by the caller.
     */
    public static MessageDigest messageDigest(long code) {
        String alg;
        if (code == Multicodec.SHA2_256 || code == Multicodec.SHA2_256_TRUNC254_PADDED) {
            alg = "SHA-256";
        } else if (code == Multicodec.SHA2_512) {
            alg = "SHA-512";
        } else {
            throw new IpldException(IpldException.Reason.UNSUPPORTED, "unsupported hash function " + Multicodec.name(code));
        }
        try {
            return MessageDigest.getInstance(alg);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int expectedLength(long code) {
        if (code == Multicodec.SHA2_256 || code == Multicodec.BLAKE2B_256 || code == Multicodec.SHA2_256_TRUNC254_PADDED) {
            return 32;
        }
        if (code == Multicodec.SHA2_512) {
            return 64;
        }
        return -1;
    }

    /** The hash function's multicodec code. */
    public long code() {
        return code;
    }

    /** A copy of the digest. */
    public byte[] digest() {
        return digest.clone();
    }

    /** Digest length in bytes. */
    public int digestLength() {
        return digest.length;
    }

    /** A copy of the binary form (code varint, length varint, digest). */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The binary form without copying; callers must not modify it. */
    byte[] bytesUnsafe() {
        return bytes;
    }

    /** Writes the binary form into {@code out} at {@code off}; returns bytes written. */
    public int writeTo(byte[] out, int off) {
        System.arraycopy(bytes, 0, out, off, bytes.length);
        return bytes.length;
    }

    /** Length of the binary form. */
    public int size() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof Multihash && Arrays.equals(bytes, ((Multihash) o).bytes));
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

    /** Base58btc of the binary form (how Kubo prints multihashes). */
    @Override
    public String toString() {
        return Multibase.encodeRaw(Multibase.Base.BASE58_BTC, bytes);
    }
}
