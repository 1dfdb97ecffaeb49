package venus.retrieval.gateway;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import venus.retrieval.ipld.Cid;

/**
 * The one narrow interface the HTTP code talks to (boxo-style): everything the gateway needs from
 * storage and IPLD, nothing about HTTP. The node implements it over the shared block source, piece
 * directory, UnixFS reader and DAG traversal ({@link IpldGatewayBackend}); tests can swap it. It
 * never fetches from the network: what is not held is "not found".
 *
 * <p>Methods throw {@link GatewayException} ({@code NOT_FOUND}, {@code BAD_REQUEST},
 * {@code NOT_IMPLEMENTED}) for content problems the client should see.
 */
public interface GatewayBackend {

    /** The bytes of a block (identity CIDs included), or null when this node does not hold it. */
    byte[] block(Cid cid);

    /**
     * Where the bytes of block {@code cid} lie contiguously in a file (a piece file), for zero-copy
     * responses; empty when unknown or not in a file.
     */
    default Optional<FileSlice> blockLocation(Cid cid) {
        return Optional.empty();
    }

    /**
     * Resolves {@code segments} (decoded path segments) from {@code root}: through UnixFS
     * directories (plain and HAMT) and through dag-cbor/dag-json maps and lists.
     */
    Resolved resolve(Cid root, List<String> segments);

    /** What {@code cid} is: file (with size), directory, symlink, dag-cbor... Throws NOT_FOUND if not held. */
    Entity entity(Cid cid);

    /**
     * Writes bytes {@code [offset, offset + length)} of the UnixFS file or raw block {@code file},
     * reading only the blocks that overlap the range.
     */
    void readFile(Cid file, long offset, long length, BodySink sink) throws IOException;

    /** The entries of a directory (plain or HAMT-sharded), in link order. */
    List<DirEntry> list(Cid directory);

    /**
     * Walks the DAG under {@code root} in DFS link order and hands each block to {@code visitor}
     * (the root first). {@code scope} limits the walk as the trustless gateway's {@code dag-scope};
     * {@code range}, when non-null, limits a UnixFS file to the blocks overlapping it (absolute,
     * inclusive byte offsets) as {@code entity-bytes} does. With {@code dups} false a block is
     * visited once. A block not held ends the walk with {@link IOException} (the CAR is truncated).
     */
    void walk(Cid root, DagScope scope, ByteSpan range, boolean dups, BlockVisitor visitor) throws IOException;

    /** The piece with this piece CID (v1 or v2), or empty when unknown. */
    Optional<PieceInfo> piece(Cid pieceCid);

    /** Receives blocks from {@link #walk}. */
    @FunctionalInterface
    interface BlockVisitor {
        void block(Cid cid, byte[] data) throws IOException;
    }

    /** {@code dag-scope}. */
    enum DagScope {
        /** Only the terminal block. */
        BLOCK,
        /** The terminal entity: a whole file, a directory node (all shards of a HAMT), or one block for other codecs. */
        ENTITY,
        /** The whole DAG. */
        ALL
    }

    /** An inclusive byte span {@code [from, to]} within a file. */
    record ByteSpan(long from, long to) {
        public ByteSpan {
            if (from < 0 || to < from) {
                throw new IllegalArgumentException("bad byte span " + from + ".." + to);
            }
        }
    }

    /** Bytes lying contiguously in a file. */
    record FileSlice(Path file, long offset, long length) {}

    /**
     * A piece as the piece directory knows it.
     *
     * @param pieceCid the piece CID (v1)
     * @param file the unsealed piece file, or null when the piece is only cached (blocks in LMDB)
     * @param fileLength bytes of payload in {@code file}
     * @param paddedSize the padded piece size; the piece served is its unpadded size
     *        ({@code paddedSize * 127 / 128}): file bytes, then zeros
     */
    record PieceInfo(Cid pieceCid, Path file, long fileLength, long paddedSize) {}

    /** The result of path resolution. */
    record Resolved(Cid terminal, List<Cid> pathCids, List<Cid> pathBlocks, String lastName) {
        /**
         * @param terminal the node the path names
         * @param pathCids the CID of the root and of each UnixFS node a segment named (X-Ipfs-Roots)
         * @param pathBlocks every block read to resolve the path, in order, terminal excluded
         *        (HAMT shards included): the CAR response sends these first
         * @param lastName the last segment's name, or null for a bare CID
         */
        public Resolved {
            pathCids = List.copyOf(pathCids);
            pathBlocks = List.copyOf(pathBlocks);
        }
    }

    /** A directory entry. */
    record DirEntry(String name, Cid cid, long size) {}

    /** What a node is. */
    record Entity(Kind kind, long size, String symlinkTarget) {
        /** A file (UnixFS or a raw block) of {@code size} bytes. */
        public static Entity file(long size) {
            return new Entity(Kind.FILE, size, null);
        }

        /** A node of another kind. */
        public static Entity of(Kind kind) {
            return new Entity(kind, -1, null);
        }
    }

    /** Node kinds the path gateway distinguishes. */
    enum Kind {
        FILE, DIRECTORY, HAMT_DIRECTORY, SYMLINK, DAG_CBOR, DAG_JSON, JSON, CBOR, OTHER
    }
}
