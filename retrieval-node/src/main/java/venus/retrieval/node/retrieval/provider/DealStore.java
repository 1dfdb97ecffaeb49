package venus.retrieval.node.retrieval.provider;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.lmdbjava.CursorIterable;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.KeyRange;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;
import venus.retrieval.node.NodeException;

/**
 * Provider deal records in their own LMDB environment ({@code REPO/lmdb/retrieval}), keyed by
 * (client peer id, transfer id). Every write commits synchronously, so a state the provider acted
 * on survives a crash.
 */
public final class DealStore implements AutoCloseable {
    private static final long MAP_SIZE = 1L << 30;

    private final Env<ByteBuffer> env;
    private final Dbi<ByteBuffer> deals;

    private DealStore(Env<ByteBuffer> env) {
        this.env = env;
        this.deals = env.openDbi("deals", DbiFlags.MDB_CREATE);
    }

    /** The store's directory in a repository. */
    public static Path directory(Path repo) {
        return repo.resolve("lmdb").resolve("retrieval");
    }

    /** Opens (creating if needed) the store in {@code dir}. */
    public static DealStore open(Path dir) {
        try {
            Files.createDirectories(dir);
            return new DealStore(Env.create().setMapSize(MAP_SIZE).setMaxDbs(1).setMaxReaders(128).open(dir.toFile(), EnvFlags.MDB_NOTLS));
        } catch (IOException | LmdbException e) {
            throw new NodeException(NodeException.Reason.IO, "cannot open the retrieval deal store " + dir + ": " + e.getMessage(), e);
        }
    }

    private static ByteBuffer key(byte[] client, long transferId) {
        ByteBuffer b = ByteBuffer.allocateDirect(client.length + 8);
        b.put(client).putLong(transferId).flip();
        return b;
    }

    private static ByteBuffer direct(byte[] v) {
        ByteBuffer b = ByteBuffer.allocateDirect(v.length);
        b.put(v).flip();
        return b;
    }

    /** Writes a record durably. */
    public void put(DealRecord r) {
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            deals.put(txn, key(r.client(), r.transferId()), direct(r.encode()));
            txn.commit();
        } catch (LmdbException e) {
            throw new NodeException(NodeException.Reason.IO, "cannot store retrieval deal: " + e.getMessage(), e);
        }
    }

    /** The record of {@code client}'s transfer {@code transferId}, or null. */
    public DealRecord get(byte[] client, long transferId) {
        try (Txn<ByteBuffer> txn = env.txnRead()) {
            ByteBuffer v = deals.get(txn, key(client, transferId));
            if (v == null) {
                return null;
            }
            byte[] b = new byte[v.remaining()];
            v.get(b);
            return DealRecord.decode(b);
        }
    }

    /** Every record. */
    public List<DealRecord> all() {
        List<DealRecord> out = new ArrayList<>();
        try (Txn<ByteBuffer> txn = env.txnRead(); CursorIterable<ByteBuffer> it = deals.iterate(txn, KeyRange.all())) {
            for (CursorIterable.KeyVal<ByteBuffer> kv : it) {
                byte[] v = new byte[kv.val().remaining()];
                kv.val().get(v);
                out.add(DealRecord.decode(v));
            }
        }
        return out;
    }

    @Override
    public void close() {
        env.close();
    }
}
