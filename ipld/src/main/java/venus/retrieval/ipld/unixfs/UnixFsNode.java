package venus.retrieval.ipld.unixfs;

import venus.retrieval.ipld.Cid;

/**
 * What a UnixFS node is, from its root block alone (one block read).
 *
 * @param cid    the node's CID
 * @param kind   file, directory, HAMT-sharded directory or symlink
 * @param size   file: its length in bytes; symlink: the target's length; directory: the DAG size
 *               (root block plus the links' Tsize), as directory listings show it
 * @param mode   permission bits (mask 07777 applied), or null when the node has none
 * @param mtime  modification time, or null
 * @param target a symlink's target, or null
 */
public record UnixFsNode(Cid cid, Kind kind, long size, Integer mode, UnixFsData.UnixTime mtime, String target) {
    /** The kinds of UnixFS nodes a reader can hand out. */
    public enum Kind {
        FILE, DIRECTORY, HAMT_DIRECTORY, SYMLINK;

        /** True for plain and HAMT-sharded directories. */
        public boolean isDirectory() {
            return this == DIRECTORY || this == HAMT_DIRECTORY;
        }
    }

    /** True for plain and HAMT-sharded directories. */
    public boolean isDirectory() {
        return kind.isDirectory();
    }
}
