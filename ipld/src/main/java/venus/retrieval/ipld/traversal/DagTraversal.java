package venus.retrieval.ipld.traversal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import venus.retrieval.ipld.BlockGetter;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.model.Kind;
import venus.retrieval.ipld.model.Node;

/**
 * The one DAG walk of this node: the HTTP gateway's CAR responses, Bitswap and graphsync all use
 * it. Depth-first, pre-order, in link order exactly as go-ipld-prime walks: a block is visited
 * when it is loaded, then its links one subtree at a time — dag-pb links in {@code Links} order
 * (Links come before Data, and Data holds no links), dag-cbor and dag-json links in document
 * order (map entries as they appear in the encoded block, list elements in order). Raw blocks,
 * and codecs this node cannot decode, are leaves: visited, never descended into.
 *
 * <p>The walk is lazy: {@link #iterator} loads one block per step and keeps only the links still
 * to walk on the current path (plus, when duplicates are suppressed, the set of CIDs seen).
 *
 * <p>Instances are immutable; configure with the {@code with…} methods.
 */
public final class DagTraversal {
    /** What to do when the block getter does not have a block. */
    public enum MissingBlocks {
        /** Throw {@link IpldException.Reason#NOT_FOUND} naming the CID and its path. */
        FAIL,
        /** Yield a {@link Visit} with no data ({@link Visit#missing()}) and walk on without its subtree. */
        SKIP
    }

    /** Receives visits; returns false to stop the walk. */
    @FunctionalInterface
    public interface Visitor {
        boolean visit(Visit visit);
    }

    /** No depth limit. */
    public static final int UNLIMITED = Integer.MAX_VALUE;

    private final BlockGetter blocks;
    private final boolean dups;
    private final int maxDepth;
    private final MissingBlocks missing;
    private final Selector selector;

    private DagTraversal(BlockGetter blocks, boolean dups, int maxDepth, MissingBlocks missing, Selector selector) {
        this.blocks = Objects.requireNonNull(blocks, "blocks");
        this.dups = dups;
        this.maxDepth = maxDepth;
        this.missing = Objects.requireNonNull(missing, "missing");
        this.selector = Objects.requireNonNull(selector, "selector");
        if (maxDepth < 0) {
            throw new IllegalArgumentException("max depth must be >= 0: " + maxDepth);
        }
    }

    /**
     * A traversal over {@code blocks}: selector "all", no depth limit, each block once
     * ({@code dups} off), failing on a missing block.
     */
    public static DagTraversal over(BlockGetter blocks) {
        return new DagTraversal(blocks, false, UNLIMITED, MissingBlocks.FAIL, Selector.all());
    }

    /** With {@code dups} on, a block reached twice is visited (and walked) twice; off, only the first time. */
    public DagTraversal withDups(boolean dups) {
        return new DagTraversal(blocks, dups, maxDepth, missing, selector);
    }

    /** Visit blocks at most {@code maxDepth} link hops from a root (0 = the roots only). */
    public DagTraversal withMaxDepth(int maxDepth) {
        return new DagTraversal(blocks, dups, maxDepth, missing, selector);
    }

    /** The missing-block policy. */
    public DagTraversal withMissing(MissingBlocks missing) {
        return new DagTraversal(blocks, dups, maxDepth, missing, selector);
    }

    /** The selector that decides which links to follow. */
    public DagTraversal withSelector(Selector selector) {
        return new DagTraversal(blocks, dups, maxDepth, missing, selector);
    }

    /** The walk from {@code root}, lazily. */
    public Iterator<Visit> iterator(Cid root) {
        return iterator(List.of(root));
    }

    /** The walks from each root in turn (one seen-set across them when dups are off), lazily. */
    public Iterator<Visit> iterator(List<Cid> roots) {
        return new Walk(roots);
    }

    /** The walk from {@code root} as an {@link Iterable} (each iteration walks again). */
    public Iterable<Visit> walk(Cid root) {
        return () -> iterator(root);
    }

