package venus.retrieval.ipld.unixfs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.Multihash;
import venus.retrieval.ipld.car.BlockSink;
import venus.retrieval.ipld.pb.DagPb;
import venus.retrieval.ipld.pb.PbLink;
import venus.retrieval.ipld.pb.PbNode;

/**
 * Builds UnixFS DAGs the way ipfs-unixfs-importer does under an IPIP-499 profile, so that the
 * same bytes give the same root CID. Files stream: one chunk and one pending link list per tree
 * level in memory. Directories hold their entries (name, CID, size) while they are built.
 *
 * <p>Reproduced importer behaviour: a file of one chunk is that chunk's leaf (with raw leaves the
 * root is a raw block); an empty file is one empty leaf; the balanced layout packs leaves
 * {@code maxLinks} at a time level by level; links carry an empty name and the child's DAG size;
 * directory links are sorted by name bytes; a directory becomes a HAMT (fanout 256, murmur3) when
 * its size estimate exceeds the threshold, where (as in the importer) subdirectories that have
 * entries count zero towards the estimate. Mode and mtime are not written (the profiles exclude
 * them).
 *
 * <p>Blocks go to the {@link BlockSink} as they are made, children before parents; a block is
 * given once (identical chunks are deduplicated, up to {@link #DEDUP_LIMIT} distinct CIDs).
 */
public final class UnixFsBuilder {
    /** Distinct CIDs remembered for deduplication (about 10 MB); beyond this a repeated block may be written again. */
    public static final int DEDUP_LIMIT = 1 << 16;

    private final UnixFsProfile profile;
    private final int chunkSize;
    private final int maxLinks;
    private final BlockSink sink;
    private final long shardThreshold;
    private final boolean includeHidden;
    private final Set<Cid> written = new HashSet<>();

    /**
     * A node made by the builder.
     *
     * @param cid         its root
     * @param dagSize     the cumulative size of its blocks (what a parent link's Tsize says)
     * @param contentSize file bytes under it (files); 0 for directories and symlinks
     * @param populatedDirectory true for a directory with at least one entry (counts zero in a
     *                    parent's sharding estimate, as in the importer)
     */
    public record Built(Cid cid, long dagSize, long contentSize, boolean populatedDirectory) {}

    /** A named child of a directory. */
    public record Entry(String name, Built node) {}

    /** A builder for {@code profile} with the profile's sharding threshold, skipping hidden files. */
    public UnixFsBuilder(UnixFsProfile profile, BlockSink sink) {
        this(profile, sink, UnixFsProfile.SHARD_THRESHOLD_BYTES, false);
    }

    /**
     * A builder with an explicit sharding threshold (the importer's {@code shardSplitThresholdBytes})
     * and whether {@link #add(Path)} includes names starting with a dot.
     */
    public UnixFsBuilder(UnixFsProfile profile, BlockSink sink, long shardThresholdBytes, boolean includeHidden) {
        this(profile, sink, shardThresholdBytes, includeHidden, profile.chunkSize(), profile.maxLinks());
    }

    /**
     * A builder with the profile's CID version, leaves and sharding but another chunk size and DAG
     * width (tests rebuild the vectors' 64 KiB / 11-link balanced DAGs with it).
     */
    UnixFsBuilder(UnixFsProfile profile, BlockSink sink, long shardThresholdBytes, boolean includeHidden, int chunkSize,
            int maxLinks) {
        if (chunkSize < 1 || maxLinks < 2) {
            throw new IllegalArgumentException("chunk size must be positive and a node must take at least 2 links");
        }
        this.chunkSize = chunkSize;
        this.maxLinks = maxLinks;
        this.profile = profile;
        this.sink = sink;
        this.shardThreshold = shardThresholdBytes;
        this.includeHidden = includeHidden;
    }

    /** The profile in use. */
    public UnixFsProfile profile() {
        return profile;
    }

    // ---------------------------------------------------------------- files

