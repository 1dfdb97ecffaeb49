package venus.retrieval.ipld.traversal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.ipld.pb.DagPb;
import venus.retrieval.ipld.pb.PbLink;
import venus.retrieval.ipld.pb.PbNode;
import venus.retrieval.ipld.traversal.DagTraversal.Edge;
import venus.retrieval.ipld.traversal.DagTraversal.Edges;
import venus.retrieval.ipld.traversal.DagTraversal.Frame;
import venus.retrieval.ipld.traversal.DagTraversal.Load;
import venus.retrieval.ipld.traversal.DagTraversal.Step;
import venus.retrieval.ipld.unixfs.DirEntry;
import venus.retrieval.ipld.unixfs.HamtShard;
import venus.retrieval.ipld.unixfs.UnixFsData;

/**
 * The {@code unixfs} and {@code unixfs-preload} ADLs of go-unixfsnode, as the walk meets them: a
 * dag-pb block under InterpretAs is read as UnixFS, and every block that reading loads is a
 * {@link Load} step, taken in the order go-unixfsnode loads it under go-ipld-prime and a graphsync
 * responder (which reads a matched file to its end):
 *
 * <ul>
 *   <li>A Directory, and a dag-pb node that is not UnixFS (or a Symlink or Metadata node), is a map
 *       of link name to link (a nameless link is {@code ""}, a name looked up finds its first link);
 *       nothing is loaded to read it.
 *   <li>A HAMTShard is the map of the whole sharded directory. Looking a name up loads the shards
 *       on its path; iterating loads each sub-shard when the iteration reaches it, between the
 *       entries' subtrees; a shard is loaded once per reading. {@code unixfs-preload} first loads
 *       every shard, depth-first.
 *   <li>A File (or dag-pb Raw node) is bytes. Where the selector then matches it, the blocks under
 *       the root are loaded depth-first — with a Matcher subset only those that hold the subset.
 *       {@code unixfs-preload} first loads every block of a File, so a match loads them again.
 * </ul>
 *
 * <p>A Load of a missing block, when the walk skips missing blocks, gives up what that block would
 * have given (a sub-shard's entries, a part of the file) and goes on.
 */
final class UnixFsAdl {
    /**
     * What selectors see of a directory: a map. Their only questions to it are its kind and, for
     * a stop-at, the entry being explored, which {@link #entry} answers.
     */
    private static final Node DIRECTORY = Node.map(Map.of());
    /** Deepest HAMT or file tree followed below the interpreted block. */
    private static final int MAX_LEVELS = 64;

    private UnixFsAdl() {}

    /** What to walk below the dag-pb block reached through {@code e} read through {@code as}, or null. */
    static Frame frame(Edge e, byte[] block, int depth, InterpretAs as) {
        PbNode pb;
        try {
            pb = DagPb.decode(block);
        } catch (IpldException ex) {
            throw new IpldException(ex.reason(), "block " + e.cid() + ": " + ex.getMessage(), ex);
        }
        UnixFsData d = unixFs(pb);
        Selector sel = as.next();
        if (d == null) {
            return directory(pb, sel, e.path(), depth);
        }
        return switch (d.type()) {
            case DIRECTORY, SYMLINK, METADATA -> directory(pb, sel, e.path(), depth);
            case HAMT_SHARD -> new Hamt(HamtShard.of(e.cid(), pb, d), sel, e.path(), depth, as.preload());
            case FILE, RAW -> File.of(e.cid(), pb, d, sel, e.path(), depth, as.preload() && d.type() == UnixFsData.Type.FILE);
        };
    }

    /** The UnixFS Data of a dag-pb node, or null when it has none that decodes (then it is no UnixFS node). */
    private static UnixFsData unixFs(PbNode pb) {
        if (pb.data() == null) {
            return null;
        }
        try {
            return UnixFsData.decode(pb.data());
        } catch (IpldException e) {
            return null;
        }
    }

    /** The directory as selectors see it while exploring {@code name}. */
    private static Node entry(String name, Cid cid) {
        return Node.map(Map.of(name, Node.link(cid)));
    }

    private static Edge edge(Selector sel, String name, Cid cid, LinkPath dir) {
        Selector sub = sel.explore(entry(name, cid), name);
        return sub == null ? null : new Edge(cid, sub, LinkPath.child(dir, name));
    }

