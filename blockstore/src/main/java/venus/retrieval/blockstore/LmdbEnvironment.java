package venus.retrieval.blockstore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.LmdbException;
import org.lmdbjava.LmdbNativeException;
import org.lmdbjava.Txn;

/**
 * The node's one LMDB environment ({@code REPO/lmdb/}) with its named databases: blocks, piece
 * records and the block index. It hides nothing of LMDB's transaction model; it only adds what
 * every caller needs:
 * <ul>
 *   <li>short read transactions ({@code MDB_NOTLS}, so any thread may run one), each thread
 *       reusing its own transaction handle for up to {@link #REUSED_READERS} threads: on a
 *       writable environment a thread keeps its snapshot between reads until this process next
 *       commits (every commit releases idle snapshots, so readers see every completed write and
 *       pin no pages for long); read-only (beside another writer process, whose commits it
 *       cannot see coming) it resets after every read;</li>
 *   <li>one writer at a time, each write a durable commit (fsync), retried after growing the map
 *       when LMDB reports {@code MDB_MAP_FULL} — up to {@link Options#maxMapSize()}, beyond which
 *       the write fails with {@link BlockstoreException.Reason#FULL} and nothing of it is stored;</li>
 *   <li>read-only opening beside a writer process (adopting the writer's larger map when LMDB
 *       says {@code MDB_MAP_RESIZED});</li>
 *   <li>a schema version in the {@code meta} database, checked at open.</li>
 * </ul>
 */
public final class LmdbEnvironment implements AutoCloseable {
    /** The layout version of the databases below. Bump on any incompatible change. */
    public static final int SCHEMA_VERSION = 1;

    static final String META = "meta";
    static final String BLOCKS = "blocks";
    static final String PIECES = "pieces";
    static final String PIECE_CIDS = "piece-cids";
    static final String INDEX = "index";
    static final String PIECE_BLOCKS = "piece-blocks";
    private static final String[] DATABASES = {META, BLOCKS, PIECES, PIECE_CIDS, INDEX, PIECE_BLOCKS};
    private static final byte[] SCHEMA_KEY = "schema".getBytes(StandardCharsets.US_ASCII);
    private static final int ENOSPC = 28;
    /**
     * Threads that keep a reset read transaction between reads (each holds one of LMDB's 510
     * reader slots while the environment is open); later threads open a fresh one per read.
     */
    static final int REUSED_READERS = 128;

    /**
     * How to open the environment.
     *
     * @param readOnly       open without write access (beside a writer process, or for inspection)
     * @param initialMapSize map size at open (LMDB raises it to the data already stored)
     * @param maxMapSize     the map never grows beyond this; a write that needs more fails with {@code FULL}
     */
    public record Options(boolean readOnly, long initialMapSize, long maxMapSize) {
        public Options {
            if (initialMapSize < (1 << 20) || maxMapSize < initialMapSize) {
                throw new IllegalArgumentException("need 1 MiB <= initialMapSize <= maxMapSize");
            }
        }

        /** Writable, 64 MiB initially, growing (doubling) up to 4 TiB. */
        public static Options defaults() {
            return new Options(false, 64L << 20, 4L << 40);
        }

        public Options withReadOnly(boolean v) {
            return new Options(v, initialMapSize, maxMapSize);
        }

        public Options withMapSize(long initial, long max) {
            return new Options(readOnly, initial, max);
        }
    }

    private final Path dir;
    private final Options options;
    private final Env<ByteBuffer> env;
    private final Map<String, Dbi<ByteBuffer>> dbis = new HashMap<>();
    // LMDB may only change the map size while this process has no transaction open.
    private final ReentrantReadWriteLock resizeLock = new ReentrantReadWriteLock();
    private final Object writeMonitor = new Object();
    private volatile long mapSize;
    private volatile boolean closed;
    private final ThreadLocal<ReadSlot> readSlot = new ThreadLocal<>();
    private final Set<ReadSlot> readSlots = ConcurrentHashMap.newKeySet();

    // Durable commits made through this object; a reused read snapshot taken at the same count is current.
    private final AtomicLong commits = new AtomicLong();

