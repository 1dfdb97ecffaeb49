package venus.retrieval.gateway.bitswap;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import venus.retrieval.blockstore.BlockSource;
import venus.retrieval.blockstore.PieceDirectory;
import venus.retrieval.gateway.bitswap.BitswapMessage.Block;
import venus.retrieval.gateway.bitswap.BitswapMessage.Entry;
import venus.retrieval.gateway.bitswap.BitswapMessage.Presence;
import venus.retrieval.gateway.bitswap.BitswapMessage.PresenceType;
import venus.retrieval.gateway.bitswap.BitswapMessage.WantType;
import venus.retrieval.ipld.Cid;
import venus.retrieval.libp2p.PeerId;

/**
 * The server side of Bitswap without the network: per-peer wantlists (ledgers) and a scheduler in
 * the manner of boxo's decision engine.
 *
 * <ul>
 *   <li>Each peer's wants are served highest priority first, then in arrival order.</li>
 *   <li>Peers with work wait in one round-robin queue; a worker takes the head peer, packs one
 *       message of up to {@link BitswapConfig#maxOutstandingBytesPerPeer()} block bytes (never more
 *       than the message limit), sends it and puts the peer back at the tail. A peer is only ever
 *       in one worker's hands, so its messages leave in order.</li>
 *   <li>A peer whose {@link Outbox} is not writable (it does not read) is parked until it is;
 *       a peer over its rate limit is parked until its budget refills.</li>
 *   <li>Cancels remove queued wants, and a want cancelled while its message was being built is
 *       dropped from that message before it is sent.</li>
 * </ul>
 * Blocks come from the shared {@link BlockSource}; the {@link BitswapPolicy} decides who gets what.
 */
