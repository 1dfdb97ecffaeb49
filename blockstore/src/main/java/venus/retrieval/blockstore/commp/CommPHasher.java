package venus.retrieval.blockstore.commp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import venus.retrieval.blockstore.BlockstoreException;

/**
 * Streaming piece commitment (CommP): feed the payload with {@link #update}, then {@link #finish}.
 * One pass, constant memory (a few 1 MiB segment buffers) whatever the payload size.
 *
 * <p>The payload is cut into segments of 127 × 8192 bytes; each segment Fr32-pads into exactly
 * 2^15 leaves (1 MiB padded), a complete subtree whose root is computed independently. With
 * {@code workerThreads > 0} segments are hashed on that many threads (the caller only copies bytes
 * into segment buffers, handed over through a bounded pool) and their roots are merged in order.
 * The tail and the zero padding up to the power-of-two piece size use precomputed zero-subtree
 * commitments, so zeros are never hashed.
 *
 * <p>Not thread-safe: one producer thread calls {@code update} and {@code finish}.
 */
public final class CommPHasher implements AutoCloseable {
    static final int SEGMENT_LEVEL = 15;
    static final int SEGMENT_LEAVES = 1 << SEGMENT_LEVEL;
    static final int SEGMENT_CHUNKS = SEGMENT_LEAVES / 4;
    /** Payload bytes per segment (127 × 8192). */
    public static final int SEGMENT_BYTES = SEGMENT_CHUNKS * Fr32.IN_CHUNK;
    private static final int LEAF_BUFFER = SEGMENT_LEAVES * 32 + 32;
    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    private final byte[][] stack = new byte[ZeroCommitments.LEVELS][];
    private final NodeHasher hasher = new NodeHasher();
    private final ExecutorService workers;
    private final ArrayDeque<Future<byte[]>> pending = new ArrayDeque<>();
    private final BlockingQueue<byte[]> free;
    private final int maxPending;
    private byte[] leaves;
    private byte[] segment;
    private int fill;
    private long total;
    private boolean done;

    /** A single-threaded hasher: all hashing happens in the calling thread. */
    public CommPHasher() {
        this(0);
    }