    /** Walks from each root, calling {@code visitor} until it returns false; returns the visit count. */
    public long walk(List<Cid> roots, Visitor visitor) {
        Iterator<Visit> it = iterator(roots);
        long n = 0;
        while (it.hasNext()) {
            n++;
            if (!visitor.visit(it.next())) {
                break;
            }
        }
        return n;
    }

    /** What the walk does next for a frame: walk a link ({@link Edge}) or read a block for an ADL ({@link Load}). */
    sealed interface Step permits Edge, Load {}

    /** A link still to walk: where it points, the selector for its block, its path. */
    record Edge(Cid cid, Selector selector, LinkPath path) implements Step {}

    /**
     * A block an ADL reads while interpreting a node (a HAMT shard, a file's block): visited in
     * turn like any loaded block, but not walked by the selector; its bytes go back to the frame.
     */
    record Load(Cid cid, LinkPath path, int depth) implements Step {}

    /** The steps still to take below one block on the current path, produced one at a time. */
    abstract static class Frame {
        /** Link hops from a root to the blocks this frame's edges lead to. */
        final int depth;

        Frame(int depth) {
            this.depth = depth;
        }

        /** The next step, or null when this frame is done. */
        abstract Step next();

        /**
         * The bytes of the block the last {@link Load} asked for, or null when it is missing (and
         * missing blocks are skipped): the frame then goes on without what that block would give.
         */
        void loaded(byte[] data) {
            throw new IllegalStateException("no load pending");
        }
    }

    /** The links of a block, all known when the block is read. */
    static final class Edges extends Frame {
        final List<Edge> edges;
        int next;

        Edges(List<Edge> edges, int depth) {
            super(depth);
            this.edges = edges;
        }

        @Override
        Step next() {
            return next < edges.size() ? edges.get(next++) : null;
        }
    }

    private final class Walk implements Iterator<Visit> {
        private final Deque<Frame> stack = new ArrayDeque<>();
        private final Set<Cid> seen = dups ? null : new HashSet<>();
        private Visit pending;

        Walk(List<Cid> roots) {
            List<Edge> edges = new ArrayList<>(roots.size());
            for (Cid r : roots) {
                edges.add(new Edge(Objects.requireNonNull(r, "root"), selector, null));
            }
            stack.push(new Edges(edges, 0));
        }

        @Override
        public boolean hasNext() {
            if (pending == null) {
                pending = advance();
            }
            return pending != null;
        }

        @Override
        public Visit next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Visit v = pending;
            pending = null;
            return v;
        }

        private Visit advance() {
            while (!stack.isEmpty()) {
                Frame f = stack.peek();
                Step step = f.next();
                if (step == null) {
                    stack.pop();
                    continue;
                }
                if (step instanceof Load l) {
                    boolean first = seen == null || seen.add(l.cid());
                    byte[] data = fetch(l.cid(), l.depth(), l.path());
                    f.loaded(data);
                    if (data != null && !first) {
                        continue;   // read for the ADL, but with dups off visited only once
                    }
                    return new Visit(l.cid(), data, l.depth(), l.path());
                }
                Edge e = (Edge) step;
                if (seen != null && !seen.add(e.cid())) {
                    continue;   // like go-ipld-prime's LinkVisitOnlyOnce: neither the block nor its subtree again
                }
                byte[] data = fetch(e.cid(), f.depth, e.path());
                if (data == null) {
                    return new Visit(e.cid(), null, f.depth, e.path());
                }
                if (f.depth < maxDepth && BlockLinks.decodable(e.cid().codec())) {
                    Frame children = frame(e, data, f.depth + 1);
                    if (children != null) {
                        stack.push(children);
                    }
                }
                return new Visit(e.cid(), data, f.depth, e.path());
            }
            return null;
        }