    /**
     * One thread's reusable read transaction. Only its thread moves it to BUSY (and back); a
     * committing writer or a map resize may take an idle OPEN one through RESETTING to RESET.
     */
    private static final class ReadSlot {
        static final int RESET = 0;     // no snapshot held
        static final int OPEN = 1;      // idle, holding the snapshot taken at {@code snapshot} commits
        static final int BUSY = 2;      // a read runs in it
        static final int RESETTING = 3; // another thread is resetting it

        final Txn<ByteBuffer> txn;
        final AtomicInteger state = new AtomicInteger(RESET);
        long snapshot = -1;

        ReadSlot(Txn<ByteBuffer> txn) {
            this.txn = txn;
        }

        /** OPEN -> RESET if idle; returns whether it was reset (callers: writer, resize, close). */
        boolean releaseIfOpen() {
            if (!state.compareAndSet(OPEN, RESETTING)) {
                return false;
            }
            try {
                txn.reset();
            } finally {
                state.set(RESET);
            }
            return true;
        }
    }

    private LmdbEnvironment(Path dir, Options options, Env<ByteBuffer> env) {
        this.dir = dir;
        this.options = options;
        this.env = env;
        this.mapSize = env.info().mapSize;
    }

    /**
     * Opens (a writer creates) the environment in {@code dir}.
     *
     * @throws BlockstoreException {@code NOT_FOUND} when opening read-only and nothing is there;
     *         {@code INCOMPATIBLE} when the data was written by another schema version
     */
    public static LmdbEnvironment open(Path dir, Options options) {
        Path data = dir.resolve("data.mdb");
        if (options.readOnly() && !Files.isRegularFile(data)) {
            throw new BlockstoreException(BlockstoreException.Reason.NOT_FOUND, "no LMDB environment in " + dir);
        }
        Env<ByteBuffer> env;
        try {
            Files.createDirectories(dir);
            long size = options.initialMapSize();
            if (Files.exists(data)) {
                size = Math.min(Math.max(size, Files.size(data)), Math.max(options.maxMapSize(), Files.size(data)));
            }
            Env.Builder<ByteBuffer> b = Env.create().setMapSize(size).setMaxDbs(DATABASES.length + 2).setMaxReaders(510);
            env = options.readOnly()
                    ? b.open(dir.toFile(), EnvFlags.MDB_NOTLS, EnvFlags.MDB_RDONLY_ENV)
                    : b.open(dir.toFile(), EnvFlags.MDB_NOTLS);
        } catch (IOException e) {
            throw new BlockstoreException(BlockstoreException.Reason.IO, "cannot open LMDB in " + dir + ": " + e.getMessage(), e);
        } catch (LmdbException e) {
            throw new BlockstoreException(BlockstoreException.Reason.IO, "cannot open LMDB in " + dir + ": " + e.getMessage(), e);
        }
        LmdbEnvironment e = new LmdbEnvironment(dir, options, env);
        try {
            e.openDatabases();
        } catch (RuntimeException ex) {
            env.close();
            throw ex;
        }
        return e;
    }

    private void openDatabases() {
        if (options.readOnly()) {
            try (Txn<ByteBuffer> txn = env.txnRead()) {
                for (String name : DATABASES) {
                    dbis.put(name, env.openDbi(txn, name.getBytes(StandardCharsets.US_ASCII), null, false));
                }
                txn.commit(); // a handle opened in a read transaction is kept only if it commits
            } catch (LmdbException ex) {
                throw new BlockstoreException(BlockstoreException.Reason.INCOMPATIBLE,
                        "LMDB in " + dir + " lacks the piece store's databases (" + ex.getMessage() + ")", ex);
            }
        } else {
            // Clear reader slots left by processes that died (e.g. SIGKILL) before they closed.
            env.readerCheck();
            write(txn -> {
                for (String name : DATABASES) {
                    dbis.put(name, env.openDbi(txn, name.getBytes(StandardCharsets.US_ASCII), null, false, DbiFlags.MDB_CREATE));
                }
                Dbi<ByteBuffer> meta = dbis.get(META);
                ByteBuffer k = Buffers.key(SCHEMA_KEY, 0);
                if (meta.get(txn, k) == null) {
                    meta.put(txn, k, Buffers.direct(Buffers.u32(SCHEMA_VERSION)));
                }
            });
        }
        int version = read(txn -> {
            ByteBuffer v = dbis.get(META).get(txn, Buffers.key(SCHEMA_KEY, 0));
            return v == null || v.remaining() != 4 ? -1 : v.getInt(v.position());
        });
        if (version != SCHEMA_VERSION) {
            throw new BlockstoreException(BlockstoreException.Reason.INCOMPATIBLE, "the LMDB data in " + dir
                    + " has schema version " + version + "; this build reads version " + SCHEMA_VERSION);
        }
    }

