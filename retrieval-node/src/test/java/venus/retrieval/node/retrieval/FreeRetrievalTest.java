package venus.retrieval.node.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.blockstore.PieceStore;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.car.CarBlock;
import venus.retrieval.ipld.testing.Vectors;
import venus.retrieval.ipld.unixfs.UnixFsReader;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.libp2p.host.HostConfig;
import venus.retrieval.libp2p.multiaddr.Multiaddr;
import venus.retrieval.node.NodeException;
import venus.retrieval.node.graphsync.ReceivedBlocks;
import venus.retrieval.node.retrieval.client.CarSpool;
import venus.retrieval.node.retrieval.client.RetrievalClient;
import venus.retrieval.node.retrieval.provider.DealStore;
import venus.retrieval.node.retrieval.provider.ProviderFsm;
import venus.retrieval.node.retrieval.provider.RetrievalProvider;
import venus.retrieval.node.retrieval.query.QueryProtocol;
import venus.retrieval.paych.Address;

/**
 * Free retrieval end to end over real libp2p connections (Java client, Java provider, loopback):
 * every UnixFS vector file and the HAMT directory, block order = the vector CAR's DFS order.
 */
class FreeRetrievalTest {
    @TempDir static Path tmp;
    static PieceStore store;
    static DealStore deals;
    static Host providerHost;
    static Host clientHost;
    static RetrievalProvider provider;
    static RetrievalClient client;
    static Multiaddr addr;

    @BeforeAll
    static void start() throws Exception {
        store = Fixture.store(tmp.resolve("provider"));
        try (Stream<Path> s = Files.list(Vectors.file("unixfs"))) {
            for (Path p : s.sorted().toList()) {
                Fixture.importFile(store, p, List.of("f01000"), true);
            }
        }
        deals = DealStore.open(tmp.resolve("provider/lmdb/retrieval"));
        PieceFinder finder = new PieceFinder(store.directory(), RetrievalAsks.uniform(RetrievalAsk.free(Address.id(1000))));
        providerHost = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
        new QueryProtocol(finder).register(providerHost);
        provider = RetrievalProvider.register(providerHost, store.blockSource(), finder, null, deals, 2);
        addr = providerHost.listenAddrs().get(0).withPeerId(providerHost.peerId());
        clientHost = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start();
        client = new RetrievalClient(clientHost);
    }

    @AfterAll
    static void stop() {
        client.close();
        clientHost.close();
        provider.close();
        providerHost.close();
        deals.close();
        store.close();
    }

    static List<Path> vectors() throws Exception {
        try (Stream<Path> s = Files.list(Vectors.file("unixfs"))) {
            return s.sorted().toList();
        }
    }

    @Test
    void everyVectorInDfsOrder() throws Exception {
        int n = 0;
        for (Path car : vectors()) {
            Cid root = Fixture.root(car);
            Path out = tmp.resolve("out-" + car.getFileName());
            RetrievalClient.Result r;
            try (CarSpool spool = new CarSpool(out, root)) {
                r = client.retrieve(addr, root, spool, RetrievalClient.Payment.FREE_ONLY, Duration.ofSeconds(60));
                spool.finish();
                // -o path: the UnixFS reader over the received blocks gives the vector's bytes
                Map<Cid, byte[]> expected = new HashMap<>();
                for (CarBlock b : Fixture.blocks(car)) {
                    expected.put(b.cid(), b.data());
                }
                if (car.getFileName().toString().startsWith("file-")) {
                    assertThat(new UnixFsReader(spool).readAll(root)).as(car.toString()).isEqualTo(new UnixFsReader(expected::get).readAll(root));
                }
            }
            assertThat(r.graphsyncStatus()).isEqualTo(20);
            assertThat(r.paid()).isZero();
            List<Cid> want = new ArrayList<>(new LinkedHashSet<>(Fixture.blocks(car).stream().map(CarBlock::cid).toList()));
            assertThat(Fixture.blocks(out).stream().map(CarBlock::cid).toList()).as(car.toString()).isEqualTo(want);
            assertThat(r.blocks()).isEqualTo(want.size());
            n++;
        }
        assertThat(n).isEqualTo(29);
        assertThat(provider.deals()).filteredOn(d -> d.state() == ProviderFsm.State.COMPLETED).hasSizeGreaterThanOrEqualTo(29);
    }

