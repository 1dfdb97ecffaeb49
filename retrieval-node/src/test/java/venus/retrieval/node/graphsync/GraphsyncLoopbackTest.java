package venus.retrieval.node.graphsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.car.CarBlock;
import venus.retrieval.ipld.car.CarReader;
import venus.retrieval.ipld.cbor.DagCbor;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.ipld.testing.Vectors;
import venus.retrieval.ipld.traversal.Selectors;
import venus.retrieval.libp2p.Connection;
import venus.retrieval.libp2p.PeerId;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.libp2p.Stream;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.libp2p.host.HostConfig;
import venus.retrieval.libp2p.multiaddr.Multiaddr;

/** A Java requester against the Java responder over a real libp2p connection on 127.0.0.1. */
class GraphsyncLoopbackTest {
    static final Multiaddr LOOPBACK = Multiaddr.parse("/ip4/127.0.0.1/tcp/0");
    static final Node ALL = Selectors.exploreAllRecursively();

    /** Every block of every vector CAR (the provider's store); tests remove and restore blocks. */
    static final Map<Cid, byte[]> store = new ConcurrentHashMap<>();
    static final Map<String, List<Cid>> carOrder = new HashMap<>();
    static Host provider;
    static Host client;
    static Graphsync providerGs;
    static Graphsync clientGs;
    static volatile GraphsyncHooks hooks = GraphsyncHooks.FREE;
    /** Every CID the responder loaded. */
    static final Set<Cid> reads = ConcurrentHashMap.newKeySet();
    /** CIDs whose load fails (as a corrupt piece-file read does). */
    static final Set<Cid> unreadable = ConcurrentHashMap.newKeySet();
    static Connection connection;

    @BeforeAll
    static void start() throws Exception {
        List<JsonNode> vectors = new ArrayList<>();
        Vectors.manifest().get("unixfs").forEach(vectors::add);
        Vectors.manifest().get("directories").forEach(vectors::add);
        for (JsonNode v : vectors) {
            List<Cid> order = new ArrayList<>();
            try (CarReader r = CarReader.open(Vectors.file(v.get("car").asText()))) {
                for (CarBlock b : r) {
                    order.add(b.cid());
                    store.put(b.cid(), b.data());
                }
            }
            carOrder.put(v.get("name").asText() + " " + v.get("root").asText(), order);
        }
        provider = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start(List.of(LOOPBACK));
        client = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start(List.of(LOOPBACK));
        GraphsyncHooks delegate = new GraphsyncHooks() {
            @Override
            public RequestDecision onIncomingRequest(PeerId peer, GsRequest request) {
                return hooks.onIncomingRequest(peer, request);
            }

            @Override
            public BlockDecision onOutgoingBlock(PeerId peer, UUID requestId, OutgoingBlock block) {
                return hooks.onOutgoingBlock(peer, requestId, block);
            }

            @Override
            public UpdateDecision onRequestUpdated(PeerId peer, UUID requestId, Map<String, Node> extensions) {
                return hooks.onRequestUpdated(peer, requestId, extensions);
            }

            @Override
            public void onComplete(PeerId peer, UUID requestId, int status) {
                hooks.onComplete(peer, requestId, status);
            }

            @Override
            public void onCancelled(PeerId peer, UUID requestId) {
                hooks.onCancelled(peer, requestId);
            }
        };
        providerGs = Graphsync.register(provider, cid -> {
            reads.add(cid);
            if (unreadable.contains(cid)) {
                throw new venus.retrieval.ipld.IpldException(venus.retrieval.ipld.IpldException.Reason.HASH_MISMATCH, "test: block " + cid + " is corrupt");
            }
            return store.get(cid);
        }, delegate, 2);
        clientGs = Graphsync.register(client, cid -> null, GraphsyncHooks.FREE, 1);
        connection = client.connect(provider.listenAddrs().get(0).withPeerId(provider.peerId())).get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        clientGs.close();
        providerGs.close();
        client.close();
        provider.close();
    }

    @BeforeEach
    void freeHooks() {
        hooks = GraphsyncHooks.FREE;
        reads.clear();
        unreadable.clear();
    }

    /** Records the first-time blocks and statuses a request saw. */
    static final class Recorder implements OutgoingRequest.Listener {
        final List<Cid> firstTime = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<Cid> all = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<Integer> statuses = new CopyOnWriteArrayList<>();

        @Override
        public void onBlock(Cid cid, byte[] data, boolean first) {
            all.add(cid);
            if (first) {
                firstTime.add(cid);
            }
        }

