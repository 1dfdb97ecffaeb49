package venus.retrieval.ipld.unixfs;

import java.nio.charset.StandardCharsets;
import venus.retrieval.ipld.IpldException;

/**
 * HAMT facts shared by the reader and the builder: bucket index per level from the murmur3 hash
 * and the hex labels of shard links.
 */
final class Hamt {
    /** UnixFS hashType of murmur3-x64-64 (the first lane of murmur3 x64 128). */
    static final long MURMUR3_X64_64 = 0x22;
    /** Largest fanout accepted (CVE-2023-23625: bigger fanouts make huge bitfields cheap to send). */
    static final long MAX_FANOUT = 1024;

    private Hamt() {}

    /** log2(fanout) after validating that fanout is a power of two, a multiple of 8, at most 1024. */
    static int bits(Long fanout) {
        if (fanout == null || fanout < 8 || fanout > MAX_FANOUT || Long.bitCount(fanout) != 1) {
            throw new IpldException(IpldException.Reason.BAD_UNIXFS,
                    "HAMT fanout must be a power of two in [8, " + MAX_FANOUT + "], got " + fanout);
        }
        return Long.numberOfTrailingZeros(fanout);
    }

    /** Hex characters in a link label: those of {@code fanout - 1} (2 for fanout 256). */
    static int labelLength(long fanout) {
        return Long.toHexString(fanout - 1).length();
    }

    /** The 64-bit hash of a name: murmur3 x64 128, first lane, read big-endian. */
    static long hash(String name) {
        return Murmur3.h1(name.getBytes(StandardCharsets.UTF_8));
    }

    /** Bucket index at {@code depth}: the next {@code bits} bits of the hash, most significant first. */
    static int index(long hash, int depth, int bits) {
        int consumed = depth * bits;
        if (consumed + bits > 64) {
            throw new IpldException(IpldException.Reason.BAD_UNIXFS, "HAMT is deeper than its 64-bit hash allows");
        }
        return (int) ((hash >>> (64 - consumed - bits)) & ((1L << bits) - 1));
    }

    /** Uppercase, zero-padded hex label of a bucket index. */
    static String label(int index, int labelLength) {
        String h = Integer.toHexString(index).toUpperCase(java.util.Locale.ROOT);
        return "0".repeat(Math.max(0, labelLength - h.length())) + h;
    }

    /** Parses a link label's hex prefix, or -1 when it is not hex. */
    static int parseLabel(String name, int labelLength) {
        int v = 0;
        for (int i = 0; i < labelLength; i++) {
            int d = Character.digit(name.charAt(i), 16);
            if (d < 0) {
                return -1;
            }
            v = v * 16 + d;
        }
        return v;
    }
}
