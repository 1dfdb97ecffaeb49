package venus.retrieval.ipld.traversal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.ipld.pb.DagPb;
import venus.retrieval.ipld.pb.PbLink;
import venus.retrieval.ipld.pb.PbNode;
import venus.retrieval.ipld.traversal.DagTraversal.Edge;
import venus.retrieval.ipld.traversal.DagTraversal.Edges;
import venus.retrieval.ipld.traversal.DagTraversal.Frame;
import venus.retrieval.ipld.traversal.DagTraversal.Load;
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
    static final Node DIRECTORY = Node.map(Map.of());
    /** Deepest HAMT or file tree followed below the interpreted block. */
    static final int MAX_LEVELS = 64;

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
            case HAMT_SHARD -> new UnixFsHamtFrame(HamtShard.of(e.cid(), pb, d), sel, e.path(), depth, as.preload());
            case FILE, RAW -> UnixFsFileFrame.of(e.cid(), pb, d, sel, e.path(), depth, as.preload() && d.type() == UnixFsData.Type.FILE);
        };
    }

    /** The UnixFS Data of a dag-pb node, or null when it has none that decodes (then it is no UnixFS node). */
    static UnixFsData unixFs(PbNode pb) {
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

    static Edge edge(Selector sel, String name, Cid cid, LinkPath dir) {
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

    static IpldException bad(Cid cid, String message) {
        return new IpldException(IpldException.Reason.BAD_UNIXFS, cid + ": " + message);
    }
}
