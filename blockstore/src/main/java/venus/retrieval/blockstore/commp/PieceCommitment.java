package venus.retrieval.blockstore.commp;

import java.util.Arrays;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multibase;

/**
 * The result of hashing a payload as a Filecoin piece: the 32-byte root ({@code commP}), the
 * payload size and the padded piece size.
 *
 * @param commP       the root of the Fr32-padded binary Merkle tree (top two bits of byte 31 clear)
 * @param payloadSize the number of payload bytes hashed
 * @param paddedSize  the padded piece size (a power of two, at least 128)
 */
public record PieceCommitment(byte[] commP, long payloadSize, long paddedSize) {
    public PieceCommitment {
        if (commP.length != 32) {
            throw new IllegalArgumentException("commP must be 32 bytes");
        }
        Fr32.checkPaddedSize(paddedSize);
        commP = commP.clone();
    }

    /** A copy of the root. */
    @Override
    public byte[] commP() {
        return commP.clone();
    }

    /** Tree height: log2(padded size / 32). */
    public int height() {
        return Long.numberOfTrailingZeros(paddedSize) - 5;
    }

    /** Zero bytes added after the payload to fill the piece's unpadded capacity (FRC-0069). */
    public long padding() {
        return Fr32.unpaddedSize(paddedSize) - payloadSize;
    }

    /** Piece CID v1: {@code baga6ea4sea…}. */
    public Cid cidV1() {
        return PieceCids.v1(commP);
    }

    /** Piece CID v2 (FRC-0069): {@code bafkzcib…}. */
    public Cid cidV2() {
        return PieceCids.v2(commP, height(), padding());
    }

    /** The root as lower-case hex. */
    public String commPHex() {
        return Multibase.hex(commP);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PieceCommitment p && Arrays.equals(commP, p.commP)
                && payloadSize == p.payloadSize && paddedSize == p.paddedSize;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(commP) * 31 + Long.hashCode(paddedSize);
    }

    @Override
    public String toString() {
        return cidV1() + " (padded " + paddedSize + ", payload " + payloadSize + ")";
    }
}
