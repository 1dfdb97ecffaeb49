package venus.retrieval.ipld.traversal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.traversal.DagTraversal.Edge;
import venus.retrieval.ipld.traversal.DagTraversal.Frame;
import venus.retrieval.ipld.traversal.DagTraversal.Load;
import venus.retrieval.ipld.traversal.DagTraversal.Step;
import venus.retrieval.ipld.unixfs.DirEntry;
import venus.retrieval.ipld.unixfs.HamtShard;

/**
 * The {@code unixfs} reading of a HAMT-sharded directory, as go-unixfsnode's {@code UnixFSHAMTShard}
 * loads it: looking a name up loads the shards on its hash path, iterating loads each sub-shard
 * when the iteration reaches it (between the entries' subtrees), each shard once per reading;
 * {@code unixfs-preload} first loads every shard depth-first. Buckets and labels: {@link HamtShard}.
 */
final class UnixFsHamtFrame extends Frame {
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

    UnixFsHamtFrame(HamtShard root, Selector sel, LinkPath dir, int depth, boolean preload) {
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
        attn = sel.interests(UnixFsAdl.DIRECTORY);
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
                    Edge e = UnixFsAdl.edge(sel, name, en.cid(), dir);
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
                if (stack.size() >= UnixFsAdl.MAX_LEVELS) {
                    throw UnixFsAdl.bad(c.at.shard().cid(), "HAMT deeper than " + UnixFsAdl.MAX_LEVELS + " levels");
                }
                return load(c.at, i);
            }
            if (phase == Phase.ITERATE) {
                DirEntry en = c.at.shard().entry(i);
                Edge e = UnixFsAdl.edge(sel, en.name(), en.cid(), dir);
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