    @Test
    void freeDealIsBoostStyleAcceptThenOneComplete() throws Exception {
        // §3.8 B (lassie depends on it): accept not paused, blocks, then ONE Complete + DealResponse 15
        Path car = Vectors.file("unixfs/file-1048577-v1-raw-64k-balanced-11.car");
        Cid root = Fixture.root(car);
        List<byte[]> raw = new java.util.concurrent.CopyOnWriteArrayList<>();
        client.setCapture(raw::add);
        try (CarSpool spool = new CarSpool(tmp.resolve("boost-style.car"), root)) {
            client.retrieve(addr, root, spool, RetrievalClient.Payment.FREE_ONLY, Duration.ofSeconds(60));
        } finally {
            client.setCapture(null);
        }
        List<String> seq = raw.stream().map(b -> {
            var r = venus.retrieval.node.retrieval.datatransfer.TransferMessage.decode(b).response();
            var dr = venus.retrieval.node.retrieval.datatransfer.DealResponse.fromNode(r.voucherResult());
            return r.type() + "/" + r.accepted() + "/" + r.paused() + "/" + dr.status();
        }).toList();
        // The accept rides in a graphsync extension and the Complete on a data-transfer stream of its
        // own, so the order they reach the client is not defined (lassie takes them in either order,
        // §3.8 B); what is fixed is that there is exactly one of each, with these flags and statuses.
        assertThat(seq).containsExactlyInAnyOrder("0/true/false/6", "3/true/false/15");
    }

    @Test
    void unknownPayloadFailsWithOneLine() {
        Cid absent = Cid.parse("QmTTA2daxGqo5denp6SwLzzkLJm3fuisYEi9CoWsuHpzfb");
        assertThatThrownBy(() -> client.retrieve(addr, absent, new CarSpool(tmp.resolve("none.car"), absent),
                RetrievalClient.Payment.FREE_ONLY, Duration.ofSeconds(30)))
                .isInstanceOf(NodeException.class).hasMessageContaining("does not serve");
    }