    /** The environment's directory. */
    public Path dir() {
        return dir;
    }

    /** Whether writes are refused. */
    public boolean isReadOnly() {
        return options.readOnly();
    }

    /** The current map size in bytes. */
    public long mapSize() {
        return mapSize;
    }

    Dbi<ByteBuffer> dbi(String name) {
        return dbis.get(name);
    }

    /**
     * Runs {@code f} in a short read transaction; buffers it sees are valid only inside it. The
     * transaction is this thread's reused one (renewed for {@code f}, reset after it) unless the
     * thread is already inside a read (nested reads get a fresh transaction) or
     * {@link #REUSED_READERS} threads already keep one.
     */
    public <R> R read(Function<Txn<ByteBuffer>, R> f) {
        return read(f, null, (txn, fn, unused) -> fn.apply(txn));
    }

    /** A read with two arguments, so a hot caller can pass a non-capturing (allocation-free) op. */
    @FunctionalInterface
    public interface ReadOp<A, B, R> {
        R apply(Txn<ByteBuffer> txn, A a, B b);
    }

    /** {@link #read(Function)} for an op that takes its arguments explicitly. */
    public <A, B, R> R read(A a, B b, ReadOp<A, B, R> op) {
        for (int attempt = 0; ; attempt++) {
            resizeLock.readLock().lock();
            try {
                checkOpen();
                ReadSlot slot = idleSlot();
                if (slot == null) {
                    try (Txn<ByteBuffer> txn = env.txnRead()) {
                        return op.apply(txn, a, b);
                    }
                }
                return readIn(slot, a, b, op);
            } catch (Dbi.MapResizedException e) {
                if (attempt > 3) {
                    throw new BlockstoreException(BlockstoreException.Reason.IO, "LMDB map keeps being resized", e);
                }
            } catch (LmdbException e) {
                throw translate(e);
            } finally {
                resizeLock.readLock().unlock();
            }
            adoptMapSize();
        }
    }

    private <A, B, R> R readIn(ReadSlot slot, A a, B b, ReadOp<A, B, R> op) {
        boolean open;
        while (true) {
            int st = slot.state.get();
            if ((st == ReadSlot.OPEN || st == ReadSlot.RESET) && slot.state.compareAndSet(st, ReadSlot.BUSY)) {
                open = st == ReadSlot.OPEN;
                break;
            }
            Thread.onSpinWait(); // a writer is resetting it (a few microseconds at most)
        }
        long now = commits.get();
        try {
            if (open && slot.snapshot != now) {
                slot.txn.reset();
                open = false;
            }
            if (!open) {
                slot.txn.renew();
                slot.snapshot = now;
            }
        } catch (RuntimeException e) {
            discard(slot); // e.g. MDB_MAP_RESIZED: the handle is in no state to reuse
            throw e;
        }
        try {
            return op.apply(slot.txn, a, b);
        } finally {
            if (options.readOnly() || slot.snapshot != commits.get()) {
                slot.txn.reset(); // another process may commit unseen; or ours just did
                slot.state.set(ReadSlot.RESET);
            } else {
                slot.state.set(ReadSlot.OPEN);
            }
        }
    }

    /** Resets every idle reused snapshot (after a commit, before a resize, at close). */
    private void releaseIdleSnapshots() {
        for (ReadSlot slot : readSlots) {
            try {
                slot.releaseIfOpen();
            } catch (RuntimeException e) {
                // leave it: its owner resets it before its next read anyway
            }
        }
    }

