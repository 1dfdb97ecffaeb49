package venus.retrieval.blockstore.commp;

import java.util.Arrays;
import venus.retrieval.blockstore.BlockstoreException;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.Multihash;
import venus.retrieval.ipld.Varint;

/**
 * Piece CIDs in both forms. v1: CIDv1(fil-commitment-unsealed, sha2-256-trunc254-padded(commP)).
 * v2 (FRC-0069): CIDv1(raw, fr32-sha256-trunc254-padbintree(varint(padding) || height || commP)),
 * which also carries the tree height and the zero padding after the payload.
 */
public final class PieceCids {
    private PieceCids() {}

    /**
     * A parsed piece CID, normalised to v1.
     *
     * @param v1          the v1 form (the key the piece directory uses)
     * @param commP       the 32-byte root
     * @param paddedSize  the padded size when the input was v2, else 0 (v1 does not carry it)
     * @param payloadSize the payload size when the input was v2, else -1
     */
    public record Parsed(Cid v1, byte[] commP, long paddedSize, long payloadSize) {
        /** Whether the input carried the size (it was a v2 CID). */
        public boolean hasSize() {
            return paddedSize > 0;
        }
    }

    /** Piece CID v1 for a root. */
    public static Cid v1(byte[] commP) {
        checkRoot(commP);
        return Cid.v1(Multicodec.FIL_COMMITMENT_UNSEALED, Multihash.of(Multicodec.SHA2_256_TRUNC254_PADDED, commP));
    }

    /** Piece CID v2 for a root, tree height (log2 of padded size / 32) and padding. */
    public static Cid v2(byte[] commP, int height, long padding) {
        checkRoot(commP);
        if (height < 2 || height > 55) {
            throw new BlockstoreException(BlockstoreException.Reason.INVALID_ARGUMENT, "bad piece tree height " + height);
        }
        byte[] digest = new byte[Varint.size(padding) + 1 + 32];
        int n = Varint.write(padding, digest, 0);
        digest[n++] = (byte) height;
        System.arraycopy(commP, 0, digest, n, 32);
        return Cid.v1(Multicodec.RAW, Multihash.of(Multicodec.FR32_SHA256_TRUNC254_PADBINTREE, digest));
    }

    /** Parses a piece CID string (v1 {@code baga…} or v2 {@code bafkzcib…}). */
    public static Parsed parse(String s) {
        Cid cid;
        try {
            cid = Cid.parse(s.trim());
        } catch (IpldException e) {
            throw new BlockstoreException(BlockstoreException.Reason.INVALID_ARGUMENT, "not a piece CID: " + e.getMessage(), e);
        }
        return parse(cid);
    }

    /** Checks and normalises a piece CID (v1 or v2). */
    public static Parsed parse(Cid cid) {
        Multihash mh = cid.multihash();
        if (cid.version() == 1 && cid.codec() == Multicodec.FIL_COMMITMENT_UNSEALED
                && mh.code() == Multicodec.SHA2_256_TRUNC254_PADDED && mh.digestLength() == 32) {
            byte[] root = mh.digest();
            checkRoot(root);
            return new Parsed(cid, root, 0, -1);
        }
        if (cid.version() == 1 && cid.codec() == Multicodec.RAW && mh.code() == Multicodec.FR32_SHA256_TRUNC254_PADBINTREE) {
            byte[] d = mh.digest();
            long padding;
            try {
                padding = Varint.decode(d, 0, d.length);
            } catch (IpldException e) {
                throw bad(cid, "bad padding varint");
            }
            int p = Varint.size(padding);
            if (d.length != p + 1 + 32) {
                throw bad(cid, "digest must be varint(padding) + height byte + 32-byte root");
            }
            int height = d[p] & 0xFF;
            if (height < 2 || height > 55) {
                throw bad(cid, "tree height " + height + " out of range");
            }
            long padded = 32L << height;
            long capacity = Fr32.unpaddedSize(padded);
            if (padding > capacity) {
                throw bad(cid, "padding " + padding + " exceeds the piece capacity " + capacity);
            }
            byte[] root = Arrays.copyOfRange(d, p + 1, d.length);
            checkRoot(root);
            return new Parsed(v1(root), root, padded, capacity - padding);
        }
        throw bad(cid, "expected fil-commitment-unsealed/sha2-256-trunc254-padded (v1) or raw/fr32-sha256-trunc254-padbintree (v2)");
    }

    private static BlockstoreException bad(Cid cid, String why) {
        return new BlockstoreException(BlockstoreException.Reason.INVALID_ARGUMENT, "not a piece CID " + cid + ": " + why);
    }

    private static void checkRoot(byte[] commP) {
        if (commP.length != 32) {
            throw new BlockstoreException(BlockstoreException.Reason.INVALID_ARGUMENT, "piece commitment must be 32 bytes");
        }
        if ((commP[31] & 0xC0) != 0) {
            throw new BlockstoreException(BlockstoreException.Reason.INVALID_ARGUMENT,
                    "piece commitment has its top two bits set (not a sha2-256-trunc254 digest)");
        }
    }
}
