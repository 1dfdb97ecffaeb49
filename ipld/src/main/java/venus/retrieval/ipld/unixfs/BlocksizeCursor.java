package venus.retrieval.ipld.unixfs;

import java.util.NoSuchElementException;

/**
 * Steps through the children of one UnixFS file node, in link order, deciding for each whether it
 * matters to a read of the file's byte range {@code [from, to)}. The children cover consecutive
 * file ranges whose lengths are the node's {@code blocksizes}, so a child can be judged before it
 * is fetched. Used by both readers of multi-block files: the selector traversal's UnixFS ADL and
 * {@link UnixFsReader}'s ranged stream.
 *
 * <p>The caller checks that {@code blocksizes} has one entry per link, and passes the file offset
 * of the first child: a reader that also serves the node's own inline data starts the children
 * after it. Not thread-safe; one cursor per node being read.
 */
public final class BlocksizeCursor {
    /** What a read of the range does with the child just stepped over. */
    public enum Verdict {
        /** The child ends at or before {@code from}: not needed, not fetched. */
        SKIP,
        /** The child overlaps the range: fetch it and read into it. */
        DESCEND,
        /** The child starts at or after {@code to}: it and every later child are past the range. */
        STOP
    }

    private final long[] blocksizes;
    private int next;
    private long nextStart;
    private long start;

    /**
     * @param blocksizes the node's blocksizes, one per child link (not copied)
     * @param firstChildStart the file offset where the node's first child begins
     */
    public BlocksizeCursor(long[] blocksizes, long firstChildStart) {
        this.blocksizes = blocksizes;
        this.nextStart = firstChildStart;
    }

    /** Whether a child is left to step over. */
    public boolean hasNext() {
        return next < blocksizes.length;
    }

    /**
     * Steps over the next child and judges it against {@code [from, to)}; afterwards
     * {@link #index()}, {@link #start()} and {@link #size()} describe that child.
     *
     * @throws NoSuchElementException when no child is left
     */
    public Verdict advance(long from, long to) {
        if (!hasNext()) {
            throw new NoSuchElementException("no child left: " + blocksizes.length + " blocksizes");
        }
        long size = blocksizes[next++];
        start = nextStart;
        nextStart += size;
        // a child ending exactly at from holds none of the range's bytes; one starting at to neither
        if (start + size <= from) {
            return Verdict.SKIP;
        }
        if (start >= to) {
            return Verdict.STOP;
        }
        return Verdict.DESCEND;
    }

    /** The link index of the child last stepped over. */
    public int index() {
        return next - 1;
    }

    /** The file offset where the child last stepped over begins. */
    public long start() {
        return start;
    }

    /** The number of file bytes the child last stepped over holds, by blocksizes. */
    public long size() {
        return blocksizes[next - 1];
    }
}