    private static Frame directory(PbNode pb, Selector sel, LinkPath path, int depth) {
        List<Edge> out = new ArrayList<>();
        List<String> attn = sel.interests(DIRECTORY);
        if (attn == null) {
            for (PbLink l : pb.links()) {
                Edge e = edge(sel, l.nameOrEmpty(), l.cid(), path);
                if (e != null) {
                    out.add(e);
                }
            }
        } else {
            for (String name : attn) {
                for (PbLink l : pb.links()) {
                    if (l.nameOrEmpty().equals(name)) {
                        Edge e = edge(sel, name, l.cid(), path);
                        if (e != null) {
                            out.add(e);
                        }
                        break;
                    }
                }
            }
        }
        return out.isEmpty() ? null : new Edges(out, depth);
    }

    /**
     * The byte range a selector applied to a file matches (go-ipld-prime's {@code Match}: a union
     * matches as its first matching member, a recursion as its current selector), or null.
     */
    static long[] matched(Selector s, long length) {
        if (s instanceof Matcher m) {
            return m.bounds(length);
        }
        if (s instanceof ExploreUnion u) {
            for (Selector m : u.members()) {
                long[] b = matched(m, length);
                if (b != null) {
                    return b;
                }
            }
            return null;
        }
        if (s instanceof ExploreRecursive r) {
            return matched(r.current(), length);
        }
        return null;
    }

    private static IpldException bad(Cid cid, String message) {
        return new IpldException(IpldException.Reason.BAD_UNIXFS, cid + ": " + message);
    }

    /** A HAMT-sharded directory: lookups and iteration that load shards one step at a time. */
    private static final class Hamt extends Frame {
        private enum Phase { PRELOAD, ITERATE, LOOKUP }

        /** A shard read so far, with where it sits. */
        private record Shard(HamtShard shard, LinkPath path, int depth) {}

        private static final class Cursor {
            final Shard at;
            int next;

            Cursor(Shard at) {
                this.at = at;
            }
        }

        private final Selector sel;
        private final LinkPath dir;
        private final Shard root;
        private final Map<Cid, Shard> cache = new HashMap<>();
        private final Deque<Cursor> stack = new ArrayDeque<>();
        private Phase phase;
        private List<String> attn;
        // LOOKUP: the name being looked up and where the lookup is
        private int nextName;
        private String name;
        private long hash;
        private Shard at;
        private int level;
        // the shard whose link the pending Load reads
        private Shard pendingParent;
        private int pendingLink;

        Hamt(HamtShard root, Selector sel, LinkPath dir, int depth, boolean preload) {
            super(depth);
            this.sel = sel;
            this.dir = dir;
            this.root = new Shard(root, dir, depth - 1);
            if (preload) {
                phase = Phase.PRELOAD;
                stack.push(new Cursor(this.root));
            } else {
                explore();
            }
        }

        private void explore() {
            attn = sel.interests(DIRECTORY);
            if (attn == null) {
                phase = Phase.ITERATE;
                stack.push(new Cursor(root));
            } else {
                phase = Phase.LOOKUP;
            }
        }

        @Override
        Step next() {
            while (true) {
                if (phase == Phase.LOOKUP) {
                    if (at == null) {
                        if (nextName >= attn.size()) {
                            return null;
                        }
                        name = attn.get(nextName++);
                        hash = HamtShard.hash(name);
                        at = root;
                        level = 0;
                    }
                    int i = at.shard().find(name, hash, level);
                    if (i < 0) {
                        at = null;
                        continue;
                    }
                    if (!at.shard().isShard(i)) {
                        DirEntry en = at.shard().entry(i);
                        at = null;
                        Edge e = edge(sel, name, en.cid(), dir);
                        if (e != null) {
                            return e;
                        }
                        continue;
                    }
                    Shard known = cache.get(at.shard().link(i).cid());
                    if (known != null) {
                        at = known;
                        level++;
                        continue;
                    }
                    return load(at, i);
                }
                if (stack.isEmpty()) {
                    if (phase == Phase.PRELOAD) {
                        explore();
                        continue;
                    }
                    return null;
                }
                Cursor c = stack.peek();
                if (c.next >= c.at.shard().size()) {
                    stack.pop();
                    continue;
                }
                int i = c.next++;
                if (c.at.shard().isShard(i)) {
                    Shard known = cache.get(c.at.shard().link(i).cid());
                    if (known != null) {
                        stack.push(new Cursor(known));
                        continue;
                    }
                    if (stack.size() >= MAX_LEVELS) {
                        throw bad(c.at.shard().cid(), "HAMT deeper than " + MAX_LEVELS + " levels");
                    }
                    return load(c.at, i);
                }
                if (phase == Phase.ITERATE) {
                    DirEntry en = c.at.shard().entry(i);
                    Edge e = edge(sel, en.name(), en.cid(), dir);
                    if (e != null) {
                        return e;
                    }
                }
            }
        }

