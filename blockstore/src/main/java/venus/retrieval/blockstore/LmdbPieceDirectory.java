package venus.retrieval.blockstore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongPredicate;
import org.lmdbjava.Cursor;
import org.lmdbjava.CursorIterable;
import org.lmdbjava.Dbi;
import org.lmdbjava.GetOp;
import org.lmdbjava.KeyRange;
import org.lmdbjava.Txn;
import venus.retrieval.blockstore.commp.PieceCids;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multihash;

/**
 * The piece directory in LMDB. Databases (see docs/pieces.md):
 * <ul>
 *   <li>{@code pieces}: id (u64 BE) → piece record ({@link PieceRecordCodec});</li>
 *   <li>{@code piece-cids}: commP (32 bytes) → id of the ready piece;</li>
 *   <li>{@code index}: multihash ‖ id → data offset (u64 BE) ‖ length (u32 BE);</li>
 *   <li>{@code piece-blocks}: id ‖ offset → length (u32 BE) ‖ multihash, for verify and removal.</li>
 * </ul>
 * Write methods are for the importer and the piece store; each is one or more durable commits
 * ordered so that a crash between any two leaves the piece absent or not ready.
 */
public final class LmdbPieceDirectory implements PieceDirectory {
    private static final byte[] NEXT_ID = "next-piece-id".getBytes(StandardCharsets.US_ASCII);
    /** Entries deleted per transaction when purging a piece. */
    static final int PURGE_BATCH = 8192;
    /** The error of a record whose removal started (it is failed until its entries are gone). */
    static final String REMOVING = "removing";
    /** The error of an import that a crashed process left {@code indexing}. */
    static final String INTERRUPTED = "interrupted";

    private final LmdbEnvironment env;
    private final LmdbBlockstore blockstore;
    private final Dbi<ByteBuffer> meta;
    private final Dbi<ByteBuffer> pieces;
    private final Dbi<ByteBuffer> pieceCids;
    private final Dbi<ByteBuffer> index;
    private final Dbi<ByteBuffer> pieceBlocks;

    public LmdbPieceDirectory(LmdbEnvironment env, LmdbBlockstore blockstore) {
        this.env = env;
        this.blockstore = blockstore;
        this.meta = env.dbi(LmdbEnvironment.META);
        this.pieces = env.dbi(LmdbEnvironment.PIECES);
        this.pieceCids = env.dbi(LmdbEnvironment.PIECE_CIDS);
        this.index = env.dbi(LmdbEnvironment.INDEX);
        this.pieceBlocks = env.dbi(LmdbEnvironment.PIECE_BLOCKS);
    }

    // ---- reads ----

    @Override
    public Optional<PieceInfo> piece(Cid pieceCid) {
        PieceCids.Parsed p = PieceCids.parse(pieceCid);
        Optional<PieceInfo> ready = env.read(txn -> {
            ByteBuffer id = pieceCids.get(txn, Buffers.key(p.commP(), 0));
            if (id == null) {
                return Optional.<PieceInfo>empty();
            }
            ByteBuffer rec = pieces.get(txn, Buffers.key(Buffers.bytes(id), 1));
            return rec == null ? Optional.<PieceInfo>empty() : Optional.of(PieceRecordCodec.decode(rec));
        });
        if (ready.isPresent()) {
            return ready;
        }
        PieceInfo newest = null;
        for (PieceInfo info : pieces()) {
            if (p.v1().equals(info.pieceCid())) {
                newest = info;
            }
        }
        return Optional.ofNullable(newest);
    }

    @Override
    public Optional<PieceInfo> piece(long id) {
        return env.read(txn -> {
            ByteBuffer rec = pieces.get(txn, Buffers.key(Buffers.u64(id), 0));
            return rec == null ? Optional.<PieceInfo>empty() : Optional.of(PieceRecordCodec.decode(rec));
        });
    }

