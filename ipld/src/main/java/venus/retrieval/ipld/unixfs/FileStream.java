package venus.retrieval.ipld.unixfs;

import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.unixfs.UnixFsReader.Node;

/**
 * Streams a byte range of a UnixFS file depth-first. Each node's children cover consecutive
 * ranges given by its {@code blocksizes}, so children that end before the range starts are
 * skipped without being fetched, and the walk stops at the first child past the range's end.
 * Memory: one block per tree level.
 */
final class FileStream extends InputStream {
    private final UnixFsReader reader;
    private final Deque<Frame> stack = new ArrayDeque<>();
    private final long end;
    private long pos;
    private byte[] seg;
    private int segOff;
    private int segEnd;

    private static final class Frame {
        final Cid cid;
        final Node node;
        final long base;
        boolean inlineDone;
        /** Set once the inline data is served (children start after it); null for a raw block. */
        BlocksizeCursor children;

        Frame(Cid cid, Node node, long base) {
            this.cid = cid;
            this.node = node;
            this.base = base;
        }
    }

    FileStream(UnixFsReader reader, Cid cid, Node root, long start, long end) {
        this.reader = reader;
        this.pos = start;
        this.end = end;
        if (start < end) {
            stack.push(new Frame(cid, root, 0));
        }
    }

    @Override
    public int read() {
        if (!fill()) {
            return -1;
        }
        pos++;
        return seg[segOff++] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(len, segEnd - segOff);
        System.arraycopy(seg, segOff, b, off, n);
        segOff += n;
        pos += n;
        return n;
    }

    @Override
    public long skip(long n) {
        // skipping inside the current segment only; the caller asked for a range up front
        if (n <= 0 || !fill()) {
            return 0;
        }
        int k = (int) Math.min(n, segEnd - segOff);
        segOff += k;
        pos += k;
        return k;
    }

    @Override
    public int available() {
        return seg == null ? 0 : segEnd - segOff;
    }

    /** Makes the current segment non-empty; false at the end of the range. */
    private boolean fill() {
        while (seg == null || segOff >= segEnd) {
            seg = null;
            if (pos >= end || !nextSegment()) {
                return false;
            }
        }
        return true;
    }

    private boolean nextSegment() {
        while (!stack.isEmpty()) {
            Frame f = stack.peek();
            if (!f.inlineDone) {
                f.inlineDone = true;
                byte[] inline = f.node.raw != null ? f.node.raw : f.node.data.data();
                int len = inline == null ? 0 : inline.length;
                if (f.node.raw == null) {
                    f.children = new BlocksizeCursor(f.node.data.blocksizes(), f.base + len);
                }
                if (len > 0 && setSegment(inline, f.base)) {
                    return true;
                }
            }
            if (f.children == null || !f.children.hasNext()) {
                stack.pop();
                continue;
            }
            BlocksizeCursor.Verdict v = f.children.advance(pos, end);
            if (v == BlocksizeCursor.Verdict.SKIP) {
                continue; // wholly before the range: not fetched
            }
            if (v == BlocksizeCursor.Verdict.STOP) {
                stack.clear(); // this child and everything after it are past the range
                return false;
            }
            int i = f.children.index();
            long bs = f.children.size();
            long cs = f.children.start();
            Cid child = f.node.node.links().get(i).cid();
            if (stack.size() >= UnixFsReader.MAX_DEPTH) {
                throw UnixFsReader.bad(f.cid, "file DAG deeper than " + UnixFsReader.MAX_DEPTH);
            }
            Node c = reader.load(child);
            long size;
            if (c.raw != null) {
                size = c.raw.length;
            } else if (c.data.type() == UnixFsData.Type.FILE || c.data.type() == UnixFsData.Type.RAW) {
                size = UnixFsReader.checkedFileSize(child, c);
            } else {
                throw UnixFsReader.bad(child, "file child is a " + c.data.type() + ", not file data");
            }
            if (size != bs) {
                throw UnixFsReader.bad(f.cid, "child " + i + " (" + child + ") holds " + size + " bytes but blocksizes says " + bs);
            }
            stack.push(new Frame(child, c, cs));
        }
        return false;
    }

    /** Sets the segment to the part of {@code bytes} (at file offset {@code base}) inside [pos, end). */
    private boolean setSegment(byte[] bytes, long base) {
        long from = Math.max(pos, base);
        long to = Math.min(end, base + bytes.length);
        if (from >= to) {
            return false;
        }
        seg = bytes;
        segOff = (int) (from - base);
        segEnd = (int) (to - base);
        return true;
    }
}
