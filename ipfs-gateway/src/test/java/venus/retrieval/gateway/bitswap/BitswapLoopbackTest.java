package venus.retrieval.gateway.bitswap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import venus.retrieval.gateway.bitswap.BitswapMessage.Entry;
import venus.retrieval.gateway.bitswap.BitswapMessage.Presence;
import venus.retrieval.gateway.bitswap.BitswapMessage.PresenceType;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.pb.ProtoWriter;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.libp2p.host.HostConfig;
import venus.retrieval.libp2p.multiaddr.Multiaddr;

/** Java client ↔ Java server over loopback libp2p, including peers that misbehave. */
class BitswapLoopbackTest {
    private final MapBlockSource store = new MapBlockSource();
    private Host host;
    private BitswapServer server;
    private final List<BitswapClient> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        host = Host.create(PeerIdentity.generate(), HostConfig.defaults());
        server = new BitswapServer(host, new BitswapEngine(store, null, BitswapPolicy.serveAll(), BitswapConfig.defaults()));
        host.start(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
    }

    @AfterEach
    void stop() {
        clients.forEach(BitswapClient::close);
        server.close();
        host.close();
    }

    private BitswapClient client() throws Exception {
        BitswapClient c = new BitswapClient(host.listenAddrs().get(0).withPeerId(host.peerId()));
        clients.add(c);
        return c;
    }

    private List<Cid> blocks(int n, int size, long seed) {
        Random r = new Random(seed);
        List<Cid> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[size];
            r.nextBytes(b);
            out.add(store.put(b));
        }
        return out;
    }

    private static BitswapMessage wantAll(List<Cid> cids) {
        List<Entry> e = new ArrayList<>();
        cids.forEach(c -> e.add(Entry.wantBlock(c)));
        return BitswapMessage.wants(e, false);
    }

    private static void awaitAll(BitswapClient c, List<Cid> cids) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!c.received.keySet().containsAll(cids)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("missing " + cids.stream().filter(x -> !c.received.containsKey(x)).count() + " blocks");
            }
            c.messages.poll(1, TimeUnit.SECONDS);
        }
    }

    @Test
    void identifyListsEveryVersion() {
        assertThat(host.protocols()).contains("/ipfs/bitswap/1.2.0", "/ipfs/bitswap/1.1.0", "/ipfs/bitswap/1.0.0", "/ipfs/bitswap");
    }

    @Test
    void fetchesBlocksOnOneStreamAndAnswersDontHave() throws Exception {
        List<Cid> cids = blocks(40, 256 * 1024, 1);
        BitswapClient c = client();
        var s = c.send(wantAll(cids.subList(0, 20)));
        awaitAll(c, cids.subList(0, 20));
        // a second message on the same stream is read too
        c.send(BitswapMessage.wants(List.of(), false)).closeWrite();
        s.write(io.netty.buffer.Unpooled.wrappedBuffer(BitswapServer.frame(wantAll(cids.subList(20, 40)))));
        awaitAll(c, cids);
        for (Cid cid : cids) {
            assertThat(c.received.get(cid)).isEqualTo(store.get(cid));
        }
        Cid missing = Cid.of(Multicodec.RAW, new byte[] {1, 2, 3});
        c.messages.clear();
        c.send(BitswapMessage.wants(List.of(Entry.wantBlock(missing)), false));
        assertThat(c.next().presences()).containsExactly(new Presence(missing, PresenceType.DONT_HAVE));
    }

    @Test
    void hugeWantlistIsCappedAndOthersAreServed() throws Exception {
        BitswapClient greedy = client();
        int[] maxWants = new int[1];
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                maxWants[0] = Math.max(maxWants[0], server.engine().wantCount(greedy.host.peerId()));
                Thread.onSpinWait();
            }
        });
        sampler.start();
        int sent = 0;
        while (sent < 100_000) {
            List<Entry> e = new ArrayList<>();
            for (int i = 0; i < 25_000; i++, sent++) {
                e.add(new Entry(Cid.of(Multicodec.RAW, intBytes(sent)), 1, false, BitswapMessage.WantType.BLOCK, false));
            }
            greedy.send(BitswapMessage.wants(e, false)).closeWrite();
        }
        List<Cid> cids = blocks(10, 100_000, 2);
        BitswapClient good = client();
        good.send(wantAll(cids));
        awaitAll(good, cids);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (server.engine().wantsIgnored() < 25_000 - 8192 && System.nanoTime() < deadline) {
            Thread.sleep(10); // waiting for the network, not for timing
        }
        sampler.interrupt();
        sampler.join();
        // Each 25,000-entry message is applied at once: at least its overflow is refused.
        assertThat(server.engine().wantsIgnored()).isGreaterThanOrEqualTo(25_000 - 8192);
        assertThat(maxWants[0]).isLessThanOrEqualTo(8192);
        assertThat(greedy.connection.isOpen()).isTrue();
    }

    private static byte[] intBytes(int i) {
        return new byte[] {(byte) i, (byte) (i >> 8), (byte) (i >> 16), 7};
    }

    @Test
    void absurdCidsResetTheStreamNotTheConnection() throws Exception {
        BitswapClient bad = client();
        byte[] junkCid = new byte[4096];
        junkCid[0] = 1;
        byte[] entry = new ProtoWriter().bytes(1, junkCid).toByteArray();
        byte[] msg = new ProtoWriter().bytes(1, new ProtoWriter().bytes(1, entry).toByteArray()).toByteArray();
        byte[] framed = new byte[venus.retrieval.ipld.Varint.size(msg.length) + msg.length];
        int off = venus.retrieval.ipld.Varint.write(msg.length, framed, 0);
        System.arraycopy(msg, 0, framed, off, msg.length);
        var s = bad.sendRaw(framed);
        s.closeFuture().handle((v, e) -> e).get(20, TimeUnit.SECONDS); // reset by the server
        assertThat(bad.connection.isOpen()).isTrue();
        List<Cid> cids = blocks(3, 1000, 3);
        bad.send(wantAll(cids));
        awaitAll(bad, cids);
    }

    @Test
    void aPeerThatNeverReadsDoesNotHoldOthersUp() throws Exception {
        List<Cid> big = blocks(64, 1 << 20, 4); // 64 MiB wanted by a peer that does not read
        BitswapClient stuck = client();
        stuck.reading = false;
        stuck.send(wantAll(big));
        List<Cid> cids = blocks(32, 256 * 1024, 5);
        BitswapClient good = client();
        good.send(wantAll(cids));
        awaitAll(good, cids);
        // What went to the stuck peer is bounded by its stream windows, not by what it asked for.
        assertThat(server.engine().bytesSent() - 32L * 256 * 1024).isLessThan(16L << 20);
        assertThat(server.engine().wantCount(stuck.host.peerId())).isGreaterThan(40);
    }

    @Test
    void aReplyStreamResetMidMessageIsAnsweredAgainOnANewStream() throws Exception {
        // 1 MiB rounds of 256 KiB blocks: the first message is bigger than the 256 KiB window the
        // client grants before it resets, so it is cut off on the wire and must be sent again.
        List<Cid> cids = blocks(8, 256 * 1024, 6);
        BitswapClient c = client();
        c.resetNextReply = true;
        c.send(wantAll(cids));
        awaitAll(c, cids);
        for (Cid cid : cids) {
            assertThat(c.received.get(cid)).isEqualTo(store.get(cid));
        }
        assertThat(server.engine().messagesLost()).isGreaterThanOrEqualTo(1);
        assertThat(c.inbound).hasSizeGreaterThanOrEqualTo(2);
    }
}
