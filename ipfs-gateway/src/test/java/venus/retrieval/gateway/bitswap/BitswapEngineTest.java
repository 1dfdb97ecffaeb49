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

        @Override
        public void send(BitswapMessage message) {
            try {
                hold.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            log.add(name);
            sent.add(message);
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
}
