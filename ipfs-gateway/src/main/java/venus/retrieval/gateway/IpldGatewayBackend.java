package venus.retrieval.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import venus.retrieval.blockstore.BlockSource;
import venus.retrieval.blockstore.PieceDirectory;
import venus.retrieval.ipld.BlockGetter;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.cbor.DagCbor;
import venus.retrieval.ipld.json.DagJson;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.ipld.traversal.DagTraversal;
import venus.retrieval.ipld.traversal.Visit;
import venus.retrieval.ipld.unixfs.UnixFsNode;
import venus.retrieval.ipld.unixfs.UnixFsReader;

/**
 * The {@link GatewayBackend} over the node's shared parts: blocks from one {@link BlockGetter}
 * (the block source: cache, LMDB, piece files), UnixFS through {@link UnixFsReader}, CAR walks
 * through the one {@link DagTraversal} (with {@link UnixFsScopes} selectors for {@code dag-scope}
 * and {@code entity-bytes}), dag-cbor/dag-json through the shared codecs. Pieces and block
 * locations come from two small lookups the blockstore answers.
 */
public final class IpldGatewayBackend implements GatewayBackend {
    /** Finds a piece by piece CID (v1 or v2). */
    @FunctionalInterface
    public interface PieceLookup {
        Optional<PieceInfo> piece(Cid pieceCid);
    }

    /** Finds where a block's bytes lie in a file. */
    @FunctionalInterface
    public interface BlockLocator {
        Optional<FileSlice> locate(Cid cid);
    }

    private static final int READ_CHUNK = 64 * 1024;

    private final BlockGetter blocks;
    private final UnixFsReader unixfs;
    private final PieceLookup pieces;
    private final BlockLocator locator;
    private final boolean zeroCopyFiles;

    /** Blocks only: no pieces, no zero-copy locations. */
    public IpldGatewayBackend(BlockGetter blocks) {
        this(blocks, cid -> Optional.empty(), cid -> Optional.empty(), false);
    }

    public IpldGatewayBackend(BlockGetter blocks, PieceLookup pieces, BlockLocator locator) {
        this(blocks, pieces, locator, true);
    }

    private IpldGatewayBackend(BlockGetter blocks, PieceLookup pieces, BlockLocator locator, boolean zeroCopyFiles) {
        this.zeroCopyFiles = zeroCopyFiles;
        this.blocks = BlockGetter.inlining(blocks);
        this.unixfs = new UnixFsReader(this.blocks);
        this.pieces = pieces;
        this.locator = locator;
    }

    /**
     * The node's backend: blocks from the block source (cache, LMDB, piece files), pieces from the
     * piece directory (only ready ones; a piece whose blocks are only cached has no file to serve),
     * zero-copy locations for blocks that lie in piece files.
     */
    public static IpldGatewayBackend over(BlockSource source, PieceDirectory directory) {
        PieceLookup pieces = cid -> directory.piece(cid)
                .filter(venus.retrieval.blockstore.PieceInfo::isReady)
                .map(p -> new PieceInfo(p.pieceCid(), p.file() != null && java.nio.file.Files.isRegularFile(p.file()) ? p.file() : null,
                        p.payloadSize(), p.paddedSize()));
        BlockLocator locator = cid -> source.locate(cid)
                .filter(l -> !l.cached() && l.file() != null)
                .map(l -> new FileSlice(l.file(), l.offset(), l.length()));
        return new IpldGatewayBackend(source, pieces, locator);
    }

    @Override
    public byte[] block(Cid cid) {
        return blocks.get(cid);
    }

    @Override
    public Optional<FileSlice> blockLocation(Cid cid) {
        return locator.locate(cid);
    }

    @Override
    public Optional<PieceInfo> piece(Cid pieceCid) {
        return pieces.piece(pieceCid);
    }

