package venus.retrieval.blockstore;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.lmdbjava.Dbi;
import org.lmdbjava.KeyRange;
import org.lmdbjava.Txn;
import org.lmdbjava.CursorIterable;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multihash;

/** The {@link Blockstore} in the {@code blocks} database of the node's LMDB environment. */
public final class LmdbBlockstore implements Blockstore {
    private static final int KEYS_PER_TXN = 4096;
    private final LmdbEnvironment env;
    private final Dbi<ByteBuffer> blocks;
    // Built once: a lookup passes its key and reader as arguments, so it allocates no closure.
    private final LmdbEnvironment.ReadOp<ByteBuffer, Object, byte[]> copyOp;
    private final LmdbEnvironment.ReadOp<ByteBuffer, Object, Integer> sizeOp;
    private final LmdbEnvironment.ReadOp<ByteBuffer, BlockReader<?>, Object> readOp;

    public LmdbBlockstore(LmdbEnvironment env) {
        this.env = env;
        this.blocks = env.dbi(LmdbEnvironment.BLOCKS);
        this.copyOp = (txn, key, unused) -> {
            ByteBuffer v = blocks.get(txn, key);
            return v == null ? null : Buffers.bytes(v);
        };
        this.sizeOp = (txn, key, unused) -> {
            ByteBuffer v = blocks.get(txn, key);
            return v == null ? -1 : v.remaining();
        };
        // LMDB maps the file read-only: the view keeps a reader from writing (a JVM crash) and
        // from moving the transaction's own buffer.
        this.readOp = (txn, key, reader) -> {
            ByteBuffer v = blocks.get(txn, key);
            return v == null ? null : reader.read(v.asReadOnlyBuffer());
        };
    }

    @Override
    public byte[] get(Cid cid) {
        if (cid.isIdentity()) {
            return cid.identityData();
        }
        return env.read(Buffers.key(cid, 0), null, copyOp);
    }

    @Override
    public <T> T read(Cid cid, BlockReader<T> reader) {
        if (cid.isIdentity()) {
            return reader.read(ByteBuffer.wrap(cid.identityData()).asReadOnlyBuffer());
        }
        @SuppressWarnings("unchecked")
        T result = (T) env.read(Buffers.key(cid, 0), reader, readOp);
        return result;
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
        return env.read(Buffers.key(cid, 0), null, sizeOp);
    }

    @Override
    public void put(Cid cid, byte[] data) {
        Batch b = batch();
        b.put(cid, data);
        b.commit();
    }

    @Override
    public Batch batch() {
        return new Batch() {
            private final List<byte[]> keys = new ArrayList<>();
            private final List<byte[]> values = new ArrayList<>();

            @Override
            public void put(Cid cid, byte[] data) {
                if (!cid.isIdentity()) {
                    keys.add(cid.multihashBytes());
                    values.add(data);
                }
            }

            @Override
            public int size() {
                return keys.size();
            }

            @Override
            public void commit() {
                if (keys.isEmpty()) {
                    return;
                }
                env.write(txn -> {
                    for (int i = 0; i < keys.size(); i++) {
                        putIn(txn, keys.get(i), values.get(i));
                    }
                });
                keys.clear();
                values.clear();
            }
        };
    }

    /** Writes one block inside a caller's write transaction (used by piece import). */
    void putIn(Txn<ByteBuffer> txn, byte[] multihash, byte[] data) {
        ByteBuffer slot = blocks.reserve(txn, Buffers.key(multihash, 1), data.length);
        slot.put(data);
    }

    /** Deletes one block inside a caller's write transaction. */
    boolean deleteIn(Txn<ByteBuffer> txn, byte[] multihash) {
        return blocks.delete(txn, Buffers.key(multihash, 1));
    }

    @Override
    public boolean delete(Cid cid) {
        if (cid.isIdentity()) {
            return false;
        }
        byte[] key = cid.multihashBytes();
        boolean[] found = new boolean[1];
        env.write(txn -> found[0] = deleteIn(txn, key));
        return found[0];
    }

    @Override
    public long count() {
        return env.entries(LmdbEnvironment.BLOCKS);
    }

    @Override
    public void forEachKey(Predicate<Multihash> visitor) {
        byte[] after = null;
        while (true) {
            byte[] start = after;
            List<byte[]> page = env.read(txn -> {
                List<byte[]> out = new ArrayList<>();
                KeyRange<ByteBuffer> range = start == null ? KeyRange.all() : KeyRange.greaterThan(Buffers.key(start, 0));
                try (CursorIterable<ByteBuffer> it = blocks.iterate(txn, range)) {
                    for (CursorIterable.KeyVal<ByteBuffer> kv : it) {
                        out.add(Buffers.bytes(kv.key()));
                        if (out.size() == KEYS_PER_TXN) {
                            break;
                        }
                    }
                }
                return out;
            });
            for (byte[] k : page) {
                if (!visitor.test(Multihash.decode(k))) {
                    return;
                }
            }
            if (page.size() < KEYS_PER_TXN) {
                return;
            }
            after = page.get(page.size() - 1);
        }
    }
}