    /**
     * A hasher that hashes segments on {@code workerThreads} threads of its own (0 = in the caller).
     * Close it (or call {@link #finish}) to stop them.
     */
    public CommPHasher(int workerThreads) {
        if (workerThreads < 0) {
            throw new IllegalArgumentException("workerThreads must be >= 0");
        }
        if (workerThreads == 0) {
            workers = null;
            free = null;
            maxPending = 0;
            segment = new byte[SEGMENT_BYTES];
        } else {
            workers = Executors.newFixedThreadPool(workerThreads, r -> {
                Thread t = new Thread(r, "commp-" + THREAD_IDS.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            maxPending = 2 * workerThreads;
            free = new ArrayBlockingQueue<>(maxPending + 1);
            for (int i = 0; i <= maxPending; i++) {
                free.add(new byte[SEGMENT_BYTES]);
            }
            segment = free.poll();
        }
    }

    /** Hashes {@code data} in the calling thread. */
    public static PieceCommitment compute(byte[] data) {
        try (CommPHasher h = new CommPHasher()) {
            h.update(data, 0, data.length);
            return h.finish();
        }
    }

    /** Hashes a stream to its end with {@code workerThreads} threads (0 = the caller). */
    public static PieceCommitment compute(InputStream in, int workerThreads) throws IOException {
        try (CommPHasher h = new CommPHasher(workerThreads)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) >= 0; ) {
                h.update(buf, 0, n);
            }
            return h.finish();
        }
    }

    /** Hashes a whole file with {@code workerThreads} threads (0 = the caller). */
    public static PieceCommitment compute(Path file, int workerThreads) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
             CommPHasher h = new CommPHasher(workerThreads)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            while (ch.read(buf.clear()) >= 0) {
                h.update(buf.flip());
            }
            return h.finish();
        }
    }

    /** Bytes fed so far. */
    public long size() {
        return total;
    }

    /** Feeds the buffer's remaining bytes (its position advances to its limit). */
    public void update(ByteBuffer buf) {
        checkOpen();
        while (buf.hasRemaining()) {
            int n = Math.min(buf.remaining(), SEGMENT_BYTES - fill);
            buf.get(segment, fill, n);
            advance(n);
        }
    }

    /** Feeds {@code len} bytes of {@code b} from {@code off}. */
    public void update(byte[] b, int off, int len) {
        checkOpen();
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        while (len > 0) {
            int n = Math.min(len, SEGMENT_BYTES - fill);
            System.arraycopy(b, off, segment, fill, n);
            off += n;
            len -= n;
            advance(n);
        }
    }

    private void advance(int n) {
        fill += n;
        total += n;
        if (fill == SEGMENT_BYTES) {
            fullSegment();
        }
    }

    private void fullSegment() {
        if (workers == null) {
            if (leaves == null) {
                leaves = new byte[LEAF_BUFFER];
            }
            push(segmentRoot(segment, leaves, hasher), SEGMENT_LEVEL);
            fill = 0;
            return;
        }
        byte[] full = segment;
        pending.add(workers.submit(() -> {
            try {
                return segmentRoot(full, Worker.LEAVES.get(), Worker.HASHER.get());
            } finally {
                free.add(full);
            }
        }));
        // Merge finished roots in order; block only when too many segments are in flight.
        while (!pending.isEmpty() && (pending.peek().isDone() || pending.size() > maxPending)) {
            push(await(pending.poll()), SEGMENT_LEVEL);
        }
        try {
            segment = free.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BlockstoreException(BlockstoreException.Reason.IO, "interrupted while hashing");
        }
        fill = 0;
    }

    /** Per-thread buffers of the worker threads. */
    private static final class Worker {
        static final ThreadLocal<byte[]> LEAVES = ThreadLocal.withInitial(() -> new byte[LEAF_BUFFER]);
        static final ThreadLocal<NodeHasher> HASHER = ThreadLocal.withInitial(NodeHasher::new);
    }

    private static byte[] segmentRoot(byte[] in, byte[] leaves, NodeHasher h) {
        for (int c = 0; c < SEGMENT_CHUNKS; c++) {
            Fr32.pad(in, c * Fr32.IN_CHUNK, leaves, c * Fr32.OUT_CHUNK);
        }
        h.reduce(leaves, SEGMENT_LEAVES);
        return Arrays.copyOf(leaves, 32);
    }

    private byte[] await(Future<byte[]> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BlockstoreException(BlockstoreException.Reason.IO, "interrupted while hashing");
        } catch (ExecutionException e) {
            throw new BlockstoreException(BlockstoreException.Reason.IO, "CommP worker failed: " + e.getCause(), e.getCause());
        }
    }

    /** Adds a complete subtree root at {@code level}; inputs arrive in order and aligned. */
    private void push(byte[] node, int level) {
        while (stack[level] != null) {
            node = hasher.hash(stack[level], node);
            stack[level] = null;
            level++;
        }
        stack[level] = node;
    }

    /**
     * Pads the tail, completes the tree up to the power-of-two piece size with zero commitments,
     * and returns the commitment. The hasher (and its threads) is closed afterwards.
     *
     * @throws BlockstoreException {@code INVALID_ARGUMENT} when no byte was fed
     */
    public PieceCommitment finish() {
        checkOpen();
        try {
            while (!pending.isEmpty()) {
                push(await(pending.poll()), SEGMENT_LEVEL);
            }
            if (total == 0) {
                throw new BlockstoreException(BlockstoreException.Reason.INVALID_ARGUMENT, "cannot compute a piece commitment of empty input");
            }
            if (fill > 0) {
                pushTail(total > fill);
            }
            byte[] acc = null;
            int accLevel = 0;
            for (int l = 0; l < stack.length; l++) {
                if (stack[l] == null) {
                    continue;
                }
                if (acc == null) {
                    acc = stack[l];
                    accLevel = l;
                    continue;
                }
                for (; accLevel < l; accLevel++) {
                    acc = hasher.hash(acc, ZeroCommitments.at(accLevel));
                }
                acc = hasher.hash(stack[l], acc);
                accLevel++;
            }
            long padded = 32L << accLevel;
            if (padded != Fr32.paddedPieceSize(total)) {
                throw new IllegalStateException("tree size " + padded + " disagrees with payload size " + total);
            }
            return new PieceCommitment(acc, total, padded);
        } finally {
            close();
        }
    }

    /** Reduces the partial last segment; after full segments it is padded up to a segment's level. */
    private void pushTail(boolean afterFullSegments) {
        int chunks = (fill + Fr32.IN_CHUNK - 1) / Fr32.IN_CHUNK;
        Arrays.fill(segment, fill, chunks * Fr32.IN_CHUNK, (byte) 0);
        byte[] buf = leaves != null ? leaves : new byte[chunks * Fr32.OUT_CHUNK + 32];
        for (int c = 0; c < chunks; c++) {
            Fr32.pad(segment, c * Fr32.IN_CHUNK, buf, c * Fr32.OUT_CHUNK);
        }
        int count = chunks * 4;
        int level = 0;
        while (count > 1 || (afterFullSegments && level < SEGMENT_LEVEL)) {
            if ((count & 1) == 1) {
                System.arraycopy(ZeroCommitments.at(level), 0, buf, count * 32, 32);
                count++;
            }
            for (int i = 0, half = count >>> 1; i < half; i++) {
                hasher.hash(buf, i << 6, buf, i << 5);
            }
            count >>>= 1;
            level++;
        }
        push(Arrays.copyOf(buf, 32), level);
    }

    private void checkOpen() {
        if (done) {
            throw new IllegalStateException("CommP hasher already finished or closed");
        }
    }

    /** Stops the worker threads; the hasher cannot be used afterwards. */
    @Override
    public void close() {
        if (!done) {
            done = true;
            if (workers != null) {
                workers.shutdownNow();
            }
        }
    }
}
