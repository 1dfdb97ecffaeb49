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
 *   <li>A want leaves the wantlist once the message answering it was sent; if that message is
 *       lost (its stream was reset first), the want is queued again.</li>
 *   <li>A want for a block we do not hold stays in the wantlist (within its cap) and is served
 *       when {@link #blocksAdded()} reports new blocks.</li>
 * </ul>
 * Blocks come from the shared {@link BlockSource}; the {@link BitswapPolicy} decides who gets what.
 */
public final class BitswapEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BitswapEngine.class);

    /** Where a peer's answers go (a stream the server opens to the peer). */
    public interface Outbox {
        /** Whether a message may be sent now (the peer reads what we send). */
        boolean isWritable();

        /**
         * Sends one message (called by one worker at a time per peer) and later reports through
         * {@code delivery} whether it left: {@link Delivery#sent()} once all its bytes were handed
         * to the connection, {@link Delivery#lost()} when the stream ended (or could not be opened)
         * first.
         */
        void send(BitswapMessage message, Delivery delivery);

        /** Nothing more is queued for the peer for now (the outbox may close its stream). */
        default void idle() {}
    }

    /**
     * What became of one sent message. A want leaves the peer's wantlist only once the message
     * answering it was sent; if it was lost, the want is queued again (unless cancelled meanwhile),
     * as boxo keeps wants until their message is sent. Either method may be called once; later
     * calls do nothing.
     */
    public interface Delivery {
        /** The message was handed to the connection. */
        void sent();

        /** The message was dropped before it was sent (stream reset or closed, or not opened). */
        void lost();
    }

    /** A want is sent again at most this many times after its message was lost. */
    static final int MAX_RESENDS = 3;

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
    private final AtomicLong messagesLost = new AtomicLong();
    /** Bumped by {@link #blocksAdded()}: a lookup that started before a bump may have missed a new block. */
    private long blocksEpoch;
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
                    int dropped = l.want(e, config.maxWantlistEntries());
                    if (dropped > 0) {
                        wantsIgnored.addAndGet(dropped);
                        if (l.ignored == 0) {
                            LOG.info("bitswap peer {}: wantlist over {} entries, further wants dropped", peer, config.maxWantlistEntries());
                        }
                        l.ignored += dropped;
                    }
                }
            }
            signal(l);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks may have been added (a piece import finished): every want we could not answer is
     * looked up again, and the ones now held are served (boxo's NotifyNewBlocks, without the list
     * of CIDs: the store only grows by whole imports, so a re-check of what peers still want is
     * cheaper than a walk over every imported CID). Cheap for the caller: workers do the lookups.
     */
    public void blocksAdded() {
        lock.lock();
        try {
            blocksEpoch++;
            for (Ledger l : ledgers.values()) {
                if (!l.missing.isEmpty()) {
                    for (Want w : l.missing) {
                        l.queue.add(w);
                    }
                    l.missing.clear();
                    signal(l);
                }
            }
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

    /** Wants currently held for {@code peer} (queued, being answered, or waiting for a block we lack). */
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

    /** Wants dropped because a peer's wantlist was full (new ones ignored, or old unanswerable ones evicted). */
    public long wantsIgnored() {
        return wantsIgnored.get();
    }

    /** Messages that were lost before they were sent (their wants were queued again). */
    public long messagesLost() {
        return messagesLost.get();
    }

    /** Wants of {@code peer} we could not answer yet, kept until the block arrives or they are cancelled. */
    public int missingCount(PeerId peer) {
        lock.lock();
        try {
            Ledger l = ledgers.get(peer);
            return l == null ? 0 : l.missing.size();
        } finally {
            lock.unlock();
        }
    }

    /** Queues {@code l} if it has work and may be served now. Lock held. */
    private void signal(Ledger l) {
        if (closed) {
            return; // a late delivery report or writability change after close: the timer is gone
        }
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
                    w.epoch = blocksEpoch;
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
            if (part == null && w.sendDontHave && haves && !w.dontHaveSent) {
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
                    part = TOO_BIG;
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
            if (part != null && part != TOO_BIG) {
                size += partSize;
                if (!(part instanceof Presence)) {
                    blockBytes += partSize;
                }
            }
        }
        List<Block> payload = new ArrayList<>();
        List<byte[]> raw = new ArrayList<>();
        List<Presence> presences = new ArrayList<>();
        List<Want> carried = new ArrayList<>();
        long sentBlocks = 0;
        long sentBytes = 0;
        lock.lock();
        try {
            for (int i = 0; i < taken.size(); i++) {
                Want w = taken.get(i);
                Object part = parts.get(i);
                w.inFlight = false;
                if (w.cancelled) {
                    continue; // cancelled while we looked it up: not sent
                }
                if (part == TOO_BIG) {
                    l.wants.remove(w.cid, w);
                    continue;
                }
                boolean answered = part != null && !(part instanceof Presence p && p.type() == PresenceType.DONT_HAVE);
                if (answered) {
                    l.answered(w);
                } else {
                    // Not held (or not for this peer): it stays wanted, and is served if the block arrives.
                    l.unanswered(w, w.epoch != blocksEpoch);
                    if (part == null) {
                        continue;
                    }
                    w.dontHaveSent = true;
                }
                carried.add(w);
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
        SentMessage delivery = new SentMessage(l, carried);
        try {
            out.send(new BitswapMessage(List.of(), false, raw, payload, presences, 0), delivery);
        } catch (RuntimeException e) {
            delivery.lost();
            throw e;
        }
    }

    /** Marks a part that can never be sent (one block over the message limit). */
    private static final Object TOO_BIG = new Object();

    /** The wants one message carried, settled once by its outbox. */
    private final class SentMessage implements Delivery {
        private final Ledger ledger;
        private final List<Want> wants;
        private final java.util.concurrent.atomic.AtomicBoolean settled = new java.util.concurrent.atomic.AtomicBoolean();

        SentMessage(Ledger ledger, List<Want> wants) {
            this.ledger = ledger;
            this.wants = wants;
        }

        @Override
        public void sent() {
            if (!settled.compareAndSet(false, true)) {
                return;
            }
            lock.lock();
            try {
                for (Want w : wants) {
                    ledger.sent.remove(w.cid, w);
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void lost() {
            if (!settled.compareAndSet(false, true)) {
                return;
            }
            messagesLost.incrementAndGet();
            lock.lock();
            try {
                int requeued = 0;
                for (Want w : wants) {
                    if (ledger.resend(w, config.maxWantlistEntries())) {
                        requeued++;
                    }
                }
                if (requeued > 0) {
                    LOG.debug("bitswap peer {}: a message was lost before it was sent; {} wants queued again", ledger.peer, requeued);
                }
                signal(ledger);
            } finally {
                lock.unlock();
            }
        }
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
        /** A DONT_HAVE went out for it (not repeated when it is looked up again after an import). */
        boolean dontHaveSent;
        /** {@link #blocksEpoch} when its lookup started. */
        long epoch;
        /** Times it was queued again because its message was lost. */
        int resends;

        Want(Entry e, long seq) {
            this.cid = e.cid();
            this.priority = e.priority();
            this.type = e.type();
            this.sendDontHave = e.sendDontHave();
            this.seq = seq;
        }
    }

    private static final Comparator<Want> ORDER = Comparator.<Want>comparingInt(w -> -w.priority).thenComparingLong(w -> w.seq);

    /**
     * A peer's wants and scheduling state; guarded by the engine's lock. {@link #wants} holds every
     * want still to answer: queued, being looked up, or {@link #missing} (we do not hold the block
     * yet). An answered want moves to {@link #sent} until its message has left.
     */
    private static final class Ledger {
        final PeerId peer;
        final Map<Cid, Want> wants = new HashMap<>();
        final TreeSet<Want> queue = new TreeSet<>(ORDER);
        /** Wants for blocks we could not serve, oldest first (evicted first when the wantlist is full). */
        final java.util.LinkedHashSet<Want> missing = new java.util.LinkedHashSet<>();
        /** Answered wants whose message has not been reported sent yet. */
        final Map<Cid, Want> sent = new HashMap<>();
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

        /**
         * Adds or merges a want. When the wantlist is full, the oldest want we could not answer
         * makes room; without one the new want is ignored.
         *
         * @return wants dropped (0 or 1)
         */
        int want(Entry e, int max) {
            Want w = wants.get(e.cid());
            if (w != null && !w.inFlight) {
                if (!queue.remove(w)) {
                    missing.remove(w); // asked again: look it up again, and answer DONT_HAVE again if asked
                    w.dontHaveSent = false;
                }
                w.priority = e.priority();
                if (e.type() == WantType.BLOCK) {
                    w.type = WantType.BLOCK; // a want-block upgrades a want-have
                }
                w.sendDontHave |= e.sendDontHave();
                queue.add(w);
                return 0;
            }
            int dropped = 0;
            if (w == null && wants.size() >= max) {
                if (missing.isEmpty()) {
                    return 1;
                }
                Want old = missing.iterator().next();
                missing.remove(old);
                wants.remove(old.cid);
                old.cancelled = true;
                dropped = 1;
            }
            // New, or asked again while the previous answer is being built: a fresh want.
            Want fresh = new Want(e, seq++);
            wants.put(e.cid(), fresh);
            queue.add(fresh);
            return dropped;
        }

        void cancel(Cid cid) {
            Want w = wants.remove(cid);
            if (w != null) {
                w.cancelled = true;
                queue.remove(w);
                missing.remove(w);
            }
            Want s = sent.remove(cid);
            if (s != null) {
                s.cancelled = true;
            }
        }

        void clear() {
            for (Want w : wants.values()) {
                w.cancelled = true;
            }
            for (Want w : sent.values()) {
                w.cancelled = true;
            }
            wants.clear();
            queue.clear();
            missing.clear();
            sent.clear();
        }

        /** Puts a popped want back for the next round. */
        void requeue(Want w) {
            w.inFlight = false;
            if (!w.cancelled && wants.get(w.cid) == w) {
                queue.add(w);
            }
        }

        /** The want's answer is in a message: it leaves the wantlist once that message is sent. */
        void answered(Want w) {
            wants.remove(w.cid, w);
            sent.put(w.cid, w);
        }

        /** We could not serve the want: it waits for the block (looked up again at once if blocks arrived meanwhile). */
        void unanswered(Want w, boolean lookAgain) {
            if (wants.get(w.cid) != w) {
                return; // asked again meanwhile: the fresh want takes over
            }
            if (lookAgain) {
                queue.add(w);
            } else {
                missing.add(w);
            }
        }

        /** The message carrying {@code w}'s answer was lost: queue it again; true if it was. */
        boolean resend(Want w, int max) {
            if (w.cancelled || gone || w.resends >= MAX_RESENDS) {
                sent.remove(w.cid, w);
                return false;
            }
            if (sent.remove(w.cid, w)) {
                if (wants.containsKey(w.cid) || wants.size() >= max) {
                    return false; // asked again meanwhile (that want answers), or no room
                }
                wants.put(w.cid, w);
            } else if (wants.get(w.cid) != w || !missing.remove(w)) {
                return false; // a DONT_HAVE whose want was since served, replaced or is being looked up
            } else {
                w.dontHaveSent = false;
            }
            w.resends++;
            queue.add(w);
            return true;
        }

        /** Token bucket: spends {@code bytes} and parks the peer while the budget is negative. */
        void charge(long bytes, long rate) {
            long now = System.nanoTime();
            long start = Math.max(notBefore, now - TimeUnit.SECONDS.toNanos(1)); // at most 1 s of burst saved up
            notBefore = start + (long) (bytes * 1e9 / rate);
        }
    }
}
