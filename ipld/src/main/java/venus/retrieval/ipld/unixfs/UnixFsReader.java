package venus.retrieval.ipld.unixfs;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import venus.retrieval.ipld.BlockGetter;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.pb.DagPb;
import venus.retrieval.ipld.pb.PbLink;
import venus.retrieval.ipld.pb.PbNode;

/**
 * Reads UnixFS DAGs through a {@link BlockGetter}: node summaries, files (whole or any byte range,
 * streamed, skipping leaves outside the range by {@code blocksizes} without fetching them), plain
 * and HAMT-sharded directories (lookup and lazy listing), symlinks, and path resolution.
 *
 * <p>Blocks come from the getter as they are: verifying hashes is the block source's job.
 * Failures: a missing block or path is {@link IpldException.Reason#NOT_FOUND}; a malformed dag-pb
 * block is BAD_BLOCK; a well-formed block that is not valid UnixFS (wrong type, sizes that do not
 * add up, bad HAMT) is BAD_UNIXFS.
 */
public final class UnixFsReader {
    /** Deepest file or HAMT tree followed; guards against pathological DAGs. */
    static final int MAX_DEPTH = 64;

    private final BlockGetter blocks;

    /** A reader that fetches every block through {@code blocks} (which verifies hashes, if anyone does). */
    public UnixFsReader(BlockGetter blocks) {
        this.blocks = BlockGetter.inlining(blocks);
    }

    /** Summarises the node at {@code cid} from its root block. */
    public UnixFsNode stat(Cid cid) {
        Node n = load(cid);
        if (n.raw != null) {
            return new UnixFsNode(cid, UnixFsNode.Kind.FILE, n.raw.length, null, null, null);
        }
        UnixFsData d = n.data;
        return switch (d.type()) {
            case FILE, RAW -> new UnixFsNode(cid, UnixFsNode.Kind.FILE, checkedFileSize(cid, n), d.permissions(), d.mtime(), null);
            case SYMLINK -> {
                byte[] t = d.data() == null ? new byte[0] : d.data();
                yield new UnixFsNode(cid, UnixFsNode.Kind.SYMLINK, t.length, d.permissions(), d.mtime(),
                        new String(t, StandardCharsets.UTF_8));
            }
            case DIRECTORY, HAMT_SHARD -> {
                if (d.type() == UnixFsData.Type.HAMT_SHARD) {
                    HamtShard.of(cid, n.node, d);
                }
                long size = n.block.length;
                for (PbLink l : n.node.links()) {
                    size += l.tsize() == null ? 0 : l.tsize();
                }
                yield new UnixFsNode(cid, d.type() == UnixFsData.Type.DIRECTORY ? UnixFsNode.Kind.DIRECTORY
                        : UnixFsNode.Kind.HAMT_DIRECTORY, size, d.permissions(), d.mtime(), null);
            }
            case METADATA -> throw bad(cid, "UnixFS Metadata nodes are not supported");
        };
    }

    /** Resolves a slash-separated path below {@code root} (empty segments ignored) to a CID. */
    public Cid resolve(Cid root, String path) {
        Cid cur = root;
        StringBuilder walked = new StringBuilder();
        for (String seg : path.split("/")) {
            if (seg.isEmpty()) {
                continue;
            }
            DirEntry e = lookupOrNull(cur, seg, walked.length() == 0 ? "" : walked.toString());
            if (e == null) {
                throw new IpldException(IpldException.Reason.NOT_FOUND,
                        "no link named \"" + seg + "\" under /" + walked + " (path \"" + path + "\" from " + root + ")");
            }
            walked.append(walked.length() == 0 ? "" : "/").append(seg);
            cur = e.cid();
        }
        return cur;
    }

    /** The entry {@code name} of the directory {@code dir}, or null when there is none. */
    public DirEntry lookup(Cid dir, String name) {
        return lookupOrNull(dir, name, null);
    }