        /** A block's bytes; null when it is missing and missing blocks are skipped. */
        private byte[] fetch(Cid cid, int depth, LinkPath path) {
            byte[] data = cid.isIdentity() ? cid.identityData() : blocks.get(cid);
            if (data == null && missing == MissingBlocks.FAIL) {
                throw new IpldException(IpldException.Reason.NOT_FOUND, "block " + cid + " is missing (depth "
                        + depth + (path == null ? "" : ", path " + abbreviate(LinkPath.toString(path))) + ")");
            }
            return data;
        }
    }

    /**
     * What to walk below a block reached through {@code e}, or null for nothing. Where the selector
     * says InterpretAs, a dag-pb block is read as UnixFS ({@link UnixFsAdl}); any other block is
     * left as it is, as go-unixfsnode's reifier leaves every node that is not dag-pb.
     */
    private static Frame frame(Edge e, byte[] data, int depth) {
        Selector sel = e.selector();
        if (sel instanceof InterpretAs as) {
            if (e.cid().codec() == Multicodec.DAG_PB) {
                return UnixFsAdl.frame(e, data, depth, as);
            }
            sel = as.next();
        }
        List<Edge> children = children(new Edge(e.cid(), sel, e.path()), data);
        return children.isEmpty() ? null : new Edges(children, depth);
    }

    private static String abbreviate(String path) {
        return path.length() <= 200 ? path : "…" + path.substring(path.length() - 200);
    }

    /** The links of a block that its selector explores, in walk order. */
    private static List<Edge> children(Edge e, byte[] data) {
        List<Edge> out = new ArrayList<>();
        if (e.selector().exploresEverything() && e.cid().codec() == Multicodec.DAG_PB) {
            // same walk as the data-model form below, without building it (the hot case: UnixFS)
            List<Cid> links = BlockLinks.pbLinks(e.cid(), data);
            for (int i = 0; i < links.size(); i++) {
                out.add(new Edge(links.get(i), e.selector(), LinkPath.child(e.path(), "Links/" + i + "/Hash")));
            }
            return out;
        }
        Node node = BlockLinks.node(e.cid(), data);
        if (node != null) {
            collect(node, e.selector(), e.path(), "", out);
        }
        return out;
    }

    /** Walks one block's data-model tree, gathering the links the selector explores. */
    private static void collect(Node node, Selector sel, LinkPath block, String path, List<Edge> out) {
        if (node.kind() != Kind.MAP && node.kind() != Kind.LIST) {
            return;
        }
        List<String> attn = sel.interests(node);
        if (attn != null) {
            // go-ipld-prime walks the selector's interests in their order, not the node's
            for (String segment : attn) {
                Node child = lookup(node, segment);
                if (child != null) {
                    step(node, segment, child, sel, block, path, out);
                }
            }
            return;
        }
        if (node.kind() == Kind.MAP) {
            for (Map.Entry<String, Node> en : node.entries().entrySet()) {
                step(node, en.getKey(), en.getValue(), sel, block, path, out);
            }
        } else if (node.kind() == Kind.LIST) {
            List<Node> elements = node.elements();
            for (int i = 0; i < elements.size(); i++) {
                step(node, Integer.toString(i), elements.get(i), sel, block, path, out);
            }
        }
    }

    /** The child of a map or list at {@code segment}, or null when there is none. */
    static Node lookup(Node node, String segment) {
        if (node.kind() == Kind.MAP) {
            return node.get(segment);
        }
        if (node.kind() == Kind.LIST) {
            int i = index(segment);
            return i >= 0 && i < node.size() ? node.get(i) : null;
        }
        return null;
    }

    /** A list index segment as an int, or -1 when it is not a non-negative decimal that fits. */
    static int index(String segment) {
        if (segment.isEmpty() || segment.length() > 10) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v > Integer.MAX_VALUE ? -1 : (int) v;
    }

    private static void step(Node parent, String segment, Node child, Selector sel, LinkPath block, String path,
                             List<Edge> out) {
        Selector sub = sel.explore(parent, segment);
        if (sub == null) {
            return;
        }
        if (child.kind() == Kind.LINK) {
            out.add(new Edge(child.asCid(), sub, LinkPath.child(block, path + segment)));
        } else if (child.kind() == Kind.MAP || child.kind() == Kind.LIST) {
            // InterpretAs on a node inside a block: not a dag-pb block root, so left as it is
            collect(child, sub instanceof InterpretAs as ? as.next() : sub, block, path + segment + "/", out);
        }
    }
}
