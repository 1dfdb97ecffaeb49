package venus.retrieval.node.retrieval.provider;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.lmdbjava.CursorIterable;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.KeyRange;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import venus.retrieval.node.NodeException;

/**
 * Provider deal records in their own LMDB environment ({@code REPO/lmdb/retrieval}), keyed by
 * (client peer id, transfer id). {@link #put} commits synchronously, so a state the provider acted
 * on survives a crash. {@link #putLater} is for the records a voucher or a payment round changes
 * (ONGOING ↔ FUNDS_NEEDED, a credit): they are committed durably too, but by a background writer,
 * so neither the payment request nor the resume after a voucher waits for a second fsync. The
 * voucher's own commit in the voucher store is the one the data waits for; it carries a memo of
 * the deal's funds, from which start-up settles a record whose background write a crash lost.
 * Writes of one key land in the order they were made; readers see records not yet committed.
 */
public final class DealStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DealStore.class);
    private static final long MAP_SIZE = 1L << 30;

    private final Env<ByteBuffer> env;
    private final Dbi<ByteBuffer> deals;
    /** Serializes commits: a background batch and a synchronous put never reorder one key's records. */
    private final Object writeLock = new Object();
    /** Records waiting for the background writer, by key; guarded by itself. */
    private final Map<ByteBuffer, DealRecord> pending = new LinkedHashMap<>();
    /** A flush is queued on the writer; guarded by {@link #pending}. */
    private boolean flushScheduled;
    /** Runs background flushes; null when the caller supplied {@link #background}. */
    private final ExecutorService writer;
    private final Executor background;
    /** Commits callers of {@link #put} waited for: see {@link #synchronousCommits}. */
    private final AtomicLong synchronousCommits = new AtomicLong();

    private DealStore(Env<ByteBuffer> env, Executor background) {
        this.env = env;
        this.deals = env.openDbi("deals", DbiFlags.MDB_CREATE);
        if (background == null) {
            this.writer = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "retrieval-deal-store");
                t.setDaemon(true);
                return t;
            });
            this.background = writer;
        } else {
            this.writer = null;
            this.background = background;
        }
    }

    /** The store's directory in a repository. */
    public static Path directory(Path repo) {
        return repo.resolve("lmdb").resolve("retrieval");
    }

    /** Opens (creating if needed) the store in {@code dir}. */
    public static DealStore open(Path dir) {
        return open(dir, null);
    }

    /**
     * Opens (creating if needed) the store in {@code dir}, running background writes on
     * {@code background} (tests hold them back there to play a crash before they land), or on a
     * thread of its own when null.
     */
    public static DealStore open(Path dir, Executor background) {
        try {
            Files.createDirectories(dir);
            return new DealStore(Env.create().setMapSize(MAP_SIZE).setMaxDbs(1).setMaxReaders(128).open(dir.toFile(), EnvFlags.MDB_NOTLS),
                    background);
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

    private static ByteBuffer heapKey(DealRecord r) {
        return ByteBuffer.wrap(new byte[r.client().length + 8]).put(r.client()).putLong(r.transferId()).flip();
    }

    /** Writes a record durably before returning (after any earlier record of the deal). */
    public void put(DealRecord r) {
        ByteBuffer k = heapKey(r);
        synchronized (writeLock) {
            DealRecord superseded;
            synchronized (pending) {
                superseded = pending.get(k);
            }
            commit(List.of(r));
            synchronousCommits.incrementAndGet();
            if (superseded != null) {
                synchronized (pending) {
                    if (pending.get(k) == superseded) {
                        pending.remove(k);
                    }
                }
            }
        }
    }

    /**
     * Writes a record durably in the background: returns at once; a later {@link #put} or
     * {@code putLater} of the same deal supersedes it, {@link #get} and {@link #all} see it.
     */
    public void putLater(DealRecord r) {
        boolean schedule;
        synchronized (pending) {
            pending.put(heapKey(r), r);
            schedule = !flushScheduled;
            flushScheduled = true;
        }
        if (schedule) {
            try {
                background.execute(this::flush);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                flush(); // closing: write it now
            }
        }
    }

    /**
     * Commits every record waiting for the background writer (in one transaction). Each stays
     * visible to readers until it is committed.
     */
    public void flush() {
        synchronized (writeLock) {
            Map<ByteBuffer, DealRecord> batch;
            synchronized (pending) {
                flushScheduled = false;
                batch = new LinkedHashMap<>(pending);
            }
            if (batch.isEmpty()) {
                return;
            }
            try {
                commit(List.copyOf(batch.values()));
            } catch (NodeException e) {
                log.warn("{} retrieval deal record(s) not stored: {}", batch.size(), e.getMessage());
            }
            synchronized (pending) {
                batch.forEach((k, v) -> {
                    if (pending.get(k) == v) {
                        pending.remove(k); // unless a newer record came meanwhile
                    }
                });
            }
        }
    }

    private void commit(List<DealRecord> records) {
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            for (DealRecord r : records) {
                deals.put(txn, key(r.client(), r.transferId()), direct(r.encode()));
            }
            txn.commit();
        } catch (LmdbException e) {
            throw new NodeException(NodeException.Reason.IO, "cannot store retrieval deal: " + e.getMessage(), e);
        }
    }

    /** The record of {@code client}'s transfer {@code transferId}, or null. */
    public DealRecord get(byte[] client, long transferId) {
        synchronized (pending) {
            DealRecord p = pending.get(ByteBuffer.wrap(new byte[client.length + 8]).put(client).putLong(transferId).flip());
            if (p != null) {
                return p;
            }
        }
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
        flush();
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

    /**
     * How many commits callers of {@link #put} waited for since the store opened (each a
     * synchronous flush to disk); background writes are not counted. For metrics and tests: a
     * payment round must not add any.
     */
    public long synchronousCommits() {
        return synchronousCommits.get();
    }

    /** Commits what waits for the background writer, then closes. */
    @Override
    public void close() {
        if (writer != null) {
            writer.shutdown();
            try {
                writer.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        flush();
        env.close();
    }
}
