package venus.retrieval.ipld.unixfs;

import venus.retrieval.ipld.IpldException;

/**
 * The IPIP-499 UnixFS CID profiles: the import parameters that make a CID reproducible across
 * implementations. Both use sha2-256, fixed-size chunking, the balanced layout, HAMT fanout 256
 * and a 256 KiB sharding threshold; they differ in CID version, leaves, chunk size, DAG width
 * and how the directory size is estimated against the threshold.
 */
public enum UnixFsProfile {
    /** CIDv1, raw leaves, 1 MiB chunks, 1024 links per node, threshold on the serialized block size. */
    UNIXFS_V1_2025("unixfs-v1-2025", 1, true, 1 << 20, 1024, ShardSplit.BLOCK_BYTES),
    /** CIDv0, dag-pb File leaves, 256 KiB chunks, 174 links per node, threshold on names plus CIDs. */
    UNIXFS_V0_2015("unixfs-v0-2015", 0, false, 256 << 10, 174, ShardSplit.LINKS_BYTES);

    /** Directory size estimate compared with the sharding threshold. */
    public enum ShardSplit {
        /** Sum of link name bytes and CID bytes. */
        LINKS_BYTES,
        /** The exact serialized size of the dag-pb directory node. */
        BLOCK_BYTES
    }

    /** Directories whose size estimate exceeds this many bytes become HAMTs. */
    public static final long SHARD_THRESHOLD_BYTES = 256 << 10;
    /** HAMT fanout. */
    public static final int FANOUT = 256;

    private final String id;
    private final int cidVersion;
    private final boolean rawLeaves;
    private final int chunkSize;
    private final int maxLinks;
    private final ShardSplit shardSplit;

    UnixFsProfile(String id, int cidVersion, boolean rawLeaves, int chunkSize, int maxLinks, ShardSplit shardSplit) {
        this.id = id;
        this.cidVersion = cidVersion;
        this.rawLeaves = rawLeaves;
        this.chunkSize = chunkSize;
        this.maxLinks = maxLinks;
        this.shardSplit = shardSplit;
    }

    /** The profile for its IPIP-499 name. */
    public static UnixFsProfile of(String id) {
        for (UnixFsProfile p : values()) {
            if (p.id.equals(id)) {
                return p;
            }
        }
        throw new IpldException(IpldException.Reason.UNSUPPORTED,
                "unknown UnixFS profile \"" + id + "\" (known: unixfs-v1-2025, unixfs-v0-2015)");
    }

    /** The IPIP-499 name. */
    public String id() {
        return id;
    }

    /** CID version of dag-pb nodes (leaves are raw CIDv1 when {@link #rawLeaves()}). */
    public int cidVersion() {
        return cidVersion;
    }

    /** True for raw-codec leaves, false for dag-pb File leaves. */
    public boolean rawLeaves() {
        return rawLeaves;
    }

    /** Fixed chunk size in bytes. */
    public int chunkSize() {
        return chunkSize;
    }

    /** Most links in one file node (the balanced layout's width). */
    public int maxLinks() {
        return maxLinks;
    }

    /** How a directory's size is estimated against {@link #SHARD_THRESHOLD_BYTES}. */
    public ShardSplit shardSplit() {
        return shardSplit;
    }

    @Override
    public String toString() {
        return id;
    }
}