    @Override
    public List<PieceInfo> pieces() {
        return env.read(txn -> {
            List<PieceInfo> out = new ArrayList<>();
            try (CursorIterable<ByteBuffer> it = pieces.iterate(txn)) {
                for (CursorIterable.KeyVal<ByteBuffer> kv : it) {
                    out.add(PieceRecordCodec.decode(kv.val()));
                }
            }
            return out;
        });
    }

    @Override
    public List<BlockLocation> locations(Multihash multihash) {
        byte[] mh = multihash.bytes();
        return env.read(txn -> locations(txn, mh, true));
    }

    private List<BlockLocation> locations(Txn<ByteBuffer> txn, byte[] mh, boolean readyOnly) {
        List<BlockLocation> out = new ArrayList<>(1);
        try (Cursor<ByteBuffer> c = index.openCursor(txn)) {
            boolean found = c.get(Buffers.key(mh, 0), GetOp.MDB_SET_RANGE);
            while (found) {
                ByteBuffer k = c.key();
                if (k.remaining() != mh.length + 8 || !Buffers.startsWith(k, mh)) {
                    break;
                }
                long id = k.getLong(k.position() + mh.length);
                ByteBuffer v = c.val();
                long offset = v.getLong(v.position());
                int length = v.getInt(v.position() + 8);
                ByteBuffer rec = pieces.get(txn, Buffers.key(Buffers.u64(id), 1));
                if (rec != null) {
                    PieceRecordCodec.Peek peek = PieceRecordCodec.peek(rec);
                    if (!readyOnly || peek.state() == PieceState.READY) {
                        out.add(new BlockLocation(id, peek.file().isEmpty() ? null : java.nio.file.Path.of(peek.file()),
                                offset, length, peek.cached()));
                    }
                }
                found = c.next();
            }
        }
        return out;
    }

    @Override
    public void forEachBlock(long pieceId, BlockVisitor visitor) {
        forEachBlock(pieceId, 0, visitor);
    }

    /** Like {@link #forEachBlock(long, BlockVisitor)}, from the first block at or after {@code fromOffset}. */
    void forEachBlock(long pieceId, long fromOffset, BlockVisitor visitor) {
        byte[] from = Buffers.u64(pieceId);
        long nextOffset = fromOffset;
        while (true) {
            long start = nextOffset;
            List<Object[]> page = env.read(txn -> {
                List<Object[]> out = new ArrayList<>();
                ByteBuffer lo = Buffers.key(from, Buffers.u64(start), 0);
                try (Cursor<ByteBuffer> c = pieceBlocks.openCursor(txn)) {
                    boolean found = c.get(lo, GetOp.MDB_SET_RANGE);
                    while (found && out.size() < PURGE_BATCH) {
                        ByteBuffer k = c.key();
                        if (!Buffers.startsWith(k, from)) {
                            break;
                        }
                        long off = k.getLong(k.position() + 8);
                        ByteBuffer v = c.val();
                        int len = v.getInt(v.position());
                        byte[] mh = new byte[v.remaining() - 4];
                        v.get(v.position() + 4, mh);
                        out.add(new Object[] {mh, off, len});
                        found = c.next();
                    }
                }
                return out;
            });
            for (Object[] e : page) {
                if (!visitor.visit(Multihash.decode((byte[]) e[0]), (long) e[1], (int) e[2])) {
                    return;
                }
            }
            if (page.size() < PURGE_BATCH) {
                return;
            }
            nextOffset = (long) page.get(page.size() - 1)[1] + 1;
        }
    }

    /** Number of index entries (all pieces, any state). */
    long indexEntries() {
        return env.entries(LmdbEnvironment.INDEX);
    }

    // ---- writes ----

    /** One block of a piece being imported; {@code data} only when the piece is cached. */
    record Entry(byte[] multihash, long offset, int length, byte[] data) {}

