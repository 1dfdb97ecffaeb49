package venus.retrieval.gateway.bitswap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import venus.retrieval.gateway.bitswap.BitswapMessage.Entry;
import venus.retrieval.gateway.bitswap.BitswapMessage.PresenceType;
import venus.retrieval.gateway.bitswap.BitswapMessage.WantType;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.libp2p.PeerId;
import venus.retrieval.libp2p.PeerIdentity;

class BitswapEngineTest {
    private final MapBlockSource store = new MapBlockSource();
    private BitswapEngine engine;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    /** Records what is sent; writable while {@link #writable} says so. */
    static final class FakeOutbox implements BitswapEngine.Outbox {
        final String name;
        final List<String> log;
        final BlockingQueue<BitswapMessage> sent = new LinkedBlockingQueue<>();
        volatile boolean writable = true;
        final java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(0);
        volatile java.util.concurrent.CountDownLatch hold = gate;

        FakeOutbox(String name, List<String> log) {
            this.name = name;
            this.log = log;
        }

        @Override
        public boolean isWritable() {
            return writable;
        }

        /** Messages to report lost instead of sent (the next ones this outbox gets). */
        final java.util.concurrent.atomic.AtomicInteger lose = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void send(BitswapMessage message, BitswapEngine.Delivery delivery) {
            try {
                hold.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (lose.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                delivery.lost();
                return;
            }
            log.add(name);
            sent.add(message);
            delivery.sent();
        }

        BitswapMessage next() throws InterruptedException {
            BitswapMessage m = sent.poll(10, TimeUnit.SECONDS);
            if (m == null) {
                throw new AssertionError(name + ": no message within 10 s");
            }
            return m;
        }
    }

    private static PeerId peer() {
        return PeerIdentity.generate().peerId();
    }

    private List<Cid> blocks(int n, int size, int seed) {
        List<Cid> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[size];
            b[0] = (byte) i;
            b[1] = (byte) (i >> 8);
            b[2] = (byte) seed;
            out.add(store.put(b));
        }
        return out;
    }

    private static BitswapMessage wantAll(List<Cid> cids) {
        List<Entry> e = new ArrayList<>();
        for (Cid c : cids) {
            e.add(Entry.wantBlock(c));
        }
        return BitswapMessage.wants(e, false);
    }

    @Test
    void roundRobinAcrossPeersWithOneWorker() throws Exception {
        engine = new BitswapEngine(store, null, BitswapPolicy.serveAll(), BitswapConfig.defaults().withWorkers(1).withMaxOutstandingBytesPerPeer(64 * 1024));
        List<String> log = new CopyOnWriteArrayList<>();
        FakeOutbox a = new FakeOutbox("a", log);
        FakeOutbox b = new FakeOutbox("b", log);
        a.writable = false; // hold both until both wantlists are in
        b.writable = false;
        PeerId pa = peer();
        PeerId pb = peer();
        engine.receive(pa, BitswapProtocol.V1_2_0, wantAll(blocks(40, 32 * 1024, 1)), a);
        engine.receive(pb, BitswapProtocol.V1_2_0, wantAll(blocks(40, 32 * 1024, 2)), b);
        a.writable = true;
        b.writable = true;
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        a.hold = release; // a's first round waits until b is queued too
        engine.writable(pa);
        engine.writable(pb);
        release.countDown();
        int blocksA = 0;
        int blocksB = 0;
        while (blocksA < 40) {
            blocksA += a.next().blocks().size();
        }
        while (blocksB < 40) {
            blocksB += b.next().blocks().size();
        }
        // 64 KiB rounds = 2 blocks each: 20 rounds per peer, strictly alternating.
        assertEquals(40, log.size(), log.toString());
        for (int i = 1; i < log.size(); i++) {
            assertTrue(!log.get(i).equals(log.get(i - 1)), "peer served twice in a row at " + i + ": " + log);
        }
    }

