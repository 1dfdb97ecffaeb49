package venus.retrieval.blockstore.commp;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 truncated to 254 bits over a pair of 32-byte nodes. One instance per thread: it holds a
 * JDK digest, whose SHA-256 compression is an intrinsic (SHA-NI/AVX2) on x86.
 */
final class NodeHasher {
    private final MessageDigest md;

    NodeHasher() {
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Hashes the 64 bytes at {@code src[srcOff]} into 32 bytes at {@code dst[dstOff]} (may overlap the source start). */
    void hash(byte[] src, int srcOff, byte[] dst, int dstOff) {
        md.update(src, srcOff, 64);
        try {
            md.digest(dst, dstOff, 32);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
        dst[dstOff + 31] &= 0x3F;
    }

    /** Hashes {@code left || right} into a new node. */
    byte[] hash(byte[] left, byte[] right) {
        byte[] pair = new byte[64];
        System.arraycopy(left, 0, pair, 0, 32);
        System.arraycopy(right, 0, pair, 32, 32);
        hash(pair, 0, pair, 0);
        byte[] out = new byte[32];
        System.arraycopy(pair, 0, out, 0, 32);
        return out;
    }

    /**
     * Reduces {@code count} consecutive nodes at {@code buf[0]} (count a power of two) to their
     * root, in place: each level overwrites the front of the buffer, which has already been read.
     */
    void reduce(byte[] buf, int count) {
        for (int n = count; n > 1; n >>>= 1) {
            for (int i = 0, half = n >>> 1; i < half; i++) {
                hash(buf, i << 6, buf, i << 5);
            }
        }
    }
}
