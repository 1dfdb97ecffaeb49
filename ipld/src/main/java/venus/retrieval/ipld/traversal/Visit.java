package venus.retrieval.ipld.traversal;

import venus.retrieval.ipld.Cid;

/**
 * One block reached by a traversal: its CID, its bytes, its depth and the path that led to it.
 */
public final class Visit {
    private final Cid cid;
    private final byte[] data;
    private final int depth;
    private final LinkPath path;

    Visit(Cid cid, byte[] data, int depth, LinkPath path) {
        this.cid = cid;
        this.data = data;
        this.depth = depth;
        this.path = path;
    }

    /** The block's CID. */
    public Cid cid() {
        return cid;
    }

    /**
     * The block's bytes (not copied), or {@code null} when the block is missing and the traversal
     * was told to {@link DagTraversal.MissingBlocks#SKIP skip} missing blocks.
     */
    public byte[] data() {
        return data;
    }

    /** Link hops from the root that led here (a root is at depth 0). */
    public int depth() {
        return depth;
    }

    /**
     * The data-model path from the root to this link, segments joined by {@code /} (e.g.
     * {@code Links/1/Hash} for a dag-pb child, {@code links/0} for a dag-cbor map entry; empty for
     * a root). Built on demand: its length grows with the depth.
     */
    public String path() {
        return LinkPath.toString(path);
    }

    /** Whether the block was absent from the block getter (it has no data and was not descended into). */
    public boolean missing() {
        return data == null;
    }

    @Override
    public String toString() {
        return "Visit[" + cid + " depth " + depth + (missing() ? " missing" : ", " + data.length + " bytes") + "]";
    }
}