        @Override
        public void onStatus(int status) {
            statuses.add(status);
        }
    }

    static OutgoingRequest request(Cid root, Node selector, Map<String, Node> ext, ReceivedBlocks into, Recorder rec) {
        return clientGs.requester().request(provider.peerId(), root, selector, ext, into, rec);
    }

    static int await(OutgoingRequest r) throws Exception {
        return r.completion().get(60, TimeUnit.SECONDS);
    }

    @Test
    void identifyAdvertisesGraphsync() throws Exception {
        assertThat(connection.identified().get(30, TimeUnit.SECONDS).protocols()).contains(Graphsync.PROTOCOL);
    }

    /** Every UnixFS vector and both directories (HAMT too): blocks arrive in the vector CAR's order, status 20. */
    @Test
    void allSelectorRetrievesEveryVectorInCarOrder() throws Exception {
        for (Map.Entry<String, List<Cid>> e : carOrder.entrySet()) {
            Cid root = Cid.parse(e.getKey().substring(e.getKey().indexOf(' ') + 1));
            Recorder rec = new Recorder();
            ReceivedBlocks got = ReceivedBlocks.inMemory();
            OutgoingRequest r = request(root, ALL, Map.of(), got, rec);
            assertThat(await(r)).as(e.getKey()).isEqualTo(ResponseStatus.REQUEST_COMPLETED_FULL);
            assertThat(rec.firstTime).as(e.getKey()).isEqualTo(e.getValue());
            for (Cid c : e.getValue()) {
                assertThat(got.get(c)).isEqualTo(store.get(c));
            }
        }
        // the responder retires a request once its last message was sent, which may be just after
        // the client has read it
        waitFor(() -> providerGs.responder().activeRequests() == 0);
    }

    static List<Cid> order(String name) {
        return carOrder.entrySet().stream().filter(e -> e.getKey().startsWith(name + " ")).findFirst().orElseThrow().getValue();
    }

    @Test
    void missingBlocksGiveMissingMetadataAnd21Or34() throws Exception {
        List<Cid> site = order("site");
        Cid root = site.get(0);
        Cid leaf = site.get(3); // docs/deep/data.bin's first block
        byte[] saved = store.remove(leaf);
        try {
            Recorder rec = new Recorder();
            OutgoingRequest r = request(root, ALL, Map.of(), ReceivedBlocks.inMemory(), rec);
            assertThat(await(r)).isEqualTo(ResponseStatus.REQUEST_COMPLETED_PARTIAL);
            List<Cid> expected = new ArrayList<>(site);
            expected.remove(leaf);
            assertThat(rec.firstTime).isEqualTo(expected);
        } finally {
            store.put(leaf, saved);
        }
        Cid absent = Cid.of(Multicodec.RAW, "not here".getBytes());
        OutgoingRequest r = request(absent, ALL, Map.of(), ReceivedBlocks.inMemory(), new Recorder());
        assertThat(await(r)).isEqualTo(ResponseStatus.REQUEST_FAILED_CONTENT_NOT_FOUND);
    }

    @Test
    void doNotSendCidsAndFirstBlocks() throws Exception {
        List<Cid> file = order("file-3158073-unixfs-v1-2025");
        Cid root = file.get(0);
        Map<Long, Integer> onWire = new ConcurrentHashMap<>();
        hooks = new GraphsyncHooks() {
            @Override
            public BlockDecision onOutgoingBlock(PeerId peer, UUID requestId, OutgoingBlock block) {
                onWire.put(block.index(), block.sizeOnWire());
                return BlockDecision.CONTINUE;
            }
        };
        // the requester already has blocks 2 and 5 (in walk order)
        ReceivedBlocks have = ReceivedBlocks.inMemory();
        have.put(file.get(1), store.get(file.get(1)));
        have.put(file.get(4), store.get(file.get(4)));
        Node cids = Node.list(Node.link(file.get(1)), Node.link(file.get(4)));
        Recorder rec = new Recorder();
        assertThat(await(request(root, ALL, Map.of(ResponseTask.DO_NOT_SEND_CIDS, cids), have, rec)))
                .isEqualTo(ResponseStatus.REQUEST_COMPLETED_FULL);
        assertThat(rec.firstTime).isEqualTo(file);
        assertThat(onWire).hasSize(file.size());
        for (long i = 1; i <= file.size(); i++) {
            boolean skipped = i == 2 || i == 5;
            assertThat(onWire.get(i) == 0).as("block %d", i).isEqualTo(skipped);
        }
        // do-not-send-first-blocks 3: the requester has the first three (a restart)
        onWire.clear();
        ReceivedBlocks first3 = ReceivedBlocks.inMemory();
        for (int i = 0; i < 3; i++) {
            first3.put(file.get(i), store.get(file.get(i)));
        }
        rec = new Recorder();
        assertThat(await(request(root, ALL, Map.of(ResponseTask.DO_NOT_SEND_FIRST_BLOCKS, Node.integer(3)), first3, rec)))
                .isEqualTo(ResponseStatus.REQUEST_COMPLETED_FULL);
        assertThat(rec.firstTime).isEqualTo(file);
        for (long i = 1; i <= file.size(); i++) {
            assertThat(onWire.get(i) == 0).as("block %d", i).isEqualTo(i <= 3);
        }
        // a bad extension value: RequestFailedUnknown
        assertThat(await(request(root, ALL, Map.of(ResponseTask.DO_NOT_SEND_FIRST_BLOCKS, Node.string("x")), ReceivedBlocks.inMemory(), new Recorder())))
                .isEqualTo(ResponseStatus.REQUEST_FAILED_UNKNOWN);
    }

