package venus.retrieval.ipld.unixfs;

import venus.retrieval.ipld.Cid;

/**
 * One directory entry as its parent links to it (no block of the child is read to make it).
 *
 * @param name  the entry name (for a HAMT entry, without the bucket label)
 * @param cid   the entry's root
 * @param tsize the link's Tsize (cumulative DAG size), or null when the link has none
 */
public record DirEntry(String name, Cid cid, Long tsize) {}
