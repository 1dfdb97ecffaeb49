package venus.retrieval.node.graphsync;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.car.CarBlock;
import venus.retrieval.ipld.car.CarReader;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.ipld.testing.Interop;
import venus.retrieval.ipld.testing.Vectors;
import venus.retrieval.ipld.traversal.Selectors;
import venus.retrieval.libp2p.PeerId;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.libp2p.Stream;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.libp2p.host.HostConfig;
import venus.retrieval.libp2p.multiaddr.Multiaddr;

/**
 * The frames our responder actually put on the wire (and our requests), checked by an
 * independent decoder: {@code interop/graphsync-check.mjs} with {@code @ipld/dag-cbor}
 * (canonical bytes, go-graphsync's field names and shapes, blocks announced in their message).
 */
class GraphsyncInteropIT {
    static final Multiaddr LOOPBACK = Multiaddr.parse("/ip4/127.0.0.1/tcp/0");

    @TempDir
    Path tmp;

    @Test
    void anIndependentDecoderAcceptsWhatWeSend() throws Exception {
        Map<Cid, byte[]> store = new ConcurrentHashMap<>();
        List<Cid> file = load("unixfs/file-3158073-unixfs-v1-2025.car", store);
        List<Cid> site = load("unixfs/dir-site.car", store);
        GraphsyncHooks hooks = new GraphsyncHooks() {
            @Override
            public RequestDecision onIncomingRequest(PeerId peer, GsRequest request) {
                if (request.extensions().containsKey("test/reject")) {
                    return RequestDecision.reject(ResponseStatus.REQUEST_REJECTED, Map.of("test/why", Node.string("no")));
                }
                return RequestDecision.accept(Map.of("test/hello", Node.integer(1)));
            }
        };
        Host provider = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start(List.of(LOOPBACK));
        Host raw = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start(List.of(LOOPBACK));
        List<byte[]> frames = new CopyOnWriteArrayList<>();
        Map<UUID, Integer> terminal = new ConcurrentHashMap<>();
        raw.setHandler(Graphsync.PROTOCOL, in -> in.setListener(new Stream.Listener() {
            final GraphsyncFrameDecoder dec = new GraphsyncFrameDecoder();

            @Override
            public void onData(Stream s, ByteBuf data) {
                dec.feed(data, body -> {
                    frames.add(GraphsyncCodec.frame(body));
                    for (GsResponse r : GraphsyncCodec.decode(body).responses()) {
                        if (ResponseStatus.isTerminal(r.status())) {
                            terminal.put(r.requestId(), r.status());
                        }
                    }
                });
            }

            @Override
            public void onClosed(Stream s, venus.retrieval.libp2p.Libp2pException cause) {
                dec.release();
            }
        }));
        try (Graphsync gs = Graphsync.register(provider, store::get, hooks, 2)) {
            raw.connect(provider.listenAddrs().get(0).withPeerId(provider.peerId())).get(30, TimeUnit.SECONDS);
            List<GsRequest> requests = List.of(
                    GsRequest.newRequest(UUID.randomUUID(), file.get(0), Selectors.exploreAllRecursively(), Map.of()),
                    GsRequest.newRequest(UUID.randomUUID(), site.get(0), Selectors.exploreAllRecursively(),
                            Map.of(ResponseTask.DO_NOT_SEND_CIDS, Node.list(Node.link(site.get(2))))),
                    GsRequest.newRequest(UUID.randomUUID(), Cid.of(Multicodec.RAW, new byte[] {9}), Selectors.matcher(), Map.of()),
                    GsRequest.newRequest(UUID.randomUUID(), site.get(0), Selectors.matcher(), Map.of("test/reject", Node.TRUE)));
            Stream out = raw.newStream(provider.peerId(), List.of(Graphsync.PROTOCOL)).get(30, TimeUnit.SECONDS);
            out.setListener((s, d) -> d.release());
            List<String> lines = new ArrayList<>();
            for (GsRequest r : requests) {
                byte[] f = GraphsyncCodec.frame(GraphsyncCodec.encode(GsMessage.ofRequests(r)));
                lines.add(HexFormat.of().formatHex(f));
                out.write(Unpooled.wrappedBuffer(f));
            }
            byte[] cancel = GraphsyncCodec.frame(GraphsyncCodec.encode(GsMessage.ofRequests(GsRequest.cancel(UUID.randomUUID()),
                    GsRequest.update(UUID.randomUUID(), Map.of("x", Node.integer(2))))));
            lines.add(HexFormat.of().formatHex(cancel));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (terminal.size() < requests.size() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(terminal).hasSize(requests.size());
            assertThat(terminal.get(requests.get(0).id())).isEqualTo(20);
            assertThat(terminal.get(requests.get(2).id())).isEqualTo(34);
            assertThat(terminal.get(requests.get(3).id())).isEqualTo(30);
            for (byte[] f : frames) {
                lines.add(HexFormat.of().formatHex(f));
            }
            // the checker itself must be able to fail: a cancel with its keys in struct order
            byte[] structOrder = new venus.retrieval.ipld.cbor.CborWriter().writeMapHeader(1).writeText("gs2").writeMapHeader(1)
                    .writeText("req").writeArrayHeader(1).writeMapHeader(2).writeText("type").writeText("c")
                    .writeText("id").writeBytes(new byte[16]).toByteArray();
            List<String> withBad = new ArrayList<>(lines);
            withBad.add(HexFormat.of().formatHex(GraphsyncCodec.frame(structOrder)));
            Path in = tmp.resolve("frames.txt");
            Files.write(in, withBad);
            Interop.Result res = Interop.run(Duration.ofSeconds(120), "graphsync-check.mjs", in.toAbsolutePath().toString()).assertOk();
            List<String> got = res.stdout().lines().toList();
            assertThat(got).hasSize(lines.size() + 1);
            assertThat(got.get(lines.size())).isEqualTo("bad not canonical dag-cbor");
            got = got.subList(0, lines.size());
            assertThat(got).allSatisfy(l -> assertThat(l).startsWith("ok "));
            String all = String.join("\n", got);
            assertThat(all).contains("rsp=14", "rsp=20", "rsp=34:1", "rsp=30:0:ext=test/why", "ext=test/hello", "req=c", "req=u", "blk=");
        } finally {
            raw.close();
            provider.close();
        }
    }

    static List<Cid> load(String rel, Map<Cid, byte[]> into) {
        List<Cid> order = new ArrayList<>();
        try (CarReader r = CarReader.open(Vectors.file(rel))) {
            for (CarBlock b : r) {
                order.add(b.cid());
                into.put(b.cid(), b.data());
            }
        }
        return order;
    }
}