public final class BitswapEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BitswapEngine.class);

    /** Where a peer's answers go (a stream the server opens to the peer). */
    public interface Outbox {
        /** Whether a message may be sent now (the peer reads what we send). */
        boolean isWritable();

        /** Sends one message (called by one worker at a time per peer). */
        void send(BitswapMessage message);

        /** Nothing more is queued for the peer for now (the outbox may close its stream). */
        default void idle() {}
    }

    private final BlockSource blocks;
    private final PieceDirectory directory;
    private final BitswapPolicy policy;
    private final BitswapConfig config;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition workReady = lock.newCondition();
    private final ArrayDeque<Ledger> ready = new ArrayDeque<>();
    private final Map<PeerId, Ledger> ledgers = new HashMap<>();
    private final List<Thread> workers = new ArrayList<>();
    private final ScheduledExecutorService timer;
    private final AtomicLong blocksSent = new AtomicLong();
    private final AtomicLong bytesSent = new AtomicLong();
    private final AtomicLong wantsIgnored = new AtomicLong();
    private boolean closed;

    /**
     * @param directory answers {@link BitswapPolicy.Scope#PUBLIC}; may be null with {@code Scope.ALL}
     */
    public BitswapEngine(BlockSource blocks, PieceDirectory directory, BitswapPolicy policy, BitswapConfig config) {
        if (policy.scope() == BitswapPolicy.Scope.PUBLIC && directory == null) {
            throw new IllegalArgumentException("serving only public pieces needs the piece directory");
        }
        this.blocks = blocks;
        this.directory = directory;
        this.policy = policy;
        this.config = config;
        AtomicInteger n = new AtomicInteger();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "vrn-bitswap-timer"));
        for (int i = 0; i < config.workers(); i++) {
            Thread t = daemon(this::work, "vrn-bitswap-worker-" + n.incrementAndGet());
            workers.add(t);
            t.start();
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** The configuration. */
    public BitswapConfig config() {
        return config;
    }

    /** The policy. */
    public BitswapPolicy policy() {
        return policy;
    }

    /** Whether this node offers {@code cid} to the world (held, and in the policy's scope). */
    public boolean offers(Cid cid) {
        if (cid.isIdentity()) {
            return false;
        }
        return blocks.has(cid) && policy.inScope(cid, directory);
    }

    /**
     * Applies a message from {@code peer} (its wantlist; blocks and presences sent to a server are
     * ignored). Cheap: never touches storage, so it runs on the network thread.
     */
    public void receive(PeerId peer, BitswapProtocol protocol, BitswapMessage message, Outbox outbox) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            Ledger l = ledgers.computeIfAbsent(peer, Ledger::new);
            l.protocol = protocol;
            l.outbox = outbox;
            if (message.full()) {
                l.clear();
            }
            for (Entry e : message.wantlist()) {
                if (e.cancel()) {
                    l.cancel(e.cid());
                } else if (!e.cid().isIdentity()) { // identity CIDs carry their data; boxo ignores them too
                    if (!l.want(e, config.maxWantlistEntries())) {
                        wantsIgnored.incrementAndGet();
                        if (l.ignored++ == 0) {
                            LOG.info("bitswap peer {}: wantlist over {} entries, further wants ignored", peer, config.maxWantlistEntries());
                        }
                    }
                }
            }
            signal(l);
        } finally {
            lock.unlock();
        }
    }

    /** {@code peer}'s outbox may have become writable again. */
    public void writable(PeerId peer) {
        lock.lock();
        try {
            Ledger l = ledgers.get(peer);
            if (l != null) {
                signal(l);
            }
        } finally {
            lock.unlock();
        }
    }

    /** {@code peer} went away: its wants are dropped. */
    public void peerGone(PeerId peer) {
        lock.lock();
        try {
            Ledger l = ledgers.remove(peer);
            if (l != null) {
                l.clear();
                l.gone = true;
                ready.remove(l);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Wants currently held for {@code peer} (queued or being answered). */
    public int wantCount(PeerId peer) {
        lock.lock();
        try {
            Ledger l = ledgers.get(peer);
            return l == null ? 0 : l.wants.size();
        } finally {
            lock.unlock();
        }
    }

    /** Peers with a ledger. */
    public int peerCount() {
        lock.lock();
        try {
            return ledgers.size();
        } finally {
            lock.unlock();
        }
    }

    /** Blocks sent so far. */
    public long blocksSent() {
        return blocksSent.get();
    }

    /** Block bytes sent so far. */
    public long bytesSent() {
        return bytesSent.get();
    }

    /** Wants ignored because a peer's wantlist was full. */
    public long wantsIgnored() {
        return wantsIgnored.get();
    }

    /** Queues {@code l} if it has work and may be served now. Lock held. */
    private void signal(Ledger l) {
        if (l.queued || l.busy || l.gone || l.queue.isEmpty() || l.outbox == null) {
            return;
        }
        long now = System.nanoTime();
        if (l.notBefore - now > 0) {
            if (!l.timerPending) {
                l.timerPending = true;
                timer.schedule(() -> {
                    lock.lock();
                    try {
                        l.timerPending = false;
                        signal(l);
                    } finally {
                        lock.unlock();
                    }
                }, l.notBefore - now, TimeUnit.NANOSECONDS);
            }
            return;
        }
        if (!l.outbox.isWritable()) {
            return; // the outbox calls writable() when it drains
        }
        l.queued = true;
        ready.addLast(l);
        workReady.signal();
    }

    private void work() {
        while (true) {
            Ledger l;
            lock.lock();
            try {
                while (ready.isEmpty() && !closed) {
                    workReady.awaitUninterruptibly();
                }
                if (closed) {
                    return;
                }
                l = ready.pollFirst();
                l.queued = false;
                l.busy = true;
            } finally {
                lock.unlock();
            }
            Outbox out = l.outbox;
            try {
                serveRound(l, out);
            } catch (RuntimeException e) {
                LOG.warn("bitswap peer {}: round failed: {}", l.peer, e.toString());
            }
            boolean drained;
            lock.lock();
            try {
                drained = l.queue.isEmpty();
            } finally {
                lock.unlock();
            }
            if (drained && out != null) {
                // Still busy here, so no other worker writes to the outbox while it closes.
                try {
                    out.idle();
                } catch (RuntimeException e) {
                    LOG.debug("bitswap peer {}: idle failed: {}", l.peer, e.toString());
                }
            }
            lock.lock();
            try {
                l.busy = false;
                signal(l);
            } finally {
                lock.unlock();
            }
        }
    }

    /** Builds and sends one message for {@code l}. */
    private void serveRound(Ledger l, Outbox out) {
        BitswapProtocol proto = l.protocol;
        boolean haves = proto.supportsHave();
        boolean allowed = policy.allows(l.peer);
        int budget = config.maxOutstandingBytesPerPeer();
        int limit = config.maxMessageBytes() - 64;
        int size = 0;
        long blockBytes = 0;
        List<Want> taken = new ArrayList<>();
        List<Object> parts = new ArrayList<>(); // Block/byte[] or Presence, parallel to taken
        while (blockBytes < budget && size < limit) {
            Want w;
            lock.lock();
            try {
                w = l.queue.pollFirst();
                if (w != null) {
                    w.inFlight = true;
                }
            } finally {
                lock.unlock();
            }
            if (w == null) {
                break;
            }
            boolean served = allowed && policy.inScope(w.cid, directory);
            Object part = null;
            int partSize = 0;
            if (w.type == WantType.HAVE && haves) {
                int blockSize = served ? blocks.size(w.cid) : -1;
                if (blockSize >= 0 && blockSize <= BitswapConfig.WANT_HAVE_REPLACE_SIZE) {
                    byte[] data = blocks.get(w.cid);
                    if (data != null) {
                        part = Block.of(w.cid, data);
                    }
                } else if (blockSize >= 0) {
                    part = new Presence(w.cid, PresenceType.HAVE);
                }
            } else {
                byte[] data = served ? blocks.get(w.cid) : null;
                if (data != null) {
                    part = proto.usesPayload() ? Block.of(w.cid, data) : data;
                }
            }
            if (part == null && w.sendDontHave && haves) {
                part = new Presence(w.cid, PresenceType.DONT_HAVE);
            }
            if (part instanceof Block b) {
                partSize = BitswapCodec.payloadFieldSize(b.prefix().length, b.data().length);
            } else if (part instanceof byte[] raw) {
                partSize = raw.length + 6;
            } else if (part instanceof Presence p) {
                partSize = BitswapCodec.presenceFieldSize(p.cid().byteLength());
            }
            if (part != null && size + partSize > limit) {
                if (taken.isEmpty()) {
                    LOG.info("bitswap peer {}: block {} does not fit in a {}-byte message, not sent", l.peer, w.cid, config.maxMessageBytes());
                    part = null;
                } else {
                    lock.lock();
                    try {
                        l.requeue(w); // next round
                    } finally {
                        lock.unlock();
                    }
                    break;
                }
            }
            taken.add(w);
            parts.add(part);
            if (part != null) {
                size += partSize;
                if (!(part instanceof Presence)) {
                    blockBytes += partSize;
                }
            }
        }
        List<Block> payload = new ArrayList<>();
        List<byte[]> raw = new ArrayList<>();
        List<Presence> presences = new ArrayList<>();
        long sentBlocks = 0;
        long sentBytes = 0;
        lock.lock();
        try {
            for (int i = 0; i < taken.size(); i++) {
                Want w = taken.get(i);
                Object part = parts.get(i);
                l.done(w);
                if (w.cancelled || part == null) {
                    continue; // cancelled while we looked it up: not sent
                }
                if (part instanceof Block b) {
                    payload.add(b);
                    sentBlocks++;
                    sentBytes += b.data().length;
                } else if (part instanceof byte[] r) {
                    raw.add(r);
                    sentBlocks++;
                    sentBytes += r.length;
                } else {
                    presences.add((Presence) part);
                }
            }
            if (policy.bytesPerSecond() > 0 && sentBytes > 0) {
                l.charge(sentBytes, policy.bytesPerSecond());
            }
        } finally {
            lock.unlock();
        }
        if (payload.isEmpty() && raw.isEmpty() && presences.isEmpty()) {
            return;
        }
        blocksSent.addAndGet(sentBlocks);
        bytesSent.addAndGet(sentBytes);
        out.send(new BitswapMessage(List.of(), false, raw, payload, presences, 0));
    }

    /** Stops the workers; queued wants are dropped. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            ledgers.clear();
            ready.clear();
            workReady.signalAll();
        } finally {
            lock.unlock();
        }
        timer.shutdownNow();
        for (Thread t : workers) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** One wanted CID of one peer. */
    private static final class Want {
        final Cid cid;
        int priority;
        WantType type;
        boolean sendDontHave;
        long seq;
        boolean inFlight;
        boolean cancelled;

        Want(Entry e, long seq) {
            this.cid = e.cid();
            this.priority = e.priority();
            this.type = e.type();
            this.sendDontHave = e.sendDontHave();
            this.seq = seq;
        }
    }

    private static final Comparator<Want> ORDER = Comparator.<Want>comparingInt(w -> -w.priority).thenComparingLong(w -> w.seq);

    /** A peer's wants and scheduling state; guarded by the engine's lock. */
    private static final class Ledger {
        final PeerId peer;
        final Map<Cid, Want> wants = new HashMap<>();
        final TreeSet<Want> queue = new TreeSet<>(ORDER);
        BitswapProtocol protocol = BitswapProtocol.V1_2_0;
        Outbox outbox;
        long seq;
        boolean queued;
        boolean busy;
        boolean gone;
        boolean timerPending;
        long notBefore = System.nanoTime();
        long ignored;

        Ledger(PeerId peer) {
            this.peer = peer;
        }

        /** Adds or merges a want; false when the wantlist is full. */
        boolean want(Entry e, int max) {
            Want w = wants.get(e.cid());
            if (w != null && !w.inFlight) {
                queue.remove(w);
                w.priority = e.priority();
                if (e.type() == WantType.BLOCK) {
                    w.type = WantType.BLOCK; // a want-block upgrades a want-have
                }
                w.sendDontHave |= e.sendDontHave();
                queue.add(w);
                return true;
            }
            if (w == null && wants.size() >= max) {
                return false;
            }
            // New, or asked again while the previous answer is being built: a fresh want.
            Want fresh = new Want(e, seq++);
            wants.put(e.cid(), fresh);
            queue.add(fresh);
            return true;
        }

        void cancel(Cid cid) {
            Want w = wants.remove(cid);
            if (w != null) {
                w.cancelled = true;
                queue.remove(w);
            }
        }

        void clear() {
            for (Want w : wants.values()) {
                w.cancelled = true;
            }
            wants.clear();
            queue.clear();
        }

        /** Puts a popped want back for the next round. */
        void requeue(Want w) {
            w.inFlight = false;
            if (!w.cancelled && wants.get(w.cid) == w) {
                queue.add(w);
            }
        }

        /** The want's answer was built: it leaves the wantlist (unless asked again meanwhile). */
        void done(Want w) {
            wants.remove(w.cid, w);
        }

        /** Token bucket: spends {@code bytes} and parks the peer while the budget is negative. */
        void charge(long bytes, long rate) {
            long now = System.nanoTime();
            long start = Math.max(notBefore, now - TimeUnit.SECONDS.toNanos(1)); // at most 1 s of burst saved up
            notBefore = start + (long) (bytes * 1e9 / rate);
        }
    }
}