    /** Sizes the responder put on the wire per traversal index, through the block hook. */
    static Map<Long, Integer> recordOnWire() {
        Map<Long, Integer> onWire = new ConcurrentHashMap<>();
        hooks = new GraphsyncHooks() {
            @Override
            public BlockDecision onOutgoingBlock(PeerId peer, UUID requestId, OutgoingBlock block) {
                onWire.put(block.index(), block.sizeOnWire());
                return BlockDecision.CONTINUE;
            }
        };
        return onWire;
    }

    @Test
    void doNotSendFirstBlocksZeroSomeOrMoreThanTheWalk() throws Exception {
        List<Cid> file = order("file-1048577-v1-raw-64k-balanced-11");
        Cid root = file.get(0);
        for (long n : new long[] {0, 1, 7, file.size() - 1, file.size(), file.size() + 5, -3}) {
            Map<Long, Integer> onWire = recordOnWire();
            ReceivedBlocks have = ReceivedBlocks.inMemory();
            for (int i = 0; i < Math.min(n, file.size()); i++) {
                have.put(file.get(i), store.get(file.get(i)));
            }
            Recorder rec = new Recorder();
            OutgoingRequest r = n >= 0 ? clientGs.requester().restart(provider.peerId(), root, ALL, Map.of(), have, rec, n)
                    // a negative count skips nothing (go-graphsync compares it with the index)
                    : request(root, ALL, Map.of(ResponseTask.DO_NOT_SEND_FIRST_BLOCKS, Node.integer(n)), have, rec);
            assertThat(await(r)).as("n=%d", n).isEqualTo(ResponseStatus.REQUEST_COMPLETED_FULL);
            long skipped = Math.max(0, Math.min(n, file.size()));
            // the walk still visits every block (metadata "p" for all), only the bytes are not resent
            assertThat(onWire).as("n=%d", n).hasSize(file.size());
            long bytes = 0;
            for (long i = 1; i <= file.size(); i++) {
                int size = store.get(file.get((int) i - 1)).length;
                assertThat(onWire.get(i)).as("n=%d block %d", n, i).isEqualTo(i <= skipped ? 0 : size);
                bytes += i <= skipped ? 0 : size;
            }
            assertThat(r.bytesOnWire()).as("n=%d", n).isEqualTo(bytes);
            assertThat(r.blocksOnWire()).as("n=%d", n).isEqualTo(file.size() - skipped);
            assertThat(r.linksVerified()).isEqualTo(file.size());
            // a restart's listener hears only about the links after the ones it had
            assertThat(rec.all).as("n=%d", n).isEqualTo(file.subList((int) skipped, file.size()));
        }
    }