        private Step load(Shard parent, int link) {
            pendingParent = parent;
            pendingLink = link;
            return new Load(parent.shard().link(link).cid(), LinkPath.child(parent.path(), "Links/" + link + "/Hash"),
                    parent.depth() + 1);
        }

        @Override
        void loaded(byte[] data) {
            Shard parent = pendingParent;
            pendingParent = null;
            if (data == null) {
                at = null;   // a lookup through a missing shard finds nothing; an iteration skips its entries
                return;
            }
            Cid cid = parent.shard().link(pendingLink).cid();
            Shard child = new Shard(parent.shard().child(cid, data),
                    LinkPath.child(parent.path(), "Links/" + pendingLink + "/Hash"), parent.depth() + 1);
            cache.put(cid, child);
            if (phase == Phase.LOOKUP) {
                at = child;
                level++;
            } else {
                stack.push(new Cursor(child));
            }
        }
    }

    /** A multi-block file: the reads of it that load its blocks, depth-first. */
    private static final class File extends Frame {
        /** A file node whose children are being read, with the file offset of its next child. */
        private static final class Part {
            final Cid cid;
            final List<PbLink> links;
            final long[] blocksizes;
            final LinkPath path;
            final int depth;
            long childStart;
            int next;

            Part(Cid cid, List<PbLink> links, long[] blocksizes, long start, LinkPath path, int depth) {
                this.cid = cid;
                this.links = links;
                this.blocksizes = blocksizes;
                this.childStart = start;
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

        private File(Cid cid, PbNode root, UnixFsData data, Selector sel, LinkPath path, int depth, boolean preload) {
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
            return new File(cid, root, data, sel, path, depth, preload);
        }

        private static void checkSizes(Cid cid, PbNode node, UnixFsData d) {
            if (d.blocksizes().length != node.links().size()) {
                throw bad(cid, "file node has " + node.links().size() + " links but " + d.blocksizes().length + " blocksizes");
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
                        long[] range = matched(sel, length());
                        if (range != null) {
                            read(range[0], range[1]);
                        }
                        continue;
                    }
                    return null;
                }
                Part p = stack.peek();
                if (p.next >= p.links.size()) {
                    stack.pop();
                    continue;
                }
                int i = p.next++;
                long bs = p.blocksizes[i];
                long start = p.childStart;
                p.childStart += bs;
                if (start + bs <= from) {
                    continue;   // wholly before the range: never read
                }
                if (start >= to) {
                    stack.clear();   // this child and all after it are past the range
                    continue;
                }
                pendingPart = p;
                pendingLink = i;
                pendingStart = start;
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
                throw bad(child, "file child has codec " + Multicodec.name(child.codec()));
            }
            PbNode pb = DagPb.decode(block);
            UnixFsData d = unixFs(pb);
            if (d == null || (d.type() != UnixFsData.Type.FILE && d.type() != UnixFsData.Type.RAW)) {
                throw bad(child, "file child is " + (d == null ? "not UnixFS" : "a " + d.type()) + ", not file data");
            }
            if (pb.links().isEmpty()) {
                return;
            }
            if (stack.size() >= MAX_LEVELS) {
                throw bad(p.cid, "file DAG deeper than " + MAX_LEVELS + " levels");
            }
            checkSizes(child, pb, d);
            stack.push(new Part(child, pb.links(), d.blocksizes(), pendingStart, LinkPath.child(p.path, "Links/" + pendingLink + "/Hash"),
                    p.depth + 1));
        }
    }
}
