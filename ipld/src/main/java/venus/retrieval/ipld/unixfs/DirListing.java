package venus.retrieval.ipld.unixfs;

import venus.retrieval.ipld.Cid;

/**
 * A directory entry with what its own root block says (what a directory listing page shows).
 *
 * @param name  the entry name
 * @param cid   the entry's root
 * @param tsize the parent link's Tsize, or null when the link has none
 * @param node  the entry's summary, or null when its root block is not available
 */
public record DirListing(String name, Cid cid, Long tsize, UnixFsNode node) {
    /** The entry's size: its own (file size, symlink target length, directory DAG size), else the link's Tsize, else -1. */
    public long size() {
        if (node != null) {
            return node.size();
        }
        return tsize != null ? tsize : -1;
    }
}