    private DirEntry lookupOrNull(Cid dir, String name, String walkedForError) {
        Node n = load(dir);
        if (n.raw != null || (n.data.type() != UnixFsData.Type.DIRECTORY && n.data.type() != UnixFsData.Type.HAMT_SHARD)) {
            if (walkedForError != null) {
                throw new IpldException(IpldException.Reason.NOT_FOUND, "/" + walkedForError + " is not a directory, cannot resolve \"" + name + "\"");
            }
            throw bad(dir, "not a directory");
        }
        if (n.data.type() == UnixFsData.Type.DIRECTORY) {
            for (PbLink l : n.node.links()) {
                if (name.equals(l.name())) {
                    return new DirEntry(name, l.cid(), l.tsize());
                }
            }
            return null;
        }
        return hamtLookup(dir, n, name);
    }

    private DirEntry hamtLookup(Cid rootCid, Node root, String name) {
        HamtShard shard = HamtShard.of(rootCid, root.node, root.data);
        long hash = HamtShard.hash(name);
        for (int depth = 0; ; depth++) {
            int i = shard.find(name, hash, depth);
            if (i < 0) {
                return null;
            }
            if (!shard.isShard(i)) {
                return shard.entry(i);
            }
            Cid next = shard.link(i).cid();
            shard = shard.child(next, blockOf(next));
        }
    }

    /**
     * The entries of a directory, plain or HAMT-sharded, lazily: a HAMT's shard blocks are read as
     * the iteration reaches them. Plain directories list in link order; HAMTs in bucket order.
     */
    public Iterable<DirEntry> entries(Cid dir) {
        Node n = load(dir);
        if (n.raw != null || (n.data.type() != UnixFsData.Type.DIRECTORY && n.data.type() != UnixFsData.Type.HAMT_SHARD)) {
            throw bad(dir, "not a directory");
        }
        if (n.data.type() == UnixFsData.Type.DIRECTORY) {
            List<DirEntry> out = new java.util.ArrayList<>(n.node.links().size());
            for (PbLink l : n.node.links()) {
                if (l.name() == null) {
                    throw bad(dir, "directory link without a name");
                }
                out.add(new DirEntry(l.name(), l.cid(), l.tsize()));
            }
            return out;
        }
        HamtShard root = HamtShard.of(dir, n.node, n.data);
        return () -> new HamtIterator(root);
    }

    /**
     * Like {@link #entries}, with each entry's own summary: one block read per entry, done as the
     * iteration reaches it (a big HAMT is never held in memory). An entry whose root block is not
     * available has a null {@link DirListing#node()}; any other failure is thrown.
     */
    public Iterable<DirListing> listing(Cid dir) {
        Iterable<DirEntry> entries = entries(dir);
        return () -> new Iterator<>() {
            private final Iterator<DirEntry> it = entries.iterator();

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public DirListing next() {
                DirEntry e = it.next();
                UnixFsNode node;
                try {
                    node = stat(e.cid());
                } catch (IpldException ex) {
                    if (ex.reason() != IpldException.Reason.NOT_FOUND) {
                        throw ex;
                    }
                    node = null;
                }
                return new DirListing(e.name(), e.cid(), e.tsize(), node);
            }
        };
    }

    /** A stream of the whole file at {@code cid} (a raw block or a UnixFS File). */
    public InputStream open(Cid cid) {
        return open(cid, 0, Long.MAX_VALUE);
    }