    @Test
    void cancelledWantsAreNotSentAndPrioritiesOrder() throws Exception {
        engine = new BitswapEngine(store, null, BitswapPolicy.serveAll(), BitswapConfig.defaults().withWorkers(1).withMaxOutstandingBytesPerPeer(1024));
        List<Cid> c = blocks(4, 2000, 3);
        FakeOutbox o = new FakeOutbox("o", new CopyOnWriteArrayList<>());
        o.writable = false;
        PeerId p = peer();
        engine.receive(p, BitswapProtocol.V1_2_0, BitswapMessage.wants(List.of(
                new Entry(c.get(0), 1, false, WantType.BLOCK, true),
                new Entry(c.get(1), 5, false, WantType.BLOCK, true),
                new Entry(c.get(2), 3, false, WantType.BLOCK, true),
                new Entry(c.get(3), 9, false, WantType.BLOCK, true)), false), o);
        engine.receive(p, BitswapProtocol.V1_2_0, BitswapMessage.wants(List.of(Entry.cancel(c.get(2))), false), o);
        assertEquals(3, engine.wantCount(p));
        o.writable = true;
        engine.writable(p);
        List<Cid> order = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            order.add(o.next().blocks().get(0).cid());
        }
        assertEquals(List.of(c.get(3), c.get(1), c.get(0)), order);
        assertTrue(o.sent.poll(200, TimeUnit.MILLISECONDS) == null, "the cancelled want was sent");
        assertEquals(0, engine.wantCount(p));
    }

    @Test
    void presencesForHaveDontHaveAndSmallBlocksInline() throws Exception {
        engine = new BitswapEngine(store, null, BitswapPolicy.serveAll(), BitswapConfig.defaults());
        Cid small = store.put(new byte[100]);
        Cid big = store.put(new byte[5000]);
        Cid missing = Cid.of(Multicodec.RAW, new byte[] {42});
        FakeOutbox o = new FakeOutbox("o", new CopyOnWriteArrayList<>());
        PeerId p = peer();
        engine.receive(p, BitswapProtocol.V1_2_0, BitswapMessage.wants(List.of(Entry.wantHave(small), Entry.wantHave(big),
                Entry.wantBlock(missing), new Entry(Cid.of(Multicodec.RAW, new byte[] {43}), 1, false, WantType.BLOCK, false)), false), o);
        List<BitswapMessage.Block> gotBlocks = new ArrayList<>();
        List<BitswapMessage.Presence> presences = new ArrayList<>();
        while (gotBlocks.size() + presences.size() < 3) {
            BitswapMessage m = o.next();
            assertTrue(m.wantlist().isEmpty());
            gotBlocks.addAll(m.blocks());
            presences.addAll(m.presences());
        }
        assertEquals(small, gotBlocks.get(0).cid());
        assertTrue(presences.contains(new BitswapMessage.Presence(big, PresenceType.HAVE)), presences.toString());
        assertTrue(presences.contains(new BitswapMessage.Presence(missing, PresenceType.DONT_HAVE)), presences.toString());
        assertEquals(2, presences.size(), "no answer for a miss without sendDontHave: " + presences);
    }

    @Test
    void version10GetsBareBlocksAndNoPresences() throws Exception {
        engine = new BitswapEngine(store, null, BitswapPolicy.serveAll(), BitswapConfig.defaults());
        Cid c = store.put(new byte[] {1, 2, 3});
        FakeOutbox o = new FakeOutbox("o", new CopyOnWriteArrayList<>());
        PeerId p = peer();
        engine.receive(p, BitswapProtocol.V1_0_0, BitswapMessage.wants(List.of(Entry.wantHave(c), Entry.wantBlock(Cid.of(Multicodec.RAW, new byte[] {9}))), false), o);
        BitswapMessage m = o.next();
        assertEquals(1, m.rawBlocks().size());
        assertTrue(m.blocks().isEmpty() && m.presences().isEmpty());
    }

    @Test
    void wantlistIsCappedPerPeer() {
        engine = new BitswapEngine(store, null, BitswapPolicy.serveAll(), BitswapConfig.defaults().withMaxWantlistEntries(100));
        FakeOutbox o = new FakeOutbox("o", new CopyOnWriteArrayList<>());
        o.writable = false;
        PeerId p = peer();
        List<Entry> e = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            e.add(Entry.wantBlock(Cid.of(Multicodec.RAW, new byte[] {(byte) i, (byte) (i >> 8)})));
        }
        engine.receive(p, BitswapProtocol.V1_2_0, BitswapMessage.wants(e, false), o);
        assertEquals(100, engine.wantCount(p));
        assertEquals(4900, engine.wantsIgnored());
        engine.receive(p, BitswapProtocol.V1_2_0, BitswapMessage.wants(List.of(), true), o);
        assertEquals(0, engine.wantCount(p), "a full wantlist replaces the previous one");
        engine.peerGone(p);
        assertEquals(0, engine.peerCount());
    }

    @Test
    void allowListAnswersOthersDontHave() throws Exception {
        PeerId allowed = peer();
        engine = new BitswapEngine(store, null, new BitswapPolicy(BitswapPolicy.Scope.ALL, Set.of(allowed), 0), BitswapConfig.defaults());
        Cid c = store.put(new byte[] {5});
        FakeOutbox in = new FakeOutbox("in", new CopyOnWriteArrayList<>());
        FakeOutbox out = new FakeOutbox("out", new CopyOnWriteArrayList<>());
        engine.receive(allowed, BitswapProtocol.V1_2_0, BitswapMessage.wants(List.of(Entry.wantBlock(c)), false), in);
        engine.receive(peer(), BitswapProtocol.V1_2_0, BitswapMessage.wants(List.of(Entry.wantBlock(c)), false), out);
        assertEquals(c, in.next().blocks().get(0).cid());
        assertEquals(List.of(new BitswapMessage.Presence(c, PresenceType.DONT_HAVE)), out.next().presences());
    }

    @Test
    void rateLimitStillDeliversEverything() throws Exception {
        // 64 KiB at 256 KiB/s: the first second's burst covers it, so this stays fast; the
        // limiter must not lose or stall wants.
        engine = new BitswapEngine(store, null, new BitswapPolicy(BitswapPolicy.Scope.ALL, Set.of(), 256 * 1024),
                BitswapConfig.defaults().withMaxOutstandingBytesPerPeer(8 * 1024));
        List<Cid> c = blocks(16, 4096, 7);
        FakeOutbox o = new FakeOutbox("o", new CopyOnWriteArrayList<>());
        engine.receive(peer(), BitswapProtocol.V1_2_0, wantAll(c), o);
        int n = 0;
        while (n < 16) {
            n += o.next().blocks().size();
        }
        assertEquals(16 * 4096, engine.bytesSent());
    }

    @Test
    void aLostMessageIsSentAgainUnlessCancelled() throws Exception {
        engine = new BitswapEngine(store, null, BitswapPolicy.serveAll(), BitswapConfig.defaults().withWorkers(1));
        List<Cid> c = blocks(3, 1000, 8);
        FakeOutbox o = new FakeOutbox("o", new CopyOnWriteArrayList<>());
        o.writable = false;
        o.lose.set(1);
        PeerId p = peer();
        engine.receive(p, BitswapProtocol.V1_2_0, BitswapMessage.wants(List.of(Entry.wantBlock(c.get(0)), Entry.wantBlock(c.get(1))), false), o);
        o.writable = true;
        engine.writable(p);
        // The first message (both blocks) is lost; both come again in the next one.
        List<Cid> got = new ArrayList<>();
        while (got.size() < 2) {
            o.next().blocks().forEach(b -> got.add(b.cid()));
        }
        assertEquals(Set.of(c.get(0), c.get(1)), Set.copyOf(got));
        assertEquals(1, engine.messagesLost());
        assertEquals(0, engine.wantCount(p));
        // A want cancelled while its message was in flight is not sent again when that message is lost.
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        o.hold = release;
        o.lose.set(1);
        engine.receive(p, BitswapProtocol.V1_2_0, BitswapMessage.wants(List.of(Entry.wantBlock(c.get(2))), false), o);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (engine.wantCount(p) != 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // until its answer is built and handed to the (held) outbox
        }
        engine.receive(p, BitswapProtocol.V1_2_0, BitswapMessage.wants(List.of(Entry.cancel(c.get(2))), false), o);
        o.hold = o.gate;
        release.countDown();
        assertTrue(o.sent.poll(300, TimeUnit.MILLISECONDS) == null, "a cancelled want was sent again");
        assertEquals(2, engine.messagesLost());
    }

    @Test
    void aMessageLostEveryTimeIsGivenUpAfterAFewResends() throws Exception {
        engine = new BitswapEngine(store, null, BitswapPolicy.serveAll(), BitswapConfig.defaults().withWorkers(1));
        Cid c = blocks(1, 100, 9).get(0);
        FakeOutbox o = new FakeOutbox("o", new CopyOnWriteArrayList<>());
        o.lose.set(Integer.MAX_VALUE);
        PeerId p = peer();
        engine.receive(p, BitswapProtocol.V1_2_0, BitswapMessage.wants(List.of(Entry.wantBlock(c)), false), o);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (engine.messagesLost() < 1 + BitswapEngine.MAX_RESENDS && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(1 + BitswapEngine.MAX_RESENDS, engine.messagesLost());
        while (engine.wantCount(p) != 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(0, engine.wantCount(p));
        assertEquals(1 + BitswapEngine.MAX_RESENDS, engine.messagesLost(), "sent again after the last resend");
    }

    @Test
    void wantsForMissingBlocksAreServedWhenBlocksArrive() throws Exception {
        engine = new BitswapEngine(store, null, BitswapPolicy.serveAll(), BitswapConfig.defaults());
        MapBlockSource later = new MapBlockSource();
        byte[] bigBytes = new byte[5000];
        bigBytes[0] = 1;
        Cid big = later.put(bigBytes);
        Cid small = later.put(new byte[] {1, 2, 3});
        Cid haveOnly = later.put(new byte[3000]);
        Cid cancelled = later.put(new byte[] {4, 5, 6});
        FakeOutbox o = new FakeOutbox("o", new CopyOnWriteArrayList<>());
        PeerId p = peer();
        engine.receive(p, BitswapProtocol.V1_2_0, BitswapMessage.wants(List.of(
                new Entry(big, 1, false, WantType.BLOCK, true), // DONT_HAVE now, the block later
                new Entry(small, 1, false, WantType.BLOCK, false), // nothing now, the block later
                new Entry(haveOnly, 1, false, WantType.HAVE, false), // nothing now, HAVE later
                new Entry(cancelled, 1, false, WantType.BLOCK, false)), false), o);
        assertEquals(List.of(new BitswapMessage.Presence(big, PresenceType.DONT_HAVE)), o.next().presences());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (engine.missingCount(p) < 4 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(4, engine.missingCount(p));
        assertEquals(4, engine.wantCount(p));
        engine.receive(p, BitswapProtocol.V1_2_0, BitswapMessage.wants(List.of(Entry.cancel(cancelled)), false), o);
        assertEquals(3, engine.missingCount(p));
        engine.blocksAdded(); // nothing new yet: looked up again, no second DONT_HAVE
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (engine.missingCount(p) < 3 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertTrue(o.sent.poll(200, TimeUnit.MILLISECONDS) == null, "a second answer for blocks still missing");
        for (Cid c : List.of(big, small, haveOnly, cancelled)) {
            store.put(later.get(c));
        }
        engine.blocksAdded();
        List<Cid> blocksGot = new ArrayList<>();
        List<BitswapMessage.Presence> presences = new ArrayList<>();
        while (blocksGot.size() + presences.size() < 3) {
            BitswapMessage m = o.next();
            m.blocks().forEach(b -> blocksGot.add(b.cid()));
            presences.addAll(m.presences());
        }
        assertEquals(Set.of(big, small), Set.copyOf(blocksGot));
        assertEquals(List.of(new BitswapMessage.Presence(haveOnly, PresenceType.HAVE)), presences);
        assertTrue(o.sent.poll(200, TimeUnit.MILLISECONDS) == null, "the cancelled want was served");
        assertEquals(0, engine.wantCount(p));
        assertEquals(0, engine.missingCount(p));
    }

    @Test
    void missingWantsMakeRoomForNewOnesWhenTheWantlistIsFull() throws Exception {
        engine = new BitswapEngine(store, null, BitswapPolicy.serveAll(), BitswapConfig.defaults().withMaxWantlistEntries(10));
        FakeOutbox o = new FakeOutbox("o", new CopyOnWriteArrayList<>());
        PeerId p = peer();
        List<Entry> e = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            e.add(new Entry(Cid.of(Multicodec.RAW, new byte[] {(byte) i, 77}), 1, false, WantType.BLOCK, false));
        }
        engine.receive(p, BitswapProtocol.V1_2_0, BitswapMessage.wants(e, false), o);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (engine.missingCount(p) < 10 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(10, engine.missingCount(p));
        Cid held = store.put(new byte[] {9, 9, 9});
        engine.receive(p, BitswapProtocol.V1_2_0, BitswapMessage.wants(List.of(Entry.wantBlock(held)), false), o);
        assertEquals(held, o.next().blocks().get(0).cid());
        assertEquals(1, engine.wantsIgnored(), "the oldest missing want was evicted");
        assertEquals(9, engine.wantCount(p));
    }
}