    @Override
    public Resolved resolve(Cid root, List<String> segments) {
        List<Cid> pathCids = new ArrayList<>();
        List<Cid> pathBlocks = new ArrayList<>();
        pathCids.add(root);
        Cid current = root;
        int i = 0;
        try {
            while (i < segments.size()) {
                long codec = current.codec();
                if (codec == Multicodec.DAG_PB) {
                    UnixFsNode n = unixfs.stat(current);
                    if (!n.isDirectory()) {
                        throw notFound("/" + String.join("/", segments.subList(0, i)) + " is a " + n.kind().name().toLowerCase(java.util.Locale.ROOT)
                                + ", not a directory: cannot resolve \"" + segments.get(i) + "\"");
                    }
                    Recording rec = new Recording(blocks);
                    venus.retrieval.ipld.unixfs.DirEntry e = new UnixFsReader(rec).lookup(current, segments.get(i));
                    for (Cid c : rec.loaded) {
                        if (pathBlocks.isEmpty() || !pathBlocks.get(pathBlocks.size() - 1).equals(c)) {
                            pathBlocks.add(c);
                        }
                    }
                    if (e == null) {
                        throw notFound("no link named \"" + segments.get(i) + "\" under /" + String.join("/", segments.subList(0, i)));
                    }
                    current = e.cid();
                    pathCids.add(current);
                    i++;
                } else if (codec == Multicodec.DAG_CBOR || codec == Multicodec.DAG_JSON) {
                    byte[] data = blocks.get(current);
                    if (data == null) {
                        throw notFound(current + " is not held by this node");
                    }
                    Node node = codec == Multicodec.DAG_CBOR ? DagCbor.decode(data) : DagJson.decode(data);
                    pathBlocks.add(current);
                    Cid next = null;
                    while (i < segments.size() && next == null) {
                        String seg = segments.get(i);
                        Node child = switch (node.kind()) {
                            case MAP -> node.get(seg);
                            case LIST -> listElement(node, seg);
                            default -> throw new GatewayException(GatewayException.Reason.NOT_IMPLEMENTED,
                                    "path continues into a " + node.kind().name().toLowerCase(java.util.Locale.ROOT) + " at \"" + seg + "\"");
                        };
                        if (child == null) {
                            throw notFound("no field \"" + seg + "\" in " + current);
                        }
                        i++;
                        if (child.kind() == venus.retrieval.ipld.model.Kind.LINK) {
                            next = child.asCid();
                        } else {
                            node = child;
                        }
                    }
                    if (next == null) {
                        throw new GatewayException(GatewayException.Reason.NOT_IMPLEMENTED,
                                "path ends inside block " + current + " at a " + node.kind().name().toLowerCase(java.util.Locale.ROOT)
                                        + ", not at a link (only whole blocks are served)");
                    }
                    current = next;
                    pathCids.add(current);
                } else {
                    throw notFound(current + " (" + Multicodec.name(codec) + ") has no named children: cannot resolve \"" + segments.get(i) + "\"");
                }
            }
        } catch (IpldException e) {
            throw map(e);
        }
        return new Resolved(current, pathCids, pathBlocks, segments.isEmpty() ? null : segments.get(segments.size() - 1));
    }