    /** Creates the record of a new import in state {@code indexing}; returns it with its id. */
    PieceInfo begin(PieceInfo draft) {
        PieceInfo[] out = new PieceInfo[1];
        env.write(txn -> {
            ByteBuffer k = Buffers.key(NEXT_ID, 0);
            ByteBuffer cur = meta.get(txn, k);
            long id = cur == null ? 1 : cur.getLong(cur.position());
            meta.put(txn, Buffers.key(NEXT_ID, 0), Buffers.direct(Buffers.u64(id + 1)));
            PieceInfo rec = new PieceInfo(id, draft.pieceCid(), draft.paddedSize(), draft.payloadSize(), draft.fileSize(),
                    draft.roots(), PieceState.INDEXING, draft.file(), draft.copied(), draft.cached(), draft.isPublic(),
                    draft.dealIds(), draft.minerIds(), draft.sectorId(), draft.sectorOffset(), draft.fastRetrieval(),
                    draft.announced(), 0, draft.createdAt(), draft.updatedAt(), null);
            putRecord(txn, rec);
            out[0] = rec;
        });
        return out[0];
    }

    /** Adds a batch of a (not yet ready) piece's entries, and the blocks themselves when cached, in one commit. */
    void addEntries(long id, List<Entry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        byte[] idBytes = Buffers.u64(id);
        env.write(txn -> {
            for (Entry e : entries) {
                ByteBuffer v = index.reserve(txn, Buffers.key(e.multihash(), idBytes, 0), 12);
                v.putLong(e.offset()).putInt(e.length());
                ByteBuffer pv = pieceBlocks.reserve(txn, Buffers.key(idBytes, Buffers.u64(e.offset()), 0), 4 + e.multihash().length);
                pv.putInt(e.length()).put(e.multihash());
                if (e.data() != null) {
                    blockstore.putIn(txn, e.multihash(), e.data());
                }
            }
        });
    }

    /**
     * Makes a piece ready in one commit, unless a ready piece with the same CID exists: then
     * nothing changes and that one is returned (the caller purges its own entries).
     */
    PieceInfo complete(PieceInfo ready) {
        byte[] commP = PieceCids.parse(ready.pieceCid()).commP();
        PieceInfo[] winner = new PieceInfo[1];
        env.write(txn -> {
            ByteBuffer existing = pieceCids.get(txn, Buffers.key(commP, 0));
            if (existing != null) {
                ByteBuffer rec = pieces.get(txn, Buffers.key(Buffers.bytes(existing), 1));
                if (rec != null) {
                    PieceInfo other = PieceRecordCodec.decode(rec);
                    if (other.isReady() && other.id() != ready.id()) {
                        winner[0] = other;
                        return;
                    }
                }
            }
            pieceCids.put(txn, Buffers.key(commP, 0), Buffers.direct(Buffers.u64(ready.id())));
            putRecord(txn, ready);
            winner[0] = ready;
        });
        return winner[0];
    }

    /** Rewrites a record's metadata (flags, deals...). */
    void update(PieceInfo info) {
        env.write(txn -> putRecord(txn, info));
    }

    /**
     * Removes a piece: first marked failed (no longer served) and unmapped from its CID, then its
     * entries in batches, then the record. Blocks of a cached piece leave the blockstore unless
     * another cached piece still holds them. {@code onUnserved} runs once the piece is no longer
     * served, and again at the end.
     */
    void purge(long id, Runnable onUnserved) {
        clear(id, null, onUnserved);
    }

    /**
     * Like {@link #purge}, but keeps the record, marked failed with {@code reason} (e.g. an import
     * that a crashed process left {@code indexing}): it stays listed until removed or re-imported.
     */
    void fail(long id, String reason, Runnable onUnserved) {
        clear(id, reason, onUnserved);
    }