    /** This thread's reusable read transaction if it is idle, else null (caller opens a fresh one). */
    private ReadSlot idleSlot() {
        ReadSlot slot = readSlot.get();
        if (slot != null) {
            return slot.state.get() == ReadSlot.BUSY ? null : slot; // BUSY: a read nested in a read
        }
        if (readSlots.size() >= REUSED_READERS) {
            return null;
        }
        Txn<ByteBuffer> txn = env.txnRead();
        txn.reset();
        slot = new ReadSlot(txn);
        readSlots.add(slot);
        readSlot.set(slot);
        return slot;
    }

    private void discard(ReadSlot slot) {
        readSlots.remove(slot);
        readSlot.remove();
        try {
            slot.txn.close();
        } catch (RuntimeException ignored) {
            // already unusable; the environment's close releases what is left
        }
    }

    /**
     * Runs {@code op} in a write transaction and commits it durably. When the map is full the
     * transaction is aborted, the map grows and {@code op} runs again from the start, so it must
     * be repeatable (write what it was given, keep no state across attempts).
     *
     * @throws BlockstoreException {@code READ_ONLY}; {@code FULL} when the map cannot grow further
     */
    public void write(Consumer<Txn<ByteBuffer>> op) {
        if (options.readOnly()) {
            throw new BlockstoreException(BlockstoreException.Reason.READ_ONLY, "the piece store is open read-only");
        }
        synchronized (writeMonitor) {
            while (true) {
                resizeLock.readLock().lock();
                try {
                    checkOpen();
                    try (Txn<ByteBuffer> txn = env.txnWrite()) {
                        op.accept(txn);
                        txn.commit();
                    }
                    commits.incrementAndGet();
                    releaseIdleSnapshots(); // readers must see this commit, and old snapshots pin pages
                    return;
                } catch (Env.MapFullException e) {
                    // fall through: grow and retry
                } catch (LmdbNativeException e) {
                    throw translate(e);
                } catch (LmdbException e) {
                    throw translate(e);
                } finally {
                    resizeLock.readLock().unlock();
                }
                grow();
            }
        }
    }

    private void grow() {
        long current = mapSize;
        if (current >= options.maxMapSize()) {
            throw new BlockstoreException(BlockstoreException.Reason.FULL, "the LMDB map in " + dir + " is full at its maximum of "
                    + current + " bytes; nothing of the failed write was stored");
        }
        long next = Math.min(options.maxMapSize(), current * 2);
        resizeLock.writeLock().lock();
        try {
            checkOpen();
            releaseIdleSnapshots(); // no transaction may be live in this process while the map moves
            env.setMapSize(next);
            mapSize = env.info().mapSize;
        } catch (LmdbException e) {
            throw translate(e);
        } finally {
            resizeLock.writeLock().unlock();
        }
    }

    private void adoptMapSize() {
        resizeLock.writeLock().lock();
        try {
            checkOpen();
            releaseIdleSnapshots();
            env.setMapSize(0); // 0 = adopt the size another process gave the map
            mapSize = env.info().mapSize;
        } catch (LmdbException e) {
            throw translate(e);
        } finally {
            resizeLock.writeLock().unlock();
        }
    }

    private BlockstoreException translate(LmdbException e) {
        if (e instanceof LmdbNativeException n && n.getResultCode() == ENOSPC) {
            return new BlockstoreException(BlockstoreException.Reason.FULL, "no space left on the device holding " + dir, e);
        }
        return new BlockstoreException(BlockstoreException.Reason.IO, "LMDB error in " + dir + ": " + e.getMessage(), e);
    }

    private void checkOpen() {
        if (closed) {
            throw new BlockstoreException(BlockstoreException.Reason.IO, "the LMDB environment in " + dir + " is closed");
        }
    }

    /** Number of entries in a named database (for stats and tests). */
    long entries(String name) {
        return read(txn -> dbis.get(name).stat(txn).entries);
    }

    /** Closes the environment once every running transaction has finished. */
    @Override
    public void close() {
        resizeLock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                for (ReadSlot slot : readSlots) {
                    try {
                        if (slot.state.get() != ReadSlot.OPEN) {
                            slot.txn.renew(); // lmdbjava only aborts (freeing the reader slot) a live transaction
                        }
                        slot.txn.close();
                    } catch (RuntimeException ignored) {
                        // the environment closes below either way
                    }
                }
                readSlots.clear();
                env.close();
            }
        } finally {
            resizeLock.writeLock().unlock();
        }
    }
}