    @Test
    void fuzzedDataTransferMessagesResetTheirStreamAndTheNodeKeepsServing() throws Exception {
        byte[] seed = java.util.HexFormat.of().parseHex(venus.retrieval.node.retrieval.datatransfer.TransferMessageTest.DT_VOUCHER);
        java.util.Random rnd = new java.util.Random(777);
        int resets = 0;
        for (int i = 0; i < 60; i++) {
            byte[] b = seed.clone();
            for (int f = 0; f < 1 + rnd.nextInt(6); f++) {
                b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            }
            venus.retrieval.libp2p.Stream st = clientHost.newStream(addr,
                    List.of(venus.retrieval.node.retrieval.datatransfer.DataTransferNetwork.PROTOCOL)).get(10, java.util.concurrent.TimeUnit.SECONDS);
            venus.retrieval.libp2p.StreamReader reader = new venus.retrieval.libp2p.StreamReader(1024);
            st.setListener(reader);
            st.write(io.netty.buffer.Unpooled.wrappedBuffer(b));
            st.closeWrite();
            try {
                reader.result().get(10, java.util.concurrent.TimeUnit.SECONDS); // decoded (unknown transfer: ignored) and closed
            } catch (java.util.concurrent.ExecutionException e) {
                resets++; // malformed: the provider reset the stream
            }
        }
        assertThat(resets).isGreaterThan(10);
        // a graphsync request whose data-transfer extension is garbage: refused (32), nothing served
        Cid root = Fixture.root(Vectors.file("unixfs/file-1000-unixfs-v1-2025.car"));
        try (Host other = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start()) {
            var gs = venus.retrieval.node.graphsync.Graphsync.register(other, c -> null, venus.retrieval.node.graphsync.GraphsyncHooks.FREE, 1);
            other.connect(addr).get(10, java.util.concurrent.TimeUnit.SECONDS);
            var req = gs.requester().request(providerHost.peerId(), root, venus.retrieval.ipld.traversal.Selectors.exploreAllRecursively(),
                    Map.of(venus.retrieval.node.retrieval.datatransfer.TransferMessage.EXTENSION, venus.retrieval.ipld.model.Node.string("junk")),
                    venus.retrieval.node.graphsync.ReceivedBlocks.inMemory(), new venus.retrieval.node.graphsync.OutgoingRequest.Listener() {});
            assertThat(req.completion().get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(32);
            gs.close();
        }
        try (CarSpool spool = new CarSpool(tmp.resolve("after-fuzz.car"), root)) {
            assertThat(client.retrieve(addr, root, spool, RetrievalClient.Payment.FREE_ONLY, Duration.ofSeconds(30)).graphsyncStatus()).isEqualTo(20);
        }
    }

    @Test
    void aRestartOfACompletedDealServesWhatTheClientLacksAndCompletesAgain() throws Exception {
        // The provider cannot tell whether its last messages reached the client: one that lost the
        // connection after the provider completed restarts the channel and must still be able to
        // finish (go-fil-markets' ValidateRestart accepts any known deal; nothing is owed here).
        Path car = Vectors.file("unixfs/file-1048577-v1-raw-64k-balanced-11.car");
        Cid root = Fixture.root(car);
        List<CarBlock> blocks = Fixture.blocks(car);
        var all = venus.retrieval.ipld.traversal.Selectors.exploreAllRecursively();
        long transferId = 0x5EED;
        var proposal = new venus.retrieval.node.retrieval.datatransfer.DealProposal(0xD1, root, null, null, BigInteger.ZERO, 0, 0, BigInteger.ZERO);
        var dtIn = new java.util.concurrent.LinkedBlockingQueue<venus.retrieval.node.retrieval.datatransfer.TransferResponse>();
        try (Host other = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start()) {
            var gs = venus.retrieval.node.graphsync.Graphsync.register(other, c -> null, venus.retrieval.node.graphsync.GraphsyncHooks.FREE, 1);
            venus.retrieval.node.retrieval.datatransfer.DataTransferNetwork.register(other, (peer, m) -> {
                if (!m.isRequest() && m.transferId() == transferId) {
                    dtIn.add(m.response());
                }
            });
            other.connect(addr).get(10, java.util.concurrent.TimeUnit.SECONDS);
            ReceivedBlocks got = ReceivedBlocks.inMemory();
            var dt = venus.retrieval.node.retrieval.datatransfer.TransferMessage.of(venus.retrieval.node.retrieval.datatransfer.TransferRequest.newPull(
                    transferId, root, all, venus.retrieval.node.retrieval.datatransfer.DealProposal.TYPE, proposal.toNode()));
            var first = gs.requester().request(providerHost.peerId(), root, all,
                    Map.of(venus.retrieval.node.retrieval.datatransfer.TransferMessage.EXTENSION, dt.toNode()), got,
                    new venus.retrieval.node.graphsync.OutgoingRequest.Listener() {});
            assertThat(first.completion().get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(20);
            assertCompleted(dtIn.poll(30, java.util.concurrent.TimeUnit.SECONDS));
            var before = deals.get(other.peerId().bytes(), transferId);
            assertThat(before.state()).isEqualTo(ProviderFsm.State.COMPLETED);

            // the client says it verified the first 5 links: the rest comes again, then 20 and DealResponse 15
            long have = 5;
            var rs = venus.retrieval.node.retrieval.datatransfer.TransferMessage.of(venus.retrieval.node.retrieval.datatransfer.TransferRequest.restartPull(
                    transferId, root, all, venus.retrieval.node.retrieval.datatransfer.DealProposal.TYPE, proposal.toNode()));
            var again = gs.requester().restart(providerHost.peerId(), root, all,
                    Map.of(venus.retrieval.node.retrieval.datatransfer.TransferMessage.EXTENSION, rs.toNode()), got,
                    new venus.retrieval.node.graphsync.OutgoingRequest.Listener() {}, have);
            assertThat(again.completion().get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(20);
            var accept = again.extensionsReceived().stream()
                    .map(e -> e.get(venus.retrieval.node.retrieval.datatransfer.TransferMessage.EXTENSION)).filter(java.util.Objects::nonNull)
                    .map(n -> venus.retrieval.node.retrieval.datatransfer.TransferMessage.fromNode(n).response()).findFirst().orElseThrow();
            assertThat(accept.type()).isEqualTo(venus.retrieval.node.retrieval.datatransfer.MessageType.RESTART);
            assertThat(accept.accepted()).isTrue();
            assertThat(accept.paused()).isFalse();
            long rest = blocks.stream().skip(have).mapToLong(b -> b.data().length).sum();
            assertThat(again.bytesOnWire()).isEqualTo(rest); // only what the client lacked
            assertCompleted(dtIn.poll(30, java.util.concurrent.TimeUnit.SECONDS));
            var after = deals.get(other.peerId().bytes(), transferId); // the record is not touched
            assertThat(List.of(after.state(), after.bytesSent(), after.progress(), after.message()))
                    .isEqualTo(List.of(before.state(), before.bytesSent(), before.progress(), before.message()));
            gs.close();
        }
    }

    private static void assertCompleted(venus.retrieval.node.retrieval.datatransfer.TransferResponse r) {
        assertThat(r).as("DT Complete").isNotNull();
        assertThat(r.type()).isEqualTo(venus.retrieval.node.retrieval.datatransfer.MessageType.COMPLETE);
        assertThat(venus.retrieval.node.retrieval.datatransfer.DealResponse.fromNode(r.voucherResult()).status())
                .isEqualTo(venus.retrieval.node.retrieval.datatransfer.DealStatus.COMPLETED);
    }

    /** Blocks of the CAR at {@code car}, by CID. */
    private static Map<Cid, byte[]> blockMap(Path car) throws Exception {
        Map<Cid, byte[]> m = new HashMap<>();
        for (CarBlock b : Fixture.blocks(car)) {
            m.put(b.cid(), b.data());
        }
        return m;
    }

    /** Retrieves with {@code selector} and returns the CIDs the client wrote, in arrival order. */
    private static List<Cid> retrieveSelected(Cid root, venus.retrieval.ipld.model.Node selector, String name) throws Exception {
        Path out = tmp.resolve(name);
        RetrievalClient.Result r;
        try (CarSpool spool = new CarSpool(out, root)) {
            r = client.retrieve(addr, root, selector, spool, RetrievalClient.Payment.FREE_ONLY, Duration.ofSeconds(60));
            spool.finish();
        }
        assertThat(r.graphsyncStatus()).isEqualTo(20);
        List<Cid> got = Fixture.blocks(out).stream().map(CarBlock::cid).toList();
        assertThat(r.blocks()).isEqualTo(got.size());
        return got;
    }

    @Test
    void lassieStylePathAndEntitySelectorsGetExactlyTheirBlocks() throws Exception {
        // lassie / go-trustless-utils: {"~":{"as":"unixfs",">":{"f":{"f>":{name: ...}}}}} per path segment,
        // then MatchUnixFSEntitySelector; the provider reads the path as go-unixfsnode does
        Path site = Vectors.file("unixfs/dir-site.car");
        Cid root = Fixture.root(site);
        Map<Cid, byte[]> blocks = blockMap(site);
        UnixFsReader r = new UnixFsReader(blocks::get);
        List<Cid> expected = new ArrayList<>(List.of(root, r.resolve(root, "docs"), r.resolve(root, "docs/deep")));
        Cid file = r.resolve(root, "docs/deep/data.bin");
        for (venus.retrieval.ipld.traversal.Visit v : venus.retrieval.ipld.traversal.DagTraversal.over(blocks::get).walk(file)) {
            expected.add(v.cid());
        }
        var path = venus.retrieval.ipld.traversal.Selectors.unixFsPath("docs/deep/data.bin",
                venus.retrieval.ipld.traversal.Selectors.matchUnixFsEntity());
        assertThat(retrieveSelected(root, path, "path-site.car")).isEqualTo(expected);

        // through the HAMT to one entry: the root shard, the shards on the way, the entry
        Path hamtCar = Vectors.file("unixfs/dir-hamt-1200.car");
        Cid hamt = Fixture.root(hamtCar);
        Map<Cid, byte[]> hb = blockMap(hamtCar);
        String name = "entry-00777.txt";
        Map<Cid, Cid> parent = new HashMap<>();
        Cid holder = null;
        Cid entry = null;
        List<Cid> shards = new ArrayList<>();
        for (CarBlock b : Fixture.blocks(hamtCar)) {
            if (b.cid().codec() != venus.retrieval.ipld.Multicodec.DAG_PB) {
                continue;
            }
            shards.add(b.cid());   // the vector's dag-pb blocks are its shards, in DFS order (entries are raw)
            for (venus.retrieval.ipld.pb.PbLink l : venus.retrieval.ipld.pb.DagPb.decode(b.data()).links()) {
                if (l.name().length() == 2) {
                    parent.put(l.cid(), b.cid());
                } else if (l.name().substring(2).equals(name)) {
                    holder = b.cid();
                    entry = l.cid();
                }
            }
        }
        List<Cid> chain = new ArrayList<>();
        for (Cid c = holder; c != null; c = parent.get(c)) {
            chain.add(0, c);
        }
        assertThat(chain.get(0)).isEqualTo(hamt);
        assertThat(chain).hasSizeGreaterThan(1);
        List<Cid> want = new ArrayList<>(chain);
        want.add(entry);
        assertThat(retrieveSelected(hamt, venus.retrieval.ipld.traversal.Selectors.unixFsPath(name,
                venus.retrieval.ipld.traversal.Selectors.matchUnixFsEntity()), "path-hamt.car")).isEqualTo(want);
        assertThat(new String(hb.get(entry), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("file number 777 seed 1000\n");

        // dag-scope=entity on the HAMT itself: every shard, no entry
        assertThat(retrieveSelected(hamt, venus.retrieval.ipld.traversal.Selectors.matchUnixFsEntity(), "entity-hamt.car"))
                .isEqualTo(shards);
    }

    /**
     * A provider of its own whose block reads stop at the 20th until released: the first messages
     * are out, the rest waits (so a test can cut the connection mid-transfer).
     */
    static final class GatedProvider implements AutoCloseable {
        final java.util.concurrent.CountDownLatch reached = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        /** The provider's host saw the client's connection close (after graphsync's own listener did). */
        final java.util.concurrent.CountDownLatch disconnected = new java.util.concurrent.CountDownLatch(1);
        final DealStore deals;
        final Host host;
        final RetrievalProvider provider;
        final Multiaddr addr;

        GatedProvider(String name) {
            java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
            venus.retrieval.ipld.BlockGetter source = store.blockSource();
            venus.retrieval.ipld.BlockGetter gated = cid -> {
                if (reads.incrementAndGet() == 20) {
                    reached.countDown();
                    try {
                        release.await(30, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return source.get(cid);
            };
            PieceFinder finder = new PieceFinder(store.directory(), RetrievalAsks.uniform(RetrievalAsk.free(Address.id(1000))));
            deals = DealStore.open(tmp.resolve(name));
            host = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
            new QueryProtocol(finder).register(host);
            provider = RetrievalProvider.register(host, gated, finder, null, deals, 2);
            // listeners run in order: when this one runs, graphsync has failed the peer's responses
            host.addConnectionListener(new venus.retrieval.libp2p.ConnectionListener() {
                @Override
                public void onDisconnected(venus.retrieval.libp2p.Connection connection) {
                    disconnected.countDown();
                }
            });
            addr = host.listenAddrs().get(0).withPeerId(host.peerId());
        }

        @Override
        public void close() {
            release.countDown();
            provider.close();
            host.close();
            deals.close();
        }
    }

    /** Retrieves {@code root} on its own thread into {@code out}, counting the blocks stored. */
    static java.util.concurrent.CompletableFuture<Object> retrieveAsync(RetrievalClient rc, Multiaddr a, Cid root, Path out,
                                                                        java.util.concurrent.atomic.AtomicInteger stored) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try (CarSpool spool = new CarSpool(out, root)) {
                ReceivedBlocks counting = new ReceivedBlocks() {
                    @Override
                    public void put(Cid cid, byte[] data) {
                        spool.put(cid, data);
                        stored.incrementAndGet();
                    }

                    @Override
                    public byte[] get(Cid cid) {
                        return spool.get(cid);
                    }
                };
                return rc.retrieve(a, root, counting, RetrievalClient.Payment.FREE_ONLY, Duration.ofSeconds(60));
            } catch (Exception e) {
                return e;
            }
        });
    }

    /** Waits until the gate is reached and the client verified the first message, then cuts the connection. */
    static void cutAfterFirstMessage(GatedProvider g, Host c, java.util.concurrent.atomic.AtomicInteger stored) throws Exception {
        assertThat(g.reached.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        // the first message (8 blocks of 64 KiB) went out before the gate: let the client verify it
        for (int i = 0; i < 3000 && stored.get() < 8; i++) {
            Thread.sleep(10);
        }
        assertThat(stored.get()).isGreaterThanOrEqualTo(8);
        c.connection(g.host.peerId()).close();
        // release the walk only once the provider knows: else it may finish sending into the dead
        // connection before it hears of the cut, and the deal ends Completed (a flaky test)
        assertThat(g.disconnected.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        g.release.countDown();
    }

    @Test
    void connectionDropMidTransferResumes() throws Exception {
        Path car = Vectors.file("unixfs/file-3158073-v1-raw-64k-balanced-11.car");
        Cid root = Fixture.root(car);
        long dagBytes = Fixture.blocks(car).stream().mapToLong(b -> b.data().length).sum();
        try (GatedProvider g = new GatedProvider("gated-deals");
             Host c = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start();
             RetrievalClient rc = new RetrievalClient(c)) {
            rc.setReconnect(new RetrievalClient.Reconnect(2, 10, Duration.ofMillis(20), Duration.ofMillis(200)));
            Path out = tmp.resolve("gated.car");
            java.util.concurrent.atomic.AtomicInteger stored = new java.util.concurrent.atomic.AtomicInteger();
            var retrieval = retrieveAsync(rc, g.addr, root, out, stored);
            cutAfterFirstMessage(g, c, stored);
            Object r = retrieval.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(r).isInstanceOf(RetrievalClient.Result.class);
            RetrievalClient.Result result = (RetrievalClient.Result) r;
            assertThat(result.restarts()).isEqualTo(1);
            assertThat(result.bytes()).isEqualTo(dagBytes);
            assertThat(result.bytesOnWire()).isEqualTo(dagBytes); // what it had before the cut was not resent
            List<Cid> want = new ArrayList<>(new LinkedHashSet<>(Fixture.blocks(car).stream().map(CarBlock::cid).toList()));
            assertThat(Fixture.blocks(out).stream().map(CarBlock::cid).toList()).isEqualTo(want); // the spool has no duplicates
            var d = g.provider.deals();
            assertThat(d).hasSize(1);
            assertThat(d.get(0).state()).isEqualTo(ProviderFsm.State.COMPLETED);
            assertThat(d.get(0).bytesSent()).isEqualTo(dagBytes);
        }
    }

    @Test
    void anInterruptedDealNotRestartedInTimeFails() throws Exception {
        Path car = Vectors.file("unixfs/file-3158073-v1-raw-64k-balanced-11.car");
        Cid root = Fixture.root(car);
        try (GatedProvider g = new GatedProvider("expiring-deals");
             Host c = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start();
             RetrievalClient rc = new RetrievalClient(c)) {
            g.provider.setRestartWindow(Duration.ofMillis(300));
            rc.setReconnect(RetrievalClient.Reconnect.NEVER);
            java.util.concurrent.atomic.AtomicInteger stored = new java.util.concurrent.atomic.AtomicInteger();
            var retrieval = retrieveAsync(rc, g.addr, root, tmp.resolve("expiring.car"), stored);
            cutAfterFirstMessage(g, c, stored);
            Object r = retrieval.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(r).isInstanceOf(NodeException.class);
            assertThat(((NodeException) r).getMessage()).contains("connection lost");
            // interrupted first (the client could restart), then failed once the window passed
            for (int i = 0; i < 3000 && g.provider.deals().get(0).state() != ProviderFsm.State.ERRORED; i++) {
                Thread.sleep(10);
            }
            var d = g.provider.deals().get(0);
            assertThat(d.state()).isEqualTo(ProviderFsm.State.ERRORED);
            assertThat(d.message()).contains("not restarted within").contains("connection lost");
        }
    }
}