    /** Whether a piece still has index entries (e.g. a removal or import cut short by a crash). */
    boolean hasEntries(long id) {
        byte[] idBytes = Buffers.u64(id);
        return env.read(txn -> {
            try (CursorIterable<ByteBuffer> it = pieceBlocks.iterate(txn, KeyRange.atLeast(Buffers.key(idBytes, 0)))) {
                java.util.Iterator<CursorIterable.KeyVal<ByteBuffer>> i = it.iterator();
                return i.hasNext() && Buffers.startsWith(i.next().key(), idBytes);
            }
        });
    }

    private void clear(long id, String keepAs, Runnable onUnserved) {
        Optional<PieceInfo> info = piece(id);
        if (info.isEmpty()) {
            return;
        }
        PieceInfo p = info.get();
        env.write(txn -> {
            if (p.pieceCid() != null) {
                byte[] commP = PieceCids.parse(p.pieceCid()).commP();
                ByteBuffer mapped = pieceCids.get(txn, Buffers.key(commP, 0));
                if (mapped != null && mapped.getLong(mapped.position()) == id) {
                    pieceCids.delete(txn, Buffers.key(commP, 0));
                }
            }
            String reason = keepAs != null ? keepAs : p.error() == null ? REMOVING : p.error();
            putRecord(txn, p.withState(PieceState.FAILED, reason, PieceInfo.now()));
        });
        onUnserved.run();
        byte[] idBytes = Buffers.u64(id);
        boolean cached = p.cached();
        while (true) {
            List<byte[]> removed = new ArrayList<>();
            env.write(txn -> {
                removed.clear();
                List<byte[]> keys = new ArrayList<>();
                List<byte[]> mhs = new ArrayList<>();
                try (CursorIterable<ByteBuffer> it = pieceBlocks.iterate(txn, KeyRange.atLeast(Buffers.key(idBytes, 0)))) {
                    for (CursorIterable.KeyVal<ByteBuffer> kv : it) {
                        if (!Buffers.startsWith(kv.key(), idBytes) || keys.size() == PURGE_BATCH) {
                            break;
                        }
                        keys.add(Buffers.bytes(kv.key()));
                        ByteBuffer v = kv.val();
                        byte[] mh = new byte[v.remaining() - 4];
                        v.get(v.position() + 4, mh);
                        mhs.add(mh);
                    }
                }
                for (int i = 0; i < keys.size(); i++) {
                    byte[] mh = mhs.get(i);
                    pieceBlocks.delete(txn, Buffers.key(keys.get(i), 0));
                    index.delete(txn, Buffers.key(mh, idBytes, 0));
                    if (cached && !heldByOtherCachedPiece(txn, mh, id)) {
                        blockstore.deleteIn(txn, mh);
                    }
                    removed.add(mh);
                }
            });
            if (removed.isEmpty()) {
                break;
            }
        }
        if (keepAs == null) {
            env.write(txn -> pieces.delete(txn, Buffers.key(idBytes, 0)));
        }
        // Again now that cached blocks are gone from the blockstore: lookups meanwhile may have cached them.
        onUnserved.run();
    }

    private boolean heldByOtherCachedPiece(Txn<ByteBuffer> txn, byte[] mh, long id) {
        for (BlockLocation l : locations(txn, mh, false)) {
            if (l.pieceId() != id && l.cached()) {
                return true;
            }
        }
        return false;
    }

    /** Ids of unfinished records (indexing or failed) that {@code keep} rejects. */
    List<Long> unfinished(LongPredicate keep) {
        List<Long> out = new ArrayList<>();
        for (PieceInfo p : pieces()) {
            if (!p.isReady() && !keep.test(p.id())) {
                out.add(p.id());
            }
        }
        return out;
    }

    private void putRecord(Txn<ByteBuffer> txn, PieceInfo rec) {
        byte[] enc = PieceRecordCodec.encode(rec);
        pieces.reserve(txn, Buffers.key(Buffers.u64(rec.id()), 1), enc.length).put(enc);
    }
}
