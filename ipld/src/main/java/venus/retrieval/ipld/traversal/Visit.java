package venus.retrieval.ipld.traversal;

import venus.retrieval.ipld.Cid;

/**
 * One block reached by a traversal.
 *
 * @param cid the block's CID
 * @param data the block's bytes, or {@code null} when the block is missing and the traversal was
 *             told to {@link DagTraversal.MissingBlocks#SKIP skip} missing blocks
 * @param depth link hops from the root that led here (a root is at depth 0)
 * @param path the data-model path from the root to this link, segments joined by {@code /}
 *             (e.g. {@code Links/1/Hash} for a dag-pb child; empty for a root)
 */
public record Visit(Cid cid, byte[] data, int depth, String path) {
    /** Whether the block was absent from the block getter (it has no data and was not descended into). */
    public boolean missing() {
        return data == null;
    }
}
