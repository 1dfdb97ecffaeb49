package venus.retrieval.blockstore;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multihash;

/** {@link BlockSource} over a Caffeine cache, the LMDB blockstore and the piece directory. */
final class PieceBlockSource implements BlockSource {
    private static final Logger LOG = LoggerFactory.getLogger(PieceBlockSource.class);

    private final Blockstore blockstore;
    private final PieceDirectory directory;
    private final boolean verifyFileReads;
    private final Cache<Multihash, byte[]> cache;
    private final Cache<Long, FileChannel> files;
    // Bumped when a piece stops being served, so a lookup that raced with it does not cache its result.
    private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();
    private final LongAdder mismatches = new LongAdder();
    // Where a refused read is reported; tests replace it to check the message.
    private volatile Consumer<String> mismatchLog = LOG::warn;

    PieceBlockSource(Blockstore blockstore, PieceDirectory directory, long cacheBytes, boolean verifyFileReads) {
        this.blockstore = blockstore;
        this.directory = directory;
        this.verifyFileReads = verifyFileReads;
        this.cache = Caffeine.newBuilder().maximumWeight(Math.max(0, cacheBytes))
                .weigher((Multihash k, byte[] v) -> v.length + 64).recordStats().build();
        this.files = Caffeine.newBuilder().maximumSize(256)
                .<Long, FileChannel>removalListener((k, ch, cause) -> closeQuietly(ch)).build();
    }

    /** Hot-block cache counters: every non-identity lookup is one cache request (hit or miss). */
    com.github.benmanes.caffeine.cache.stats.CacheStats cacheStats() {
        return cache.stats();
    }

    @Override
    public byte[] get(Cid cid) {
        if (cid.isIdentity()) {
            return cid.identityData();
        }
        Multihash mh = cid.multihash();
        byte[] hit = cache.getIfPresent(mh);
        if (hit != null) {
            return hit;
        }
        long g = generation.get();
        byte[] data = blockstore.get(cid);
        if (data == null) {
            for (BlockLocation l : directory.locations(mh)) {
                if (l.file() == null || l.cached()) {
                    continue; // a cached piece's blocks are in the blockstore, checked above
                }
                data = read(l, cid);
                if (data != null) {
                    break;
                }
            }
        }
        if (data != null && generation.get() == g) {
            cache.put(mh, data);
        }
        return data;
    }

    @Override
    public <T> T read(Cid cid, BlockReader<T> reader) {
        if (cid.isIdentity()) {
            return reader.read(ByteBuffer.wrap(cid.identityData()).asReadOnlyBuffer());
        }
        byte[] hit = cache.getIfPresent(cid.multihash());
        if (hit != null) {
            return reader.read(ByteBuffer.wrap(hit).asReadOnlyBuffer());
        }
        // In place from LMDB; NONE tells "absent" apart from a reader that returned null.
        Object r = blockstore.read(cid, b -> {
            T t = reader.read(b);
            return t == null ? NONE : t;
        });
        if (r != null) {
            @SuppressWarnings("unchecked")
            T t = r == NONE ? null : (T) r;
            return t;
        }
        byte[] data = get(cid); // piece file (verified, cached) or a block stored meanwhile
        return data == null ? null : reader.read(ByteBuffer.wrap(data).asReadOnlyBuffer());
    }

    private static final Object NONE = new Object();

    private byte[] read(BlockLocation l, Cid cid) {
        Multihash mh = cid.multihash();
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                FileChannel ch = files.get(l.pieceId(), id -> open(l.file()));
                if (ch == null) {
                    return null;
                }
                ByteBuffer buf = ByteBuffer.allocate(l.length());
                long pos = l.offset();
                while (buf.hasRemaining()) {
                    int n = ch.read(buf, pos + buf.position());
                    if (n < 0) {
                        LOG.warn("piece file {} is shorter than its index says (block {} at offset {})", l.file(), mh, l.offset());
                        return null;
                    }
                }
                byte[] data = buf.array();
                if (verifyFileReads && !mh.matches(data)) {
                    mismatches.increment();
                    mismatchLog.accept(mismatch(l, cid));
                    return null;
                }
                return data;
            } catch (ClosedChannelException e) {
                files.invalidate(l.pieceId()); // closed by eviction meanwhile: reopen once
            } catch (IOException e) {
                LOG.warn("cannot read block {} from {}: {}", mh, l.file(), e.getMessage());
                return null;
            }
        }
        return null;
    }

    /** One line naming the block, the piece and the file, and what to run next. */
    private String mismatch(BlockLocation l, Cid cid) {
        String piece = directory.piece(l.pieceId()).map(PieceInfo::pieceCid).map(Cid::toString).orElse(null);
        return "piece file " + l.file() + " changed: the " + l.length() + " bytes at offset " + l.offset() + " do not hash to block "
                + cid + " (piece " + (piece == null ? "#" + l.pieceId() : piece) + "); the block is not served from it"
                + (piece == null ? "" : "; run `vrn piece verify " + piece + "`");
    }

    long mismatches() {
        return mismatches.sum();
    }

    void mismatchLog(Consumer<String> log) {
        this.mismatchLog = log;
    }

    private static FileChannel open(Path file) {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            LOG.warn("cannot open piece file {}: {}", file, e.getMessage());
            return null;
        }
    }

    @Override
    public boolean has(Cid cid) {
        return size(cid) >= 0;
    }

    @Override
    public int size(Cid cid) {
        if (cid.isIdentity()) {
            return cid.identityData().length;
        }
        Multihash mh = cid.multihash();
        byte[] hit = cache.getIfPresent(mh);
        if (hit != null) {
            return hit.length;
        }
        int n = blockstore.size(cid);
        if (n >= 0) {
            return n;
        }
        for (BlockLocation l : directory.locations(mh)) {
            if (!l.cached() && l.file() != null) {
                return l.length();
            }
        }
        return -1;
    }

    @Override
    public Optional<BlockLocation> locate(Cid cid) {
        if (cid.isIdentity()) {
            return Optional.empty();
        }
        for (BlockLocation l : directory.locations(cid.multihash())) {
            if (!l.cached() && l.file() != null) {
                return Optional.of(l);
            }
        }
        return Optional.empty();
    }

    /**
     * A piece stopped being served (or a failed import is being purged): the whole hot cache is
     * dropped — removals are rare, and this keeps every later lookup consistent with the directory —
     * and no lookup that raced with the change may cache what it read.
     */
    void unserved(long pieceId) {
        generation.incrementAndGet();
        cache.invalidateAll();
        files.invalidate(pieceId);
    }

    void close() {
        files.invalidateAll();
        files.cleanUp();
        cache.invalidateAll();
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }
}