    /**
     * A stream of {@code length} bytes of the file from {@code offset} (clamped to the file's end;
     * an offset at or past the end gives an empty stream). Leaves wholly outside the range are never
     * fetched. The stream throws {@link IpldException} (unchecked) on missing or malformed blocks.
     */
    public InputStream open(Cid cid, long offset, long length) {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must be non-negative");
        }
        Node root = load(cid);
        if (root.raw == null && root.data.type() != UnixFsData.Type.FILE && root.data.type() != UnixFsData.Type.RAW) {
            throw bad(cid, "not a file but a " + root.data.type());
        }
        long size = root.raw != null ? root.raw.length : checkedFileSize(cid, root);
        long end = length > size - Math.min(offset, size) ? size : offset + length;
        return new FileStream(this, cid, root, Math.min(offset, size), end);
    }

    /** Reads a whole file into memory (for small files and tests). */
    public byte[] readAll(Cid cid) {
        try (InputStream in = open(cid)) {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new IpldException(IpldException.Reason.IO, e.getMessage(), e);
        }
    }

    // ---- internals shared with FileStream ----

    /** A loaded block: raw bytes, or a decoded dag-pb node with its UnixFS Data. */
    static final class Node {
        final byte[] block;
        final byte[] raw;
        final PbNode node;
        final UnixFsData data;

        Node(byte[] block, byte[] raw, PbNode node, UnixFsData data) {
            this.block = block;
            this.raw = raw;
            this.node = node;
            this.data = data;
        }
    }

    private byte[] blockOf(Cid cid) {
        byte[] b = blocks.get(cid);
        if (b == null) {
            throw new IpldException(IpldException.Reason.NOT_FOUND, "block " + cid + " is not available");
        }
        return b;
    }

    Node load(Cid cid) {
        byte[] b = blocks.get(cid);
        if (b == null) {
            throw new IpldException(IpldException.Reason.NOT_FOUND, "block " + cid + " is not available");
        }
        if (cid.codec() == Multicodec.RAW) {
            return new Node(b, b, null, null);
        }
        if (cid.codec() != Multicodec.DAG_PB) {
            throw bad(cid, "not UnixFS: codec " + Multicodec.name(cid.codec()));
        }
        PbNode pb = DagPb.decode(b);
        UnixFsData d;
        try {
            d = UnixFsData.decode(pb.data());
        } catch (IpldException e) {
            throw bad(cid, e.getMessage());
        }
        return new Node(b, null, pb, d);
    }

    /** Validates a File/Raw node's own shape and returns its file size. */
    static long checkedFileSize(Cid cid, Node n) {
        UnixFsData d = n.data;
        if (d.blocksizes().length != n.node.links().size()) {
            throw bad(cid, "file node has " + n.node.links().size() + " links but " + d.blocksizes().length + " blocksizes");
        }
        long content = d.contentSize();
        if (d.filesize() != null && d.filesize() != content) {
            throw bad(cid, "filesize " + d.filesize() + " differs from data plus blocksizes " + content);
        }
        return content;
    }

    static IpldException bad(Cid cid, String message) {
        return new IpldException(IpldException.Reason.BAD_UNIXFS, cid + ": " + message);
    }

    /** Depth-first walk over a HAMT's shard nodes, yielding entries in bucket order. */
    private final class HamtIterator implements Iterator<DirEntry> {
        private final Deque<HamtShard> shards = new ArrayDeque<>();
        private final Deque<int[]> next = new ArrayDeque<>();
        private DirEntry pending;

        HamtIterator(HamtShard root) {
            shards.push(root);
            next.push(new int[1]);
        }

        @Override
        public boolean hasNext() {
            while (pending == null && !shards.isEmpty()) {
                HamtShard s = shards.peek();
                int[] i = next.peek();
                if (i[0] >= s.size()) {
                    shards.pop();
                    next.pop();
                    continue;
                }
                int at = i[0]++;
                if (s.isShard(at)) {
                    if (shards.size() >= MAX_DEPTH) {
                        throw bad(s.cid(), "HAMT deeper than " + MAX_DEPTH);
                    }
                    Cid c = s.link(at).cid();
                    shards.push(s.child(c, blockOf(c)));
                    next.push(new int[1]);
                } else {
                    pending = s.entry(at);
                }
            }
            return pending != null;
        }

        @Override
        public DirEntry next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            DirEntry e = pending;
            pending = null;
            return e;
        }
    }
}