    @Test
    void aDuplicateOfASkippedBlockIsNotSentEither() throws Exception {
        byte[] x = "block x".getBytes();
        byte[] y = "block y".getBytes();
        Cid cx = Cid.of(Multicodec.RAW, x);
        Cid cy = Cid.of(Multicodec.RAW, y);
        byte[] rootBytes = DagCbor.encode(Node.mapBuilder().put("a", Node.link(cx)).put("b", Node.link(cy)).put("c", Node.link(cx)).build());
        Cid root = Cid.of(Multicodec.DAG_CBOR, rootBytes);
        store.put(cx, x);
        store.put(cy, y);
        store.put(root, rootBytes);
        try {
            Map<Long, Integer> onWire = recordOnWire();
            ReceivedBlocks have = ReceivedBlocks.inMemory();
            have.put(root, rootBytes);
            have.put(cx, x);
            Recorder rec = new Recorder();
            OutgoingRequest r = clientGs.requester().restart(provider.peerId(), root, ALL, Map.of(), have, rec, 2);
            assertThat(await(r)).isEqualTo(ResponseStatus.REQUEST_COMPLETED_FULL);
            // walk: root, x, y, x again; the first two are skipped and the second x is a duplicate
            assertThat(onWire).isEqualTo(Map.of(1L, 0, 2L, 0, 3L, y.length, 4L, 0));
            assertThat(rec.all).containsExactly(cy, cx);
            assertThat(rec.firstTime).containsExactly(cy);
        } finally {
            store.remove(root);
            store.remove(cx);
            store.remove(cy);
        }
    }

    @Test
    void pauseByHookThenUnpauseFromOutside() throws Exception {
        List<Cid> file = order("file-3158073-unixfs-v0-2015");
        Cid root = file.get(0);
        CompletableFuture<UUID> paused = new CompletableFuture<>();
        hooks = new GraphsyncHooks() {
            @Override
            public BlockDecision onOutgoingBlock(PeerId peer, UUID requestId, OutgoingBlock block) {
                if (block.index() == 3) {
                    paused.complete(requestId);
                    return BlockDecision.pauseAfter(Map.of("test/paused", Node.integer(block.totalBytesSent())));
                }
                return BlockDecision.CONTINUE;
            }
        };
        Recorder rec = new Recorder();
        OutgoingRequest r = request(root, ALL, Map.of(), ReceivedBlocks.inMemory(), rec);
        UUID id = paused.get(30, TimeUnit.SECONDS);
        assertThat(id).isEqualTo(r.id());
        waitFor(() -> rec.statuses.contains(ResponseStatus.REQUEST_PAUSED));
        assertThat(rec.firstTime).isEqualTo(file.subList(0, 3));
        assertThat(providerGs.responder().isPaused(client.peerId(), id)).isTrue();
        assertThat(providerGs.responder().unpause(client.peerId(), id, Map.of("test/resumed", Node.TRUE))).isTrue();
        assertThat(await(r)).isEqualTo(ResponseStatus.REQUEST_COMPLETED_FULL);
        assertThat(rec.firstTime).isEqualTo(file);
        assertThat(r.extensionsReceived()).extracting(m -> m.keySet().iterator().next()).containsExactly("test/paused", "test/resumed");
        assertThat(providerGs.responder().unpause(client.peerId(), id, Map.of())).isFalse();
    }

    /** Pauses every request after its 3rd block (walk index 3), as a payment round does. */
    static CompletableFuture<UUID> pauseAfterThirdBlock() {
        CompletableFuture<UUID> paused = new CompletableFuture<>();
        hooks = new GraphsyncHooks() {
            @Override
            public BlockDecision onOutgoingBlock(PeerId peer, UUID requestId, OutgoingBlock block) {
                if (block.index() == 3) {
                    paused.complete(requestId);
                    return BlockDecision.pauseAfter(Map.of());
                }
                return BlockDecision.CONTINUE;
            }
        };
        return paused;
    }

    @Test
    void theNextBlockIsLoadedDuringAPauseButSentOnlyAfterIt() throws Exception {
        // a payment round's wait hides the next block's read: it is loaded while paused, not
        // counted or sent, and not loaded a second time after the unpause
        List<Cid> file = order("file-3158073-unixfs-v0-2015");
        CompletableFuture<UUID> paused = pauseAfterThirdBlock();
        Recorder rec = new Recorder();
        OutgoingRequest r = request(file.get(0), ALL, Map.of(), ReceivedBlocks.inMemory(), rec);
        UUID id = paused.get(30, TimeUnit.SECONDS);
        waitFor(() -> rec.statuses.contains(ResponseStatus.REQUEST_PAUSED));
        waitFor(() -> reads.contains(file.get(3)));
        assertThat(reads).doesNotContain(file.get(4));
        assertThat(rec.firstTime).isEqualTo(file.subList(0, 3));
        reads.clear();
        assertThat(providerGs.responder().unpause(client.peerId(), id, Map.of())).isTrue();
        assertThat(await(r)).isEqualTo(ResponseStatus.REQUEST_COMPLETED_FULL);
        assertThat(rec.firstTime).isEqualTo(file);
        assertThat(reads).doesNotContain(file.get(3)).contains(file.get(4));
    }