    /** Imports a file from a stream (read to its end, not closed). */
    public Built file(InputStream in) throws IOException {
        List<List<Built>> pending = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        Built first = null;
        long leaves = 0;
        while (true) {
            byte[] chunk = in.readNBytes(chunkSize);
            if (chunk.length == 0 && leaves > 0) {
                break;
            }
            Built leaf = leaf(chunk);
            leaves++;
            if (leaves == 1) {
                first = leaf;
            }
            push(pending, counts, 0, leaf, maxLinks);
            if (chunk.length < chunkSize) {
                break;
            }
        }
        if (leaves == 1) {
            return first; // one chunk: the leaf is the file
        }
        for (int level = 0; ; level++) {
            List<Built> p = pending.get(level);
            if (level > 0 && counts.get(level) == 1) {
                return p.get(0);
            }
            if (!p.isEmpty()) {
                Built parent = fileNode(p);
                p.clear();
                push(pending, counts, level + 1, parent, maxLinks);
            }
        }
    }

    /** Imports a byte array as a file. */
    public Built file(byte[] bytes) {
        try {
            return file(new java.io.ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void push(List<List<Built>> pending, List<Long> counts, int level, Built b, int maxLinks) {
        while (pending.size() <= level) {
            pending.add(new ArrayList<>());
            counts.add(0L);
        }
        List<Built> p = pending.get(level);
        p.add(b);
        counts.set(level, counts.get(level) + 1);
        if (p.size() == maxLinks) {
            Built parent = fileNode(p);
            p.clear();
            push(pending, counts, level + 1, parent, maxLinks);
        }
    }

    private Built leaf(byte[] chunk) {
        if (profile.rawLeaves()) {
            Cid cid = Cid.of(Multicodec.RAW, chunk);
            emit(cid, chunk);
            return new Built(cid, chunk.length, chunk.length, false);
        }
        UnixFsData d = new UnixFsData(UnixFsData.Type.FILE, chunk, (long) chunk.length, null, null, null, null, null);
        byte[] block = DagPb.encode(new PbNode(List.of(), d.encode()));
        Cid cid = pbCid(block);
        emit(cid, block);
        return new Built(cid, block.length, chunk.length, false);
    }

    private Built fileNode(List<Built> children) {
        long[] sizes = new long[children.size()];
        List<PbLink> links = new ArrayList<>(children.size());
        long dag = 0;
        long content = 0;
        for (int i = 0; i < sizes.length; i++) {
            Built c = children.get(i);
            sizes[i] = c.contentSize();
            content += c.contentSize();
            dag += c.dagSize();
            links.add(new PbLink(c.cid(), "", c.dagSize()));
        }
        byte[] block = DagPb.encode(new PbNode(links, UnixFsData.file(null, sizes).encode()));
        Cid cid = pbCid(block);
        emit(cid, block);
        return new Built(cid, block.length + dag, content, false);
    }

    // ---------------------------------------------------------------- symlinks and directories

    /** A symlink node holding {@code target}. */
    public Built symlink(String target) {
        byte[] block = DagPb.encode(new PbNode(List.of(), UnixFsData.symlink(target.getBytes(StandardCharsets.UTF_8)).encode()));
        Cid cid = pbCid(block);
        emit(cid, block);
        return new Built(cid, block.length, 0, false);
    }

    /** A directory of already-built entries: plain, or a HAMT when its estimate exceeds the threshold. */
    public Built directory(List<Entry> entries) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparing(e -> e.name().getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).name().equals(sorted.get(i - 1).name())) {
                throw new IpldException(IpldException.Reason.BAD_UNIXFS, "duplicate directory entry \"" + sorted.get(i).name() + "\"");
            }
        }
        for (Entry e : sorted) {
            if (e.name().isEmpty() || e.name().contains("/")) {
                throw new IpldException(IpldException.Reason.BAD_UNIXFS, "invalid directory entry name \"" + e.name() + "\"");
            }
        }
        if (estimate(sorted) > shardThreshold) {
            return shard(sorted, 0);
        }
        List<PbLink> links = new ArrayList<>(sorted.size());
        long dag = 0;
        for (Entry e : sorted) {
            links.add(new PbLink(e.node().cid(), e.name(), e.node().dagSize()));
            dag += e.node().dagSize();
        }
        byte[] block = DagPb.encode(new PbNode(links, UnixFsData.directory().encode()));
        Cid cid = pbCid(block);
        emit(cid, block);
        return new Built(cid, block.length + dag, 0, !sorted.isEmpty());
    }