    private static Node listElement(Node list, String seg) {
        try {
            int idx = Integer.parseInt(seg);
            return idx >= 0 && idx < list.size() ? list.get(idx) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public Entity entity(Cid cid) {
        long codec = cid.codec();
        try {
            if (codec == Multicodec.RAW) {
                byte[] b = blocks.get(cid);
                if (b == null) {
                    throw notFound(cid + " is not held by this node");
                }
                return Entity.file(b.length);
            }
            if (codec == Multicodec.DAG_PB) {
                UnixFsNode n = unixfs.stat(cid);
                return switch (n.kind()) {
                    case FILE -> Entity.file(n.size());
                    case DIRECTORY -> Entity.of(Kind.DIRECTORY);
                    case HAMT_DIRECTORY -> Entity.of(Kind.HAMT_DIRECTORY);
                    case SYMLINK -> new Entity(Kind.SYMLINK, n.size(), n.target());
                };
            }
        } catch (IpldException e) {
            throw map(e);
        }
        if (codec == Multicodec.DAG_CBOR) {
            return Entity.of(Kind.DAG_CBOR);
        }
        if (codec == Multicodec.DAG_JSON) {
            return Entity.of(Kind.DAG_JSON);
        }
        if (codec == Multicodec.JSON) {
            return Entity.of(Kind.JSON);
        }
        if (codec == Multicodec.CBOR) {
            return Entity.of(Kind.CBOR);
        }
        return Entity.of(Kind.OTHER);
    }

    @Override
    public void readFile(Cid file, long offset, long length, BodySink sink) throws IOException {
        if (zeroCopyFiles && offset == 0 && file.codec() == Multicodec.DAG_PB && wholeFileFromPieces(file, length, sink)) {
            return;
        }
        InputStream in;
        try {
            in = unixfs.open(file, offset, length);
        } catch (IpldException e) {
            throw map(e);
        }
        byte[] buf = new byte[(int) Math.min(READ_CHUNK, Math.max(1, length))];
        try (in) {
            long left = length;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new IOException("file " + file + " ended " + left + " bytes early");
                }
                sink.write(buf, 0, n);
                left -= n;
            }
        } catch (IpldException e) {
            // The status line may be out already: the caller truncates the response.
            throw new IOException("reading " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * A whole multi-block file whose raw leaves lie in piece files: the leaves go out as file
     * slices (sendfile on cleartext HTTP/1.1) instead of being read, re-hashed and copied. The
     * shared traversal walks the file DAG in order (dups on: a repeated leaf is repeated content);
     * the file is the concatenation of each node's own data, DFS pre-order. Leaf bytes are not
     * re-verified here: the piece was verified when it was imported.
     */
    private boolean wholeFileFromPieces(Cid file, long length, BodySink sink) throws IOException {
        UnixFsNode n;
        try {
            n = unixfs.stat(file);
        } catch (IpldException e) {
            throw map(e);
        }
        if (n.kind() != UnixFsNode.Kind.FILE || n.size() != length) {
            return false;
        }
        LocatingGetter getter = new LocatingGetter(blocks, locator);
        long written = 0;
        try {
            Iterator<Visit> it = DagTraversal.over(getter).withDups(true).iterator(file);
            while (it.hasNext()) {
                Visit v = it.next();
                if (v.cid().codec() == Multicodec.RAW) {
                    FileSlice slice = getter.sliceOf(v.cid());
                    if (slice != null) {
                        sink.writeFile(slice.file(), slice.offset(), slice.length());
                        written += slice.length();
                    } else {
                        sink.write(v.data(), 0, v.data().length);
                        written += v.data().length;
                    }
                } else if (v.cid().codec() == Multicodec.DAG_PB) {
                    byte[] pbData = venus.retrieval.ipld.pb.DagPb.decode(v.data()).data();
                    byte[] own = pbData == null ? null : venus.retrieval.ipld.unixfs.UnixFsData.decode(pbData).data();
                    if (own != null) {
                        sink.write(own, 0, own.length);
                        written += own.length;
                    }
                } else {
                    throw new IOException("file " + file + " links a " + Multicodec.name(v.cid().codec()) + " block");
                }
            }
        } catch (IpldException e) {
            throw new IOException("reading " + file + ": " + e.getMessage(), e);
        }
        if (written != length) {
            throw new IOException("file " + file + " has " + written + " bytes of data, its root says " + length);
        }
        return true;
    }

    /** Answers raw leaves that lie in a piece file without reading them; remembers the last slice. */
    private static final class LocatingGetter implements BlockGetter {
        private static final byte[] NOT_READ = new byte[0];
        private final BlockGetter inner;
        private final BlockLocator locator;
        private Cid lastCid;
        private FileSlice lastSlice;

        LocatingGetter(BlockGetter inner, BlockLocator locator) {
            this.inner = inner;
            this.locator = locator;
        }

        @Override
        public byte[] get(Cid cid) {
            if (cid.codec() == Multicodec.RAW && !cid.isIdentity()) {
                Optional<FileSlice> s = locator.locate(cid);
                if (s.isPresent()) {
                    // The traversal never decodes raw blocks: it only needs to know the block exists.
                    lastCid = cid;
                    lastSlice = s.get();
                    return NOT_READ;
                }
            }
            return inner.get(cid);
        }

        /** The slice found for {@code cid} by the last lookup (the traversal loads a block right before yielding it). */
        FileSlice sliceOf(Cid cid) {
            return cid.equals(lastCid) ? lastSlice : null;
        }
    }

    @Override
    public List<DirEntry> list(Cid directory) {
        List<DirEntry> out = new ArrayList<>();
        try {
            for (venus.retrieval.ipld.unixfs.DirEntry e : unixfs.entries(directory)) {
                out.add(new DirEntry(e.name(), e.cid(), e.tsize() == null ? -1 : e.tsize()));
            }
        } catch (IpldException e) {
            throw map(e);
        }
        return out;
    }

    @Override
    public void walk(Cid root, DagScope scope, ByteSpan range, boolean dups, BlockVisitor visitor) throws IOException {
        DagTraversal t = DagTraversal.over(blocks).withDups(dups);
        try {
            t = switch (scope) {
                case BLOCK -> t.withMaxDepth(0);
                case ALL -> t;
                case ENTITY -> entityScope(t, root, range);
            };
            Iterator<Visit> it = t.iterator(root);
            while (it.hasNext()) {
                Visit v = it.next();
                visitor.block(v.cid(), v.data());
            }
        } catch (IpldException e) {
            throw new IOException("walking " + root + ": " + e.getMessage(), e);
        }
    }

    private DagTraversal entityScope(DagTraversal t, Cid root, ByteSpan range) {
        if (root.codec() != Multicodec.DAG_PB) {
            return t.withMaxDepth(0); // a raw leaf or a dag-cbor/json document: the block is the entity
        }
        UnixFsNode n = unixfs.stat(root);
        return switch (n.kind()) {
            case FILE -> range == null ? t : t.withSelector(UnixFsScopes.fileRange(range.from(), range.to()));
            case HAMT_DIRECTORY -> t.withSelector(UnixFsScopes.hamtShards());
            case DIRECTORY, SYMLINK -> t.withMaxDepth(0);
        };
    }

    private static GatewayException notFound(String m) {
        return new GatewayException(GatewayException.Reason.NOT_FOUND, m);
    }

    /** IPLD failures as client-facing statuses: missing content is 404, malformed content a 502-free 500 with the reason. */
    static GatewayException map(IpldException e) {
        return switch (e.reason()) {
            case NOT_FOUND -> new GatewayException(GatewayException.Reason.NOT_FOUND, e.getMessage(), e);
            case UNSUPPORTED -> new GatewayException(GatewayException.Reason.NOT_IMPLEMENTED, e.getMessage(), e);
            default -> new GatewayException(GatewayException.Reason.INTERNAL, "content is malformed: " + e.getMessage(), e);
        };
    }

    /** Records the CIDs of the blocks a lookup loads, in order (the path blocks of a CAR response). */
    private static final class Recording implements BlockGetter {
        private final BlockGetter inner;
        final List<Cid> loaded = new ArrayList<>();

        Recording(BlockGetter inner) {
            this.inner = inner;
        }

        @Override
        public byte[] get(Cid cid) {
            byte[] d = inner.get(cid);
            if (d != null) {
                loaded.add(cid);
            }
            return d;
        }
    }
}
