package venus.retrieval.blockstore;

import java.util.List;
import java.util.Optional;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multihash;

/**
 * The read side of the piece directory: piece records, and for every block multihash the ready
 * pieces that hold it. An entry is only ever reported for a {@link PieceState#READY} piece, and a
 * piece only becomes ready in the same commit that makes its last entries visible, so the
 * directory never claims a block that is not there.
 */
public interface PieceDirectory {
    /** The record for a piece CID (v1 or v2): the ready one if any, else the newest unfinished one. */
    Optional<PieceInfo> piece(Cid pieceCid);

    /** The record with this internal number. */
    Optional<PieceInfo> piece(long id);

    /** Every record, ready or not, in id order. */
    List<PieceInfo> pieces();

    /** Every place a ready piece holds the block (empty when none). */
    List<BlockLocation> locations(Multihash multihash);

    /** Visits a piece's indexed blocks in file order until the visitor returns false. */
    void forEachBlock(long pieceId, BlockVisitor visitor);

    /** One indexed block of a piece. */
    @FunctionalInterface
    interface BlockVisitor {
        boolean visit(Multihash multihash, long offset, int length);
    }
}