    @Test
    void aBlockThatFailsToLoadDuringAPauseEndsTheResponseOnlyWhenItResumes() throws Exception {
        List<Cid> file = order("file-3158073-unixfs-v0-2015");
        unreadable.add(file.get(3));
        CompletableFuture<UUID> paused = pauseAfterThirdBlock();
        Recorder rec = new Recorder();
        OutgoingRequest r = request(file.get(0), ALL, Map.of(), ReceivedBlocks.inMemory(), rec);
        UUID id = paused.get(30, TimeUnit.SECONDS);
        waitFor(() -> reads.contains(file.get(3)));
        // still paused, not failed: the failure belongs to the block after the pause
        assertThat(providerGs.responder().isPaused(client.peerId(), id)).isTrue();
        assertThat(r.completion()).isNotDone();
        assertThat(providerGs.responder().unpause(client.peerId(), id, Map.of())).isTrue();
        assertThat(await(r)).isEqualTo(ResponseStatus.REQUEST_FAILED_UNKNOWN);
        assertThat(rec.firstTime).isEqualTo(file.subList(0, 3));
    }

    @Test
    void twoValuesUnderOneExtensionKeyGoInSeparateMessages() throws Exception {
        // the accept's value is still pending when block 2's hook returns another value for the
        // same key: both must arrive, in order, and block 2 goes with its own value
        List<Cid> file = order("file-3158073-unixfs-v0-2015");
        CompletableFuture<UUID> paused = new CompletableFuture<>();
        hooks = new GraphsyncHooks() {
            @Override
            public RequestDecision onIncomingRequest(PeerId peer, GsRequest request) {
                return RequestDecision.accept(Map.of("test/k", Node.string("accept")));
            }

            @Override
            public BlockDecision onOutgoingBlock(PeerId peer, UUID requestId, OutgoingBlock block) {
                if (block.index() == 2) {
                    paused.complete(requestId);
                    return BlockDecision.pauseAfter(Map.of("test/k", Node.string("pause")));
                }
                return BlockDecision.CONTINUE;
            }
        };
        Recorder rec = new Recorder();
        OutgoingRequest r = request(file.get(0), ALL, Map.of(), ReceivedBlocks.inMemory(), rec);
        UUID id = paused.get(30, TimeUnit.SECONDS);
        waitFor(() -> rec.statuses.contains(ResponseStatus.REQUEST_PAUSED));
        assertThat(rec.firstTime).isEqualTo(file.subList(0, 2));
        assertThat(rec.statuses).containsExactly(ResponseStatus.PARTIAL_RESPONSE, ResponseStatus.REQUEST_PAUSED);
        assertThat(r.extensionsReceived()).extracting(m -> m.get("test/k").asString()).containsExactly("accept", "pause");
        assertThat(providerGs.responder().unpause(client.peerId(), id, Map.of())).isTrue();
        assertThat(await(r)).isEqualTo(ResponseStatus.REQUEST_COMPLETED_FULL);
        assertThat(rec.firstTime).isEqualTo(file);
    }

    @Test
    void pausedAtStartUnpausedByAnUpdate() throws Exception {
        List<Cid> file = order("file-1048577-unixfs-v1-2025");
        hooks = new GraphsyncHooks() {
            @Override
            public RequestDecision onIncomingRequest(PeerId peer, GsRequest request) {
                return RequestDecision.acceptPaused(Map.of("test/accept", Node.string(request.extensions().get("test/ask").asString())));
            }

            @Override
            public UpdateDecision onRequestUpdated(PeerId peer, UUID requestId, Map<String, Node> extensions) {
                return new UpdateDecision(extensions.containsKey("test/pay"), Map.of("test/thanks", Node.TRUE));
            }
        };
        Recorder rec = new Recorder();
        OutgoingRequest r = request(file.get(0), ALL, Map.of("test/ask", Node.string("hello")), ReceivedBlocks.inMemory(), rec);
        waitFor(() -> rec.statuses.contains(ResponseStatus.REQUEST_PAUSED));
        assertThat(rec.firstTime).isEmpty();
        assertThat(r.extensionsReceived().get(0).get("test/accept").asString()).isEqualTo("hello");
        r.update(Map.of("test/pay", Node.integer(1)));
        assertThat(await(r)).isEqualTo(ResponseStatus.REQUEST_COMPLETED_FULL);
        assertThat(rec.firstTime).isEqualTo(file);
        assertThat(rec.statuses.get(0)).isEqualTo(ResponseStatus.REQUEST_PAUSED);
    }

