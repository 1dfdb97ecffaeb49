package venus.retrieval.blockstore;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import venus.retrieval.blockstore.commp.CommPHasher;
import venus.retrieval.blockstore.commp.Fr32;
import venus.retrieval.blockstore.commp.PieceCids;
import venus.retrieval.blockstore.commp.PieceCommitment;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.car.CarBlock;
import venus.retrieval.ipld.car.CarHeader;
import venus.retrieval.ipld.car.CarReader;

/**
 * Imports a CARv1/CARv2 or an unsealed piece file (a CAR followed by zero padding) in one
 * streaming pass: every block's hash is verified, its (offset, length) goes into the piece
 * directory in batched commits, and the same bytes go to a {@link CommPHasher} whose worker
 * threads compute the piece commitment meanwhile. The piece becomes ready in the final commit,
 * after the commitment matched the expected piece CID (if one was given). Any failure purges
 * what was written: the piece ends absent, never ready. Memory is constant: one batch of entries
 * (plus its blocks with {@code cache}), the CAR reader's buffer and CommP's segment buffers.
 */
final class PieceImporter {
    private static final Logger LOG = LoggerFactory.getLogger(PieceImporter.class);
    static final int BATCH_ENTRIES = 4096;
    static final long BATCH_BYTES = 8L << 20;
    /** Name prefix of a {@code --copy} import's file in {@code pieces/} until it is renamed to its piece CID. */
    static final String TEMP_PREFIX = ".import-";

    private final LmdbPieceDirectory directory;
    private final Path piecesDir;
    private final int commpThreads;
    private final Set<Long> active;
    private final PieceBlockSource source;

    PieceImporter(LmdbPieceDirectory directory, Path piecesDir, int commpThreads, Set<Long> active, PieceBlockSource source) {
        this.directory = directory;
        this.source = source;
        this.piecesDir = piecesDir;
        this.commpThreads = commpThreads;
        this.active = active;
    }

    ImportResult importFile(Path file, ImportOptions o, ImportProgress progress) {
        PieceCids.Parsed expected = o.pieceCid() == null ? null : PieceCids.parse(o.pieceCid());
        if (expected != null) {
            Optional<PieceInfo> existing = directory.piece(expected.v1());
            if (existing.isPresent() && existing.get().isReady()) {
                return new ImportResult(existing.get(), true, null);
            }
        }
        Path real;
        long size;
        try {
            real = file.toRealPath();
            if (!Files.isRegularFile(real)) {
                throw new BlockstoreException(BlockstoreException.Reason.BAD_INPUT, file + " is not a regular file");
            }
            size = Files.size(real);
        } catch (NoSuchFileException e) {
            throw new BlockstoreException(BlockstoreException.Reason.NOT_FOUND, "no such file: " + file);
        } catch (IOException e) {
            throw new BlockstoreException(BlockstoreException.Reason.IO, "cannot read " + file + ": " + e.getMessage(), e);
        }
        if (expected != null && expected.hasSize() && size > 0 && Fr32.paddedPieceSize(size) > expected.paddedSize()) {
            throw new BlockstoreException(BlockstoreException.Reason.PIECE_MISMATCH, "piece CID mismatch: " + file + " ("
                    + size + " bytes) does not fit the given piece's padded size " + expected.paddedSize());
        }
        cleanLeftovers(real);
        Path tmpCopy = null;
        if (o.copy()) {
            try {
                Files.createDirectories(piecesDir);
            } catch (IOException e) {
                throw new BlockstoreException(BlockstoreException.Reason.IO, "cannot create " + piecesDir + ": " + e.getMessage(), e);
            }
            tmpCopy = piecesDir.resolve(TEMP_PREFIX + UUID.randomUUID() + ".tmp");
        }
        Instant now = PieceInfo.now();
        PieceInfo rec = directory.begin(new PieceInfo(0, expected == null ? null : expected.v1(), 0, 0, size, List.of(),
                PieceState.INDEXING, real, o.copy(), o.cache(), o.isPublic(), o.dealIds(), o.minerIds(), o.sectorId(),
                o.sectorOffset(), o.fastRetrieval(), false, 0, now, now, null));
        active.add(rec.id());
        try {
            return pass(real, size, o, expected, rec, tmpCopy, progress);
        } catch (RuntimeException | IOException | Error e) {
            BlockstoreException failure = translate(file, e);
            try {
                directory.purge(rec.id(), () -> source.unserved(rec.id()));
            } catch (RuntimeException cleanup) {
                // The record stays "indexing"/"failed" (never ready); the next import of this file cleans it.
                failure.addSuppressed(cleanup);
                LOG.warn("piece import of {} failed and its cleanup failed too: {}", file, cleanup.getMessage());
            }
            deleteQuietly(tmpCopy);
            throw failure;
        } finally {
            active.remove(rec.id());
        }
    }