    /** The importer's size estimate for a plain directory holding {@code entries}. */
    long estimate(List<Entry> entries) {
        long size = profile.shardSplit() == UnixFsProfile.ShardSplit.BLOCK_BYTES ? 4 : 0; // Data: 0a 02 08 01
        for (Entry e : entries) {
            if (e.node().populatedDirectory()) {
                continue; // not yet flushed when the importer estimates: it has no CID, so counts zero
            }
            int name = e.name().getBytes(StandardCharsets.UTF_8).length;
            int cid = e.node().cid().byteLength();
            if (profile.shardSplit() == UnixFsProfile.ShardSplit.LINKS_BYTES) {
                size += name + cid;
            } else {
                int link = 1 + varintSize(cid) + cid + 1 + varintSize(name) + name + 1 + varintSize(e.node().dagSize());
                size += 1 + varintSize(link) + link;
            }
        }
        return size;
    }

    private Built shard(List<Entry> entries, int depth) {
        int bits = Hamt.bits((long) UnixFsProfile.FANOUT);
        int labelLen = Hamt.labelLength(UnixFsProfile.FANOUT);
        List<List<Entry>> buckets = new ArrayList<>(UnixFsProfile.FANOUT);
        for (int i = 0; i < UnixFsProfile.FANOUT; i++) {
            buckets.add(null);
        }
        for (Entry e : entries) {
            int idx = Hamt.index(Hamt.hash(e.name()), depth, bits);
            if (buckets.get(idx) == null) {
                buckets.set(idx, new ArrayList<>(2));
            }
            buckets.get(idx).add(e);
        }
        java.math.BigInteger bitfield = java.math.BigInteger.ZERO;
        List<PbLink> links = new ArrayList<>();
        long dag = 0;
        for (int i = 0; i < buckets.size(); i++) {
            List<Entry> b = buckets.get(i);
            if (b == null) {
                continue;
            }
            bitfield = bitfield.setBit(i);
            String label = Hamt.label(i, labelLen);
            if (b.size() == 1) {
                Entry e = b.get(0);
                links.add(new PbLink(e.node().cid(), label + e.name(), e.node().dagSize()));
                dag += e.node().dagSize();
            } else {
                Built child = shard(b, depth + 1);
                links.add(new PbLink(child.cid(), label, child.dagSize()));
                dag += child.dagSize();
            }
        }
        // minimal big-endian bytes of the bitmap (what the importer writes), at least one byte
        byte[] bf = bitfield.toByteArray();
        if (bf.length > 1 && bf[0] == 0) {
            bf = Arrays.copyOfRange(bf, 1, bf.length);
        }
        byte[] block = DagPb.encode(new PbNode(links, UnixFsData.hamtShard(bf, UnixFsProfile.FANOUT).encode()));
        Cid cid = pbCid(block);
        emit(cid, block);
        return new Built(cid, block.length + dag, 0, true);
    }

    // ---------------------------------------------------------------- filesystem

    /**
     * Imports a file or a directory tree. Symlinks inside a tree are kept as UnixFS symlinks (the
     * profiles' "preserved"); {@code path} itself is followed. Hidden names (leading dot) are
     * skipped unless the builder includes them.
     */
    public Built add(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            return addDirectory(path);
        }
        if (!Files.isRegularFile(path)) {
            throw new java.nio.file.NoSuchFileException(path.toString(), null, "not a regular file or directory");
        }
        try (InputStream in = Files.newInputStream(path)) {
            return file(in);
        }
    }

    private Built addDirectory(Path dir) throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (!includeHidden && name.startsWith(".")) {
                    continue;
                }
                Built b;
                if (Files.isSymbolicLink(p)) {
                    b = symlink(Files.readSymbolicLink(p).toString());
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    b = addDirectory(p);
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    try (InputStream in = Files.newInputStream(p)) {
                        b = file(in);
                    }
                } else {
                    continue; // sockets, devices, fifos: not representable in UnixFS
                }
                entries.add(new Entry(name, b));
            }
        }
        return directory(entries);
    }

    // ---------------------------------------------------------------- blocks

    private Cid pbCid(byte[] block) {
        Multihash mh = Multihash.compute(Multicodec.SHA2_256, block);
        return profile.cidVersion() == 0 ? Cid.v0(mh) : Cid.v1(Multicodec.DAG_PB, mh);
    }

    private void emit(Cid cid, byte[] block) {
        if (written.contains(cid)) {
            return;
        }
        if (written.size() < DEDUP_LIMIT) {
            written.add(cid);
        }
        sink.put(cid, block);
    }

    private static int varintSize(long v) {
        int n = 1;
        while ((v >>>= 7) != 0) {
            n++;
        }
        return n;
    }
}