    @Test
    void cancelByRequesterAndByResponder() throws Exception {
        List<Cid> file = order("file-3158073-unixfs-v1-2025");
        CountDownLatch cancelled = new CountDownLatch(1);
        // by request id: requests left over from other tests (fuzzed frames) may complete meanwhile
        Map<UUID, Integer> completed = new ConcurrentHashMap<>();
        Set<UUID> cancelledIds = ConcurrentHashMap.newKeySet();
        hooks = new GraphsyncHooks() {
            @Override
            public BlockDecision onOutgoingBlock(PeerId peer, UUID requestId, OutgoingBlock block) {
                return block.index() == 2 ? BlockDecision.pauseAfter(Map.of()) : BlockDecision.CONTINUE;
            }

            @Override
            public void onCancelled(PeerId peer, UUID requestId) {
                cancelledIds.add(requestId);
                cancelled.countDown();
            }

            @Override
            public void onComplete(PeerId peer, UUID requestId, int status) {
                completed.put(requestId, status);
            }
        };
        Recorder rec = new Recorder();
        OutgoingRequest r = request(file.get(0), ALL, Map.of(), ReceivedBlocks.inMemory(), rec);
        waitFor(() -> rec.statuses.contains(ResponseStatus.REQUEST_PAUSED));
        r.cancel();
        assertThat(await(r)).isEqualTo(ResponseStatus.REQUEST_CANCELLED);
        assertThat(cancelled.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(cancelledIds).containsExactly(r.id());
        waitFor(() -> !providerGs.responder().isPaused(client.peerId(), r.id()));
        assertThat(completed).doesNotContainKey(r.id());
        // the responder cancels a paused request: the requester sees 35
        Recorder rec2 = new Recorder();
        OutgoingRequest r2 = request(file.get(0), ALL, Map.of(), ReceivedBlocks.inMemory(), rec2);
        waitFor(() -> rec2.statuses.contains(ResponseStatus.REQUEST_PAUSED));
        assertThat(providerGs.responder().cancel(client.peerId(), r2.id())).isTrue();
        assertThat(await(r2)).isEqualTo(ResponseStatus.REQUEST_CANCELLED);
        waitFor(() -> Integer.valueOf(ResponseStatus.REQUEST_CANCELLED).equals(completed.get(r2.id())));
    }

    @Test
    void rejectionAndFailingHooks() throws Exception {
        Cid root = order("site").get(0);
        hooks = new GraphsyncHooks() {
            @Override
            public RequestDecision onIncomingRequest(PeerId peer, GsRequest request) {
                return RequestDecision.reject(ResponseStatus.REQUEST_REJECTED, Map.of("test/why", Node.string("no voucher")));
            }
        };
        OutgoingRequest r = request(root, ALL, Map.of(), ReceivedBlocks.inMemory(), new Recorder());
        assertThat(await(r)).isEqualTo(ResponseStatus.REQUEST_REJECTED);
        assertThat(r.extensionsReceived().get(0).get("test/why").asString()).isEqualTo("no voucher");
        hooks = new GraphsyncHooks() {
            @Override
            public BlockDecision onOutgoingBlock(PeerId peer, UUID requestId, OutgoingBlock block) {
                throw new IllegalStateException("hook bug");
            }
        };
        assertThat(await(request(root, ALL, Map.of(), ReceivedBlocks.inMemory(), new Recorder()))).isEqualTo(ResponseStatus.REQUEST_FAILED_UNKNOWN);
    }

    /**
     * UnixFS ADL selectors (what lassie sends): the responder's blocks pass the requester's walk;
     * with unixfs-preload a file's blocks are announced twice (read when interpreted, again when
     * matched), their bytes sent once. An ADL the responder does not have fails the request with 32.
     */
    @Test
    void unixFsAdlSelectors() throws Exception {
        List<Cid> file = order("file-3158073-v1-raw-64k-balanced-11");
        Recorder rec = new Recorder();
        assertThat(await(request(file.get(0), Selectors.matchUnixFsPreload(), Map.of(), ReceivedBlocks.inMemory(), rec)))
                .isEqualTo(ResponseStatus.REQUEST_COMPLETED_FULL);
        assertThat(rec.firstTime).isEqualTo(file);
        List<Cid> twice = new ArrayList<>(file);
        twice.addAll(file.subList(1, file.size()));
        assertThat(rec.all).isEqualTo(twice);

        List<Cid> hamt = order("hamt-1200");
        rec = new Recorder();
        assertThat(await(request(hamt.get(0), Selectors.interpretAs("unixfs", Selectors.exploreAll(Selectors.matcher())),
                Map.of(), ReceivedBlocks.inMemory(), rec))).isEqualTo(ResponseStatus.REQUEST_COMPLETED_FULL);
        assertThat(rec.firstTime).isEqualTo(hamt);

        // the requester refuses to send a selector it cannot walk; sent anyway, the responder fails it
        Node unknownAdl = Selectors.interpretAs("filecoin-hamt", Selectors.matcher());
        assertThatThrownBy(() -> request(hamt.get(0), unknownAdl, Map.of(), ReceivedBlocks.inMemory(), new Recorder()))
                .isInstanceOf(venus.retrieval.ipld.IpldException.class).hasMessageContaining("filecoin-hamt");
        CompletableFuture<Integer> done = new CompletableFuture<>();
        UUID id = UUID.randomUUID();
        hooks = new GraphsyncHooks() {
            @Override
            public void onComplete(PeerId peer, UUID requestId, int status) {
                if (requestId.equals(id)) {
                    done.complete(status);
                }
            }
        };
        clientGs.requester().send(provider.peerId(), GsRequest.newRequest(id, hamt.get(0), unknownAdl, Map.of()));
        assertThat(done.get(30, TimeUnit.SECONDS)).isEqualTo(ResponseStatus.REQUEST_FAILED_UNKNOWN);
    }

    /** A 100 000-block chain: the whole chain, and a depth-limited selector cutting it exactly. */
    @Test
    void hundredThousandBlockDeepChain() throws Exception {
        Map<Cid, byte[]> chain = new HashMap<>();
        Cid prev = null;
        for (int k = 99_999; k >= 0; k--) {
            Node.MapBuilder b = Node.mapBuilder().put("i", k);
            if (prev != null) {
                b.put("next", Node.link(prev));
            }
            byte[] data = DagCbor.encode(b.build());
            prev = Cid.of(Multicodec.DAG_CBOR, data);
            chain.put(prev, data);
        }
        store.putAll(chain);
        try {
            Recorder rec = new Recorder();
            OutgoingRequest r = request(prev, Selectors.exploreAllToDepth(1000), Map.of(), ReceivedBlocks.inMemory(), rec);
            assertThat(await(r)).isEqualTo(ResponseStatus.REQUEST_COMPLETED_FULL);
            assertThat(rec.firstTime).hasSize(1000);
            Recorder all = new Recorder();
            r = request(prev, ALL, Map.of(), ReceivedBlocks.inMemory(), all);
            assertThat(await(r)).isEqualTo(ResponseStatus.REQUEST_COMPLETED_FULL);
            assertThat(all.firstTime).hasSize(100_000);
            assertThat(r.bytesReceived()).isEqualTo(chain.values().stream().mapToLong(b -> b.length).sum());
        } finally {
            store.keySet().removeAll(chain.keySet());
        }
    }

    /** Malformed frames (fixed seed) each reset their stream; the node keeps serving. */
    @Test
    void malformedMessagesResetTheStreamOnly() throws Exception {
        Cid root = order("site").get(0);
        // a request in progress (paused after its first block) must survive the garbage
        List<Cid> file = order("file-1048576-unixfs-v0-2015");
        hooks = new GraphsyncHooks() {
            @Override
            public BlockDecision onOutgoingBlock(PeerId peer, UUID requestId, OutgoingBlock block) {
                return block.index() == 1 ? BlockDecision.pauseAfter(Map.of()) : BlockDecision.CONTINUE;
            }
        };
        Recorder inProgress = new Recorder();
        OutgoingRequest survivor = request(file.get(0), ALL, Map.of(), ReceivedBlocks.inMemory(), inProgress);
        waitFor(() -> inProgress.statuses.contains(ResponseStatus.REQUEST_PAUSED));
        hooks = GraphsyncHooks.FREE;
        byte[] good = GraphsyncCodec.encode(GsMessage.ofRequests(GsRequest.newRequest(UUID.randomUUID(), root, ALL, Map.of())));
        Random rnd = new Random(20261127);
        List<byte[]> bad = new ArrayList<>();
        bad.add(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x7f}); // declares a 256 MiB message
        bad.add(GraphsyncCodec.frame(new byte[] {(byte) 0xa0}));
        bad.add(GraphsyncCodec.frame("not cbor at all".getBytes()));
        for (int i = 0; i < 40; i++) {
            byte[] b = good.clone();
            for (int k = 0; k < 1 + rnd.nextInt(4); k++) {
                b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
            }
            bad.add(GraphsyncCodec.frame(b));
        }
        int resets = 0;
        for (byte[] frame : bad) {
            Stream s = client.newStream(provider.peerId(), List.of(Graphsync.PROTOCOL)).get(30, TimeUnit.SECONDS);
            CompletableFuture<Void> closed = s.closeFuture();
            s.setListener(new Stream.Listener() {
                @Override
                public void onData(Stream st, io.netty.buffer.ByteBuf data) {
                    data.release();
                }
            });
            s.write(Unpooled.wrappedBuffer(frame));
            s.closeWrite();
            try {
                closed.get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                resets++;
            }
        }
        // the fixed corruptions: the length bomb, the empty map and the non-CBOR frame at least
        assertThat(resets).isGreaterThanOrEqualTo(3);
        assertThat(connection.isOpen()).isTrue();
        assertThat(providerGs.responder().unpause(client.peerId(), survivor.id(), Map.of())).isTrue();
        assertThat(await(survivor)).isEqualTo(ResponseStatus.REQUEST_COMPLETED_FULL);
        assertThat(inProgress.firstTime).isEqualTo(file);
        // a well-formed message with a selector that does not parse: RequestFailedUnknown, not a reset
        Node badSelector = Node.mapBuilder().put("x", Node.map(Map.of())).build();
        byte[] frame = GraphsyncCodec.frame(GraphsyncCodec.encode(GsMessage.ofRequests(
                GsRequest.newRequest(UUID.randomUUID(), root, badSelector, Map.of()))));
        Stream s = client.newStream(provider.peerId(), List.of(Graphsync.PROTOCOL)).get(30, TimeUnit.SECONDS);
        s.setListener((st, d) -> d.release());
        List<Integer> completions = new CopyOnWriteArrayList<>();
        hooks = new GraphsyncHooks() {
            @Override
            public void onComplete(PeerId peer, UUID requestId, int status) {
                completions.add(status);
            }
        };
        s.write(Unpooled.wrappedBuffer(frame));
        s.closeWrite();
        waitFor(() -> completions.contains(ResponseStatus.REQUEST_FAILED_UNKNOWN));
        hooks = GraphsyncHooks.FREE;
        // mutated frames that still were valid requests ran too: let them end before other tests
        waitFor(() -> providerGs.responder().activeRequests() == 0);
        Recorder rec = new Recorder();
        OutgoingRequest r = request(root, ALL, Map.of(), ReceivedBlocks.inMemory(), rec);
        assertThat(await(r)).isEqualTo(ResponseStatus.REQUEST_COMPLETED_FULL);
        assertThat(rec.firstTime).isEqualTo(order("site"));
    }