    private ImportResult pass(Path real, long size, ImportOptions o, PieceCids.Parsed expected, PieceInfo rec, Path tmpCopy,
                              ImportProgress progress) throws IOException {
        long blocks = 0;
        long carEnd;
        long dataEnd = -1;
        boolean hasIndex = false;
        List<venus.retrieval.ipld.Cid> roots;
        PieceCommitment c;
        Tee tee;
        try (InputStream raw = Files.newInputStream(real);
             FileOutputStream copy = tmpCopy == null ? null : new FileOutputStream(tmpCopy.toFile());
             CommPHasher hasher = o.skipCommP() ? null : new CommPHasher(commpThreads)) {
            tee = new Tee(raw, hasher, copy, progress, size);
            // Trailing zeros end the CAR cleanly: an unsealed piece file is a CAR plus zero padding.
            CarReader reader = CarReader.open(tee, CarReader.Options.defaults().withAllowTrailingZeros(true));
            CarHeader header = reader.header();
            roots = header.roots();
            carEnd = reader.position();
            if (header.v2() != null) {
                dataEnd = header.v2().dataOffset() + header.v2().dataSize();
                hasIndex = header.v2().hasIndex();
            }
            List<LmdbPieceDirectory.Entry> batch = new ArrayList<>();
            long batchBytes = 0;
            // Without the cache the index needs no block bytes: hash them in the reader's buffer.
            for (CarBlock b; (b = reader.next(o.cache())) != null; ) {
                carEnd = b.dataOffset() + b.dataLength();
                if (b.cid().isIdentity()) {
                    continue; // its bytes are in the CID
                }
                batch.add(new LmdbPieceDirectory.Entry(b.cid().multihashBytes(), b.dataOffset(), b.dataLength(),
                        o.cache() ? b.data() : null));
                batchBytes += o.cache() ? b.dataLength() + 64 : 64;
                blocks++;
                if (batch.size() >= BATCH_ENTRIES || batchBytes >= BATCH_BYTES) {
                    directory.addEntries(rec.id(), batch);
                    batch = new ArrayList<>();
                    batchBytes = 0;
                }
            }
            directory.addEntries(rec.id(), batch);
            tee.drain();
            if (tee.position() != size) {
                throw new BlockstoreException(BlockstoreException.Reason.BAD_INPUT, real + " changed size during the import ("
                        + size + " bytes at the start, " + tee.position() + " read)");
            }
            if (dataEnd < 0 && tee.lastNonZero() >= carEnd) {
                throw new BlockstoreException(BlockstoreException.Reason.BAD_INPUT, "data after the end of the CAR: "
                        + real + " has non-zero bytes after offset " + carEnd + " (up to offset " + tee.lastNonZero() + ")");
            }
            if (dataEnd >= 0 && !hasIndex && tee.lastNonZero() >= dataEnd) {
                throw new BlockstoreException(BlockstoreException.Reason.BAD_INPUT, "data after the end of the CAR: the CARv2 "
                        + real + " declares its payload ends at offset " + dataEnd + " and no index, but has bytes up to offset "
                        + tee.lastNonZero());
            }
            c = hasher != null ? hasher.finish() : new PieceCommitment(expected.commP(), size,
                    expected.hasSize() ? expected.paddedSize() : Fr32.paddedPieceSize(size));
            if (copy != null) {
                copy.flush();
                copy.getFD().sync();
            }
        }
        // The payload is what precedes the trailing zero padding (FRC-0069 counts that padding).
        long payloadSize = dataEnd >= 0 ? Math.max(dataEnd, tee.lastNonZero() + 1) : carEnd;
        if (expected != null && (!Arrays.equals(c.commP(), expected.commP())
                || (expected.hasSize() && c.paddedSize() != expected.paddedSize()))) {
            throw new BlockstoreException(BlockstoreException.Reason.PIECE_MISMATCH, "piece CID mismatch: given "
                    + o.pieceCid() + ", but " + real + " hashes to " + c.cidV1() + " (" + c.cidV2() + ")");
        }
        Optional<PieceInfo> existing = directory.piece(c.cidV1());
        if (existing.isPresent() && existing.get().isReady()) {
            directory.purge(rec.id(), () -> source.unserved(rec.id()));
            deleteQuietly(tmpCopy);
            return new ImportResult(existing.get(), true, c);
        }
        Path servedFrom = real;
        if (tmpCopy != null) {
            servedFrom = piecesDir.resolve(c.cidV1() + ".car");
            try {
                Files.move(tmpCopy, servedFrom, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmpCopy, servedFrom, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        PieceInfo ready = rec.completed(c.cidV1(), c.paddedSize(), Math.min(payloadSize, size), size, roots, servedFrom,
                blocks, PieceInfo.now());
        PieceInfo winner = directory.complete(ready);
        if (winner.id() != rec.id()) {
            directory.purge(rec.id(), () -> source.unserved(rec.id()));
            return new ImportResult(winner, true, c);
        }
        LOG.debug("piece {} ready: {} blocks from {}", c.cidV1(), blocks, servedFrom);
        return new ImportResult(winner, false, c);
    }

    /** Purges records of earlier, interrupted imports of the same file (this process holds the writer lock). */
    private void cleanLeftovers(Path real) {
        for (long id : directory.unfinished(active::contains)) {
            Optional<PieceInfo> p = directory.piece(id);
            if (p.isPresent() && real.equals(p.get().file())) {
                LOG.info("cleaning interrupted import #{} of {}", id, real);
                directory.purge(id, () -> source.unserved(id));
            }
        }
    }

    static BlockstoreException translate(Path file, Throwable e) {
        if (e instanceof BlockstoreException b) {
            return b;
        }
        if (e instanceof IpldException i) {
            return new BlockstoreException(BlockstoreException.Reason.BAD_INPUT, file + " is not a valid CAR or piece file: "
                    + i.getMessage(), i);
        }
        if (e instanceof IOException io) {
            String msg = String.valueOf(io.getMessage());
            BlockstoreException.Reason r = msg.contains("No space left") ? BlockstoreException.Reason.FULL : BlockstoreException.Reason.IO;
            return new BlockstoreException(r, "I/O error importing " + file + ": " + msg, io);
        }
        if (e instanceof Error err) {
            throw err;
        }
        return new BlockstoreException(BlockstoreException.Reason.IO, "import of " + file + " failed: " + e, e);
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a stray temp file in pieces/ is harmless; the next import uses a fresh name
            }
        }
    }

    /**
     * Passes the file's bytes to the CAR reader while feeding CommP, the optional copy and the
     * progress listener, and remembering the last non-zero byte (to check trailing padding).
     */
    private static final class Tee extends InputStream {
        private final InputStream in;
        private final CommPHasher hasher;
        private final FileOutputStream copy;
        private final ImportProgress progress;
        private final long total;
        private long pos;
        private long lastNonZero = -1;

        Tee(InputStream in, CommPHasher hasher, FileOutputStream copy, ImportProgress progress, long total) {
            this.in = in;
            this.hasher = hasher;
            this.copy = copy;
            this.progress = progress;
            this.total = total;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n <= 0) {
                return n;
            }
            if (hasher != null) {
                hasher.update(b, off, n);
            }
            if (copy != null) {
                copy.write(b, off, n);
            }
            // Scanning back from the end stops at once for data, and only walks real zero runs.
            for (int i = off + n - 1; i >= off; i--) {
                if (b[i] != 0) {
                    lastNonZero = pos + (i - off);
                    break;
                }
            }
            pos += n;
            progress.progress(pos, total);
            return n;
        }

        /** Reads (and feeds) the rest of the file. */
        void drain() throws IOException {
            byte[] buf = new byte[1 << 16];
            while (read(buf, 0, buf.length) >= 0) {
                // keep reading
            }
        }

        long position() {
            return pos;
        }

        long lastNonZero() {
            return lastNonZero;
        }

        @Override
        public void close() {
            // the importer closes the file itself
        }
    }
}
