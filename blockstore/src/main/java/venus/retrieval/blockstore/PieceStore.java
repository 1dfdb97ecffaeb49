package venus.retrieval.blockstore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import venus.retrieval.blockstore.commp.CommPHasher;
import venus.retrieval.blockstore.commp.PieceCids;
import venus.retrieval.blockstore.commp.PieceCommitment;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.car.CarBlock;
import venus.retrieval.ipld.car.CarReader;

/**
 * The node's memory in one object: the LMDB environment ({@code REPO/lmdb/}), the blockstore, the
 * piece directory, the importer and the one lookup path ({@link #blockSource()}). The caller
 * (the CLI or the daemon) holds the repository's writer lock before opening it writable; a
 * read-only store may be opened beside a running writer.
 */
public final class PieceStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PieceStore.class);
    /**
     * How to open the store.
     *
     * @param lmdb            LMDB options (read-only, map sizes)
     * @param cacheBytes      hot-block cache size in bytes (0 = no cache)
     * @param verifyFileReads re-hash every block read from a piece file before returning it; a
     *                        block whose bytes no longer match its multihash is then logged (naming
     *                        block, piece and file) and treated as absent. Off by default, as Kubo's
     *                        {@code Datastore.HashOnRead}: every block was verified at import,
     *                        {@link #verify} re-checks a piece on demand and retrieval clients
     *                        verify what they receive. Zero-copy senders ({@link BlockSource#locate})
     *                        never re-hash, whatever this says.
     * @param commpThreads    CommP worker threads during import
     */
    public record Options(LmdbEnvironment.Options lmdb, long cacheBytes, boolean verifyFileReads, int commpThreads) {
        /** Writable, 256 MiB cache, file reads not re-hashed, two CommP threads. */
        public static Options defaults() {
            return new Options(LmdbEnvironment.Options.defaults(), 256L << 20, false, 2);
        }

        public Options withReadOnly(boolean v) {
            return new Options(lmdb.withReadOnly(v), cacheBytes, verifyFileReads, commpThreads);
        }

        public Options withLmdb(LmdbEnvironment.Options v) {
            return new Options(v, cacheBytes, verifyFileReads, commpThreads);
        }

        public Options withCacheBytes(long v) {
            return new Options(lmdb, v, verifyFileReads, commpThreads);
        }

        /** Re-hash blocks read from piece files (the node's {@code blockstore.verify_reads}). */
        public Options withVerifyFileReads(boolean v) {
            return new Options(lmdb, cacheBytes, v, commpThreads);
        }
    }

    /**
     * The outcome of {@link #verify}.
     *
     * @param piece     the record checked
     * @param ok        every check passed
     * @param blocks    blocks checked
     * @param problems  what failed (empty when ok), at most a few lines
     */
    public record VerifyResult(PieceInfo piece, boolean ok, long blocks, List<String> problems) {}

    private final LmdbEnvironment env;
    private final LmdbBlockstore blockstore;
    private final LmdbPieceDirectory directory;
    private final PieceBlockSource source;
    private final PieceImporter importer;
    private final Set<Long> active = ConcurrentHashMap.newKeySet();
    private final Path piecesDir;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final List<Consumer<PieceInfo>> importListeners = new CopyOnWriteArrayList<>();
    private final Options options;

    private PieceStore(LmdbEnvironment env, Path piecesDir, Options options) {
        this.env = env;
        this.options = options;
        this.piecesDir = piecesDir;
        this.blockstore = new LmdbBlockstore(env);
        this.directory = new LmdbPieceDirectory(env, blockstore);
        this.source = new PieceBlockSource(blockstore, directory, options.cacheBytes(), options.verifyFileReads());
        this.importer = new PieceImporter(directory, piecesDir, options.commpThreads(), active, source);
    }

    /**
     * Opens the store: LMDB in {@code lmdbDir}, copied piece files in {@code piecesDir}. The
     * caller holds the repository's writer lock, so no other import is running: a writer
     * therefore finishes what a crashed process left behind — imports still {@code indexing}
     * become {@code failed} ("interrupted") with their entries removed, removals cut short are
     * completed, and temporary copies of {@code --copy} imports are deleted.
     */
    public static PieceStore open(Path lmdbDir, Path piecesDir, Options options) {
        PieceStore store = new PieceStore(LmdbEnvironment.open(lmdbDir, options.lmdb()), piecesDir, options);
        if (!options.lmdb().readOnly()) {
            try {
                store.recoverInterrupted();
            } catch (RuntimeException e) {
                store.close();
                throw e;
            }
        }
        if (!options.lmdb().readOnly() && Files.isDirectory(piecesDir)) {
            try (java.util.stream.Stream<Path> files = Files.list(piecesDir)) {
                for (Path f : files.filter(f -> f.getFileName().toString().startsWith(PieceImporter.TEMP_PREFIX)).toList()) {
                    Files.deleteIfExists(f);
                }
            } catch (IOException e) {
                store.close();
                throw new BlockstoreException(BlockstoreException.Reason.IO, "cannot clean " + piecesDir + ": " + e.getMessage(), e);
            }
        }
        return store;
    }

    private void recoverInterrupted() {
        for (PieceInfo p : directory.pieces()) {
            if (p.state() == PieceState.INDEXING) {
                LOG.info("piece import #{} of {} was interrupted; marking it failed and removing its entries", p.id(), p.file());
                directory.fail(p.id(), LmdbPieceDirectory.INTERRUPTED, () -> source.unserved(p.id()));
            } else if (p.state() == PieceState.FAILED && LmdbPieceDirectory.REMOVING.equals(p.error())) {
                LOG.info("finishing the interrupted removal of piece #{}", p.id());
                remove(p);
            } else if (p.state() == PieceState.FAILED && directory.hasEntries(p.id())) {
                directory.fail(p.id(), p.error(), () -> source.unserved(p.id()));
            }
        }
    }

    /** The LMDB environment (shared with nothing else; the payment module has its own). */
    public LmdbEnvironment environment() {
        return env;
    }

    public Blockstore blockstore() {
        return blockstore;
    }

    public PieceDirectory directory() {
        return directory;
    }

    /** The one lookup path: cache, blockstore, piece files. */
    public BlockSource blockSource() {
        return source;
    }

    /** Lookups through {@link #blockSource()} and how many the hot-block cache answered (for metrics). */
    public com.github.benmanes.caffeine.cache.stats.CacheStats cacheStats() {
        return source.cacheStats();
    }

    /** The options the store was opened with. */
    public Options options() {
        return options;
    }

    /**
     * Blocks refused since the store was opened because their piece-file bytes no longer hash to
     * their multihash (always 0 unless {@link Options#verifyFileReads()}).
     */
    public long fileReadMismatches() {
        return source.mismatches();
    }

    /**
     * Imports a CAR or unsealed piece file (see {@link PieceImporter}). Safe to call from several
     * threads; their commits interleave.
     *
     * @throws BlockstoreException {@code BAD_INPUT}, {@code PIECE_MISMATCH}, {@code FULL}, {@code IO}...;
     *         the piece is then absent and every other piece untouched
     */
    public ImportResult importPiece(Path file, ImportOptions options, ImportProgress progress) {
        ImportResult r = importer.importFile(file, options, progress);
        if (!r.alreadyPresent()) {
            for (Consumer<PieceInfo> l : importListeners) {
                try {
                    l.accept(r.piece());
                } catch (RuntimeException e) {
                    LOG.warn("import listener failed: {}", e.toString());
                }
            }
        }
        return r;
    }

    /**
     * Calls {@code listener} (on the importing thread, after the piece is ready and its blocks
     * can be read) for every import that added a piece, so servers can answer wants that arrived
     * before the blocks did. It must be quick and not throw.
     */
    public void addImportListener(Consumer<PieceInfo> listener) {
        importListeners.add(listener);
    }

    /** Stops calling {@code listener}. */
    public void removeImportListener(Consumer<PieceInfo> listener) {
        importListeners.remove(listener);
    }

    /**
     * Removes a piece (ready or left unfinished): its entries, its cached blocks no other cached
     * piece holds, and its copy in {@code pieces/}. Blocks other pieces hold stay reachable.
     *
     * @return the removed record
     * @throws BlockstoreException {@code NOT_FOUND}; {@code CONFLICT} while it is being imported
     */
    public PieceInfo remove(Cid pieceCid) {
        PieceInfo p = directory.piece(pieceCid).orElseThrow(() -> new BlockstoreException(
                BlockstoreException.Reason.NOT_FOUND, "no piece " + pieceCid));
        return remove(p);
    }

    /** Removes the record with this internal number (e.g. an interrupted import without a CID). */
    public PieceInfo remove(long id) {
        PieceInfo p = directory.piece(id).orElseThrow(() -> new BlockstoreException(
                BlockstoreException.Reason.NOT_FOUND, "no piece record #" + id));
        return remove(p);
    }

    private PieceInfo remove(PieceInfo p) {
        if (active.contains(p.id())) {
            throw new BlockstoreException(BlockstoreException.Reason.CONFLICT, "piece #" + p.id() + " is being imported");
        }
        directory.purge(p.id(), () -> source.unserved(p.id()));
        // A ready copied piece is served from its copy in pieces/ (a failed one whose removal was
        // cut short still names it); before that, the record names the source file, not ours.
        if (p.copied() && p.file() != null && (p.isReady() || p.file().startsWith(piecesDir))) {
            try {
                Files.deleteIfExists(p.file());
            } catch (IOException e) {
                throw new BlockstoreException(BlockstoreException.Reason.IO, "piece removed, but its copy " + p.file()
                        + " could not be deleted: " + e.getMessage(), e);
            }
        }
        return p;
    }

    /**
     * Checks a ready piece against its source: a file-backed piece is re-read (every block hash,
     * every indexed offset, and the piece commitment); a cached piece has every indexed block
     * read back from the blockstore and re-hashed.
     */
    public VerifyResult verify(Cid pieceCid) {
        PieceInfo p = directory.piece(pieceCid).orElseThrow(() -> new BlockstoreException(
                BlockstoreException.Reason.NOT_FOUND, "no piece " + pieceCid));
        List<String> problems = new java.util.ArrayList<>();
        if (!p.isReady()) {
            return new VerifyResult(p, false, 0, List.of("piece is " + p.state().name().toLowerCase()
                    + (p.error() == null ? "" : ": " + p.error())));
        }
        AtomicLong indexed = new AtomicLong();
        if (p.cached()) {
            directory.forEachBlock(p.id(), (mh, off, len) -> {
                indexed.incrementAndGet();
                byte[] data = blockstore.get(Cid.v1(venus.retrieval.ipld.Multicodec.RAW, mh));
                if (data == null || !mh.matches(data)) {
                    problems.add("block " + mh + " is " + (data == null ? "missing from" : "damaged in") + " the blockstore");
                }
                return problems.size() < 10;
            });
            return new VerifyResult(p, problems.isEmpty() && indexed.get() == p.blockCount(), indexed.get(),
                    indexed.get() == p.blockCount() ? problems : appended(problems, "index holds " + indexed.get()
                            + " blocks, record says " + p.blockCount()));
        }
        if (p.file() == null || !Files.isRegularFile(p.file())) {
            return new VerifyResult(p, false, 0, List.of("piece file " + p.file() + " is missing"));
        }
        // Walk the file and the index in step: both are in file order.
        java.util.Iterator<Object[]> expectedBlocks = indexIterator(p.id());
        long checked = 0;
        try (java.io.InputStream in = Files.newInputStream(p.file());
             CommPHasher hasher = new CommPHasher(2)) {
            java.io.InputStream tee = new java.io.FilterInputStream(in) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    if (n > 0) {
                        hasher.update(b, off, n);
                    }
                    return n;
                }
            };
            try (CarReader reader = CarReader.open(tee, CarReader.Options.defaults().withAllowTrailingZeros(true))) {
                for (CarBlock b; (b = reader.next()) != null; ) {
                    if (b.cid().isIdentity()) {
                        continue;
                    }
                    checked++;
                    Object[] e = expectedBlocks.hasNext() ? expectedBlocks.next() : null;
                    if (e == null || !Arrays.equals((byte[]) e[0], b.cid().multihashBytes()) || (long) e[1] != b.dataOffset()) {
                        problems.add("block " + b.cid() + " at offset " + b.dataOffset() + " does not match the index");
                        break;
                    }
                }
                byte[] buf = new byte[1 << 16];
                while (tee.read(buf, 0, buf.length) >= 0) {
                    // hash the trailing padding too (closing the reader closes the file)
                }
            }
            PieceCommitment c = hasher.finish();
            if (!c.cidV1().equals(p.pieceCid())) {
                problems.add("file hashes to " + c.cidV1() + ", not " + p.pieceCid());
            }
        } catch (IpldException e) {
            problems.add("file no longer parses: " + e.getMessage());
        } catch (IOException e) {
            problems.add("cannot read " + p.file() + ": " + e.getMessage());
        }
        if (problems.isEmpty() && (expectedBlocks.hasNext() || checked != p.blockCount())) {
            problems.add("file has " + checked + " blocks, index has " + p.blockCount());
        }
        return new VerifyResult(p, problems.isEmpty(), checked, problems);
    }

    private static List<String> appended(List<String> l, String s) {
        l.add(s);
        return l;
    }

    private java.util.Iterator<Object[]> indexIterator(long id) {
        // Piece indexes are read page by page; a verify holds no transaction open.
        return new java.util.Iterator<>() {
            private long nextOffset = 0;
            private java.util.ArrayDeque<Object[]> page = new java.util.ArrayDeque<>();
            private boolean exhausted;

            private void fill() {
                if (!page.isEmpty() || exhausted) {
                    return;
                }
                int[] n = {0};
                directory.forEachBlock(id, nextOffset, (mh, off, len) -> {
                    page.add(new Object[] {mh.bytes(), off});
                    nextOffset = off + 1;
                    return ++n[0] < 4096;
                });
                exhausted = page.isEmpty();
            }

            @Override
            public boolean hasNext() {
                fill();
                return !page.isEmpty();
            }

            @Override
            public Object[] next() {
                fill();
                return page.poll();
            }
        };
    }

    /** Number of index entries over all pieces (for stats and tests). */
    public long indexEntries() {
        return directory.indexEntries();
    }

    /** Imports in progress in this process. */
    public Set<Long> activeImports() {
        return Set.copyOf(active);
    }

    /** Parses a piece CID argument (v1 or v2), normalised to v1. */
    public static Cid pieceCid(String s) {
        return PieceCids.parse(s).v1();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            source.close();
            env.close();
        }
    }
}