    /** The matcher alone: only the root block, status 20. */
    @Test
    void matcherOnlySelector() throws Exception {
        List<Cid> site = order("site");
        Recorder rec = new Recorder();
        OutgoingRequest r = request(site.get(0), Selectors.matcher(), Map.of(), ReceivedBlocks.inMemory(), rec);
        assertThat(await(r)).isEqualTo(ResponseStatus.REQUEST_COMPLETED_FULL);
        assertThat(rec.firstTime).containsExactly(site.get(0));
    }

    /**
     * ExploreFields built in non-canonical key order ("b" before "a"): the wire form sorts the keys,
     * the responder walks "a" first, and the requester must walk the wire form too.
     */
    @Test
    void fieldOrderFollowsTheCanonicalSelector() throws Exception {
        List<Cid> site = order("site");
        Node root = Node.mapBuilder().put("a", Node.link(site.get(1))).put("b", Node.link(site.get(5))).build();
        byte[] data = DagCbor.encode(root);
        Cid rootCid = Cid.of(Multicodec.DAG_CBOR, data);
        store.put(rootCid, data);
        try {
            Map<String, Node> f = new java.util.LinkedHashMap<>();
            f.put("b", Selectors.matcher());
            f.put("a", Selectors.matcher());
            Recorder rec = new Recorder();
            OutgoingRequest r = request(rootCid, Selectors.exploreFields(f), Map.of(), ReceivedBlocks.inMemory(), rec);
            assertThat(await(r)).isEqualTo(ResponseStatus.REQUEST_COMPLETED_FULL);
            assertThat(rec.firstTime).containsExactly(rootCid, site.get(1), site.get(5));
        } finally {
            store.remove(rootCid);
        }
    }

    static void waitFor(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 30 s");
            }
            Thread.sleep(10);
        }
    }
}
