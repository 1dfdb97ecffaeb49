package venus.retrieval.ipld.traversal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.pb.DagPb;
import venus.retrieval.ipld.pb.PbLink;
import venus.retrieval.ipld.pb.PbNode;
import venus.retrieval.ipld.traversal.DagTraversal.Frame;
import venus.retrieval.ipld.traversal.DagTraversal.Load;
import venus.retrieval.ipld.traversal.DagTraversal.Step;
import venus.retrieval.ipld.unixfs.BlocksizeCursor;
import venus.retrieval.ipld.unixfs.UnixFsData;

/**
 * The {@code unixfs} reading of a multi-block file, as go-unixfsnode's file reader loads it: when
 * the selector matches the file, the blocks below the root that hold the matched bytes (all of
 * them for a plain Matcher, which go-graphsync's responder reads to the end) are loaded
 * depth-first; {@code unixfs-preload} first reads the whole file once.
 */
final class UnixFsFileFrame extends Frame {
    /** A file node whose children are being read, with a cursor over their file ranges. */
    private static final class Part {
        final Cid cid;
        final List<PbLink> links;
        final BlocksizeCursor children;
        final LinkPath path;
        final int depth;

        Part(Cid cid, List<PbLink> links, long[] blocksizes, long start, LinkPath path, int depth) {
            this.cid = cid;
            this.links = links;
            this.children = new BlocksizeCursor(blocksizes, start);
            this.path = path;
            this.depth = depth;
        }
    }

    private final Cid cid;
    private final PbNode root;
    private final UnixFsData data;
    private final Selector sel;
    private final LinkPath path;
    private final Deque<Part> stack = new ArrayDeque<>();
    private boolean preloadPending;
    private boolean matchPending = true;
    private long from;
    private long to;
    private Part pendingPart;
    private int pendingLink;
    private long pendingStart;

    private UnixFsFileFrame(Cid cid, PbNode root, UnixFsData data, Selector sel, LinkPath path, int depth, boolean preload) {
        super(depth);
        this.cid = cid;
        this.root = root;
        this.data = data;
        this.sel = sel;
        this.path = path;
        this.preloadPending = preload;
    }

    /** Null for a file in one block: reading it loads nothing more. */
    static Frame of(Cid cid, PbNode root, UnixFsData data, Selector sel, LinkPath path, int depth, boolean preload) {
        if (root.links().isEmpty()) {
            return null;
        }
        checkSizes(cid, root, data);
        return new UnixFsFileFrame(cid, root, data, sel, path, depth, preload);
    }

    private static void checkSizes(Cid cid, PbNode node, UnixFsData d) {
        if (d.blocksizes().length != node.links().size()) {
            throw UnixFsAdl.bad(cid, "file node has " + node.links().size() + " links but " + d.blocksizes().length + " blocksizes");
        }
    }

    /** The file's length as go-unixfsnode sees it: filesize when present, else the blocksizes. */
    private long length() {
        return data.filesize() != null ? data.filesize() : data.contentSize();
    }

    /** Starts a read of {@code [from, to)}; a node with links reads only its children, as go-unixfsnode does. */
    private void read(long from, long to) {
        this.from = from;
        this.to = to;
        stack.clear();
        stack.push(new Part(cid, root.links(), data.blocksizes(), 0, path, depth));
    }

    @Override
    Step next() {
        while (true) {
            if (stack.isEmpty()) {
                if (preloadPending) {
                    preloadPending = false;
                    read(0, Long.MAX_VALUE);
                    continue;
                }
                if (matchPending) {
                    matchPending = false;
                    long[] range = UnixFsAdl.matched(sel, length());
                    if (range != null) {
                        read(range[0], range[1]);
                    }
                    continue;
                }
                return null;
            }
            Part p = stack.peek();
            if (!p.children.hasNext()) {
                stack.pop();
                continue;
            }
            BlocksizeCursor.Verdict v = p.children.advance(from, to);
            if (v == BlocksizeCursor.Verdict.SKIP) {
                continue;   // wholly before the range: never read
            }
            if (v == BlocksizeCursor.Verdict.STOP) {
                stack.clear();   // this child and all after it are past the range
                continue;
            }
            int i = p.children.index();
            pendingPart = p;
            pendingLink = i;
            pendingStart = p.children.start();
            return new Load(p.links.get(i).cid(), LinkPath.child(p.path, "Links/" + i + "/Hash"), p.depth);
        }
    }

    @Override
    void loaded(byte[] block) {
        Part p = pendingPart;
        pendingPart = null;
        Cid child = p.links.get(pendingLink).cid();
        if (block == null || child.codec() == Multicodec.RAW) {
            return;
        }
        if (child.codec() != Multicodec.DAG_PB) {
            throw UnixFsAdl.bad(child, "file child has codec " + Multicodec.name(child.codec()));
        }
        PbNode pb = DagPb.decode(block);
        UnixFsData d = UnixFsAdl.unixFs(pb);
        if (d == null || (d.type() != UnixFsData.Type.FILE && d.type() != UnixFsData.Type.RAW)) {
            throw UnixFsAdl.bad(child, "file child is " + (d == null ? "not UnixFS" : "a " + d.type()) + ", not file data");
        }
        if (pb.links().isEmpty()) {
            return;
        }
        if (stack.size() >= UnixFsAdl.MAX_LEVELS) {
            throw UnixFsAdl.bad(p.cid, "file DAG deeper than " + UnixFsAdl.MAX_LEVELS + " levels");
        }
        checkSizes(child, pb, d);
        stack.push(new Part(child, pb.links(), d.blocksizes(), pendingStart, LinkPath.child(p.path, "Links/" + pendingLink + "/Hash"),
                p.depth + 1));
    }
}
