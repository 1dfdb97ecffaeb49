package venus.retrieval.ipld.unixfs;

import java.util.List;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.pb.DagPb;
import venus.retrieval.ipld.pb.PbLink;
import venus.retrieval.ipld.pb.PbNode;

/**
 * One validated block of a HAMT-sharded UnixFS directory: the one place that knows how a name
 * maps to a bucket and how a link label says "sub-shard" or "entry". {@link UnixFsReader} walks
 * HAMTs with it, and so does the selector traversal when it interprets a directory as UnixFS
 * (there the caller loads each sub-shard itself, one block at a time, so every load is seen).
 */
public final class HamtShard {
    private final Cid cid;
    private final List<PbLink> links;
    private final long fanout;
    private final int bits;
    private final int labelLen;

    private HamtShard(Cid cid, PbNode node, UnixFsData data) {
        if (data.type() != UnixFsData.Type.HAMT_SHARD) {
            throw UnixFsReader.bad(cid, "HAMT shard is not a HAMTShard node but a " + data.type());
        }
        if (data.hashType() == null || data.hashType() != Hamt.MURMUR3_X64_64) {
            throw UnixFsReader.bad(cid, "HAMT hashType must be 0x22 (murmur3-x64-64), got " + data.hashType());
        }
        try {
            this.bits = Hamt.bits(data.fanout());
        } catch (IpldException e) {
            throw UnixFsReader.bad(cid, e.getMessage());
        }
        this.cid = cid;
        this.links = node.links();
        this.fanout = data.fanout();
        this.labelLen = Hamt.labelLength(fanout);
    }

    /** A shard from its decoded dag-pb node and UnixFS Data (BAD_UNIXFS unless a valid HAMTShard). */
    public static HamtShard of(Cid cid, PbNode node, UnixFsData data) {
        return new HamtShard(cid, node, data);
    }

    /** A shard from its block bytes (BAD_BLOCK when not dag-pb, BAD_UNIXFS unless a valid HAMTShard). */
    public static HamtShard decode(Cid cid, byte[] block) {
        if (cid.codec() != Multicodec.DAG_PB) {
            throw UnixFsReader.bad(cid, "HAMT shard is not dag-pb");
        }
        PbNode pb = DagPb.decode(block);
        UnixFsData d;
        try {
            d = UnixFsData.decode(pb.data());
        } catch (IpldException e) {
            throw UnixFsReader.bad(cid, e.getMessage());
        }
        return new HamtShard(cid, pb, d);
    }

    /**
     * A sub-shard this shard links to, checked against this one (same fanout), from its block.
     */
    public HamtShard child(Cid childCid, byte[] block) {
        HamtShard c = decode(childCid, block);
        if (c.fanout != fanout) {
            throw UnixFsReader.bad(childCid, "HAMT child shard has fanout " + c.fanout + ", parent has " + fanout);
        }
        return c;
    }

    /** This shard's CID. */
    public Cid cid() {
        return cid;
    }

    /** Number of links (sub-shards and entries). */
    public int size() {
        return links.size();
    }

    /** Link {@code i}. */
    public PbLink link(int i) {
        return links.get(i);
    }

    /** Whether link {@code i} points to a sub-shard (its name is the bucket label alone). */
    public boolean isShard(int i) {
        return label(i).length() == labelLen;
    }

    /** Link {@code i} as a directory entry (name without the bucket label); only for non-shard links. */
    public DirEntry entry(int i) {
        PbLink l = links.get(i);
        return new DirEntry(label(i).substring(labelLen), l.cid(), l.tsize());
    }

    /** The 64-bit hash a lookup of {@code name} follows down the levels. */
    public static long hash(String name) {
        return Hamt.hash(name);
    }

    /**
     * The link a lookup of {@code name} (with {@code hash}) takes at this shard, {@code depth} levels
     * below the root: a sub-shard of its bucket (check {@link #isShard}) or the entry named
     * {@code name}; -1 when the name is not in this directory.
     */
    public int find(String name, long hash, int depth) {
        int index = Hamt.index(hash, depth, bits);
        for (int i = 0; i < links.size(); i++) {
            String ln = label(i);
            if (Hamt.parseLabel(ln, labelLen) != index) {
                continue;
            }
            if (ln.length() == labelLen || ln.substring(labelLen).equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private String label(int i) {
        String ln = links.get(i).name();
        if (ln == null || ln.length() < labelLen || Hamt.parseLabel(ln, labelLen) < 0) {
            throw UnixFsReader.bad(cid, "HAMT link name \"" + ln + "\" lacks a " + labelLen + "-hex-digit bucket label");
        }
        return ln;
    }
}
