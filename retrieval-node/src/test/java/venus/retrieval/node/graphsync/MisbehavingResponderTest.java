package venus.retrieval.node.graphsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.car.CarBlock;
import venus.retrieval.ipld.car.CarReader;
import venus.retrieval.ipld.testing.Vectors;
import venus.retrieval.ipld.traversal.Selectors;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.libp2p.Stream;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.libp2p.host.HostConfig;
import venus.retrieval.libp2p.multiaddr.Multiaddr;
import venus.retrieval.node.NodeException;

/** A scripted responder that breaks the rules: the requester must notice and fail the request. */
class MisbehavingResponderTest {
    static final Multiaddr LOOPBACK = Multiaddr.parse("/ip4/127.0.0.1/tcp/0");

    Host fake;
    Host client;
    Graphsync gs;
    final List<Cid> order = new ArrayList<>();
    final Map<Cid, byte[]> blocks = new HashMap<>();
    /** Turns the request into the messages the fake sends back. */
    volatile Function<GsRequest, List<GsMessage>> script;

    @BeforeEach
    void start() throws Exception {
        try (CarReader r = CarReader.open(Vectors.file("unixfs/dir-site.car"))) {
            for (CarBlock b : r) {
                order.add(b.cid());
                blocks.put(b.cid(), b.data());
            }
        }
        fake = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start(List.of(LOOPBACK));
        client = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start(List.of(LOOPBACK));
        fake.setHandler(Graphsync.PROTOCOL, in -> in.setListener(new Stream.Listener() {
            final GraphsyncFrameDecoder dec = new GraphsyncFrameDecoder();

            @Override
            public void onData(Stream s, ByteBuf data) {
                dec.feed(data, body -> {
                    for (GsRequest r : GraphsyncCodec.decode(body).requests()) {
                        if (r.type() == RequestType.NEW) {
                            fake.newStream(s.connection().remotePeer(), List.of(Graphsync.PROTOCOL)).thenAccept(out -> {
                                out.setListener((st, d) -> d.release());
                                for (GsMessage m : script.apply(r)) {
                                    out.write(Unpooled.wrappedBuffer(GraphsyncCodec.frame(GraphsyncCodec.encode(m))));
                                }
                            });
                        }
                    }
                });
            }

            @Override
            public void onClosed(Stream s, venus.retrieval.libp2p.Libp2pException cause) {
                dec.release();
            }
        }));
        gs = Graphsync.register(client, c -> null, GraphsyncHooks.FREE, 1);
        client.connect(fake.listenAddrs().get(0).withPeerId(fake.peerId())).get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        gs.close();
        client.close();
        fake.close();
    }

    GsMessage respond(GsRequest r, int status, List<Cid> meta, List<Cid> send) {
        List<GsResponse.Metadatum> md = new ArrayList<>();
        meta.forEach(c -> md.add(new GsResponse.Metadatum(c, LinkAction.PRESENT)));
        List<GsBlock> out = new ArrayList<>();
        send.forEach(c -> out.add(GsBlock.of(c, blocks.get(c))));
        return new GsMessage(List.of(), List.of(new GsResponse(r.id(), status, md, Map.of())), out);
    }

    String failure() throws Exception {
        OutgoingRequest req = gs.requester().request(fake.peerId(), order.get(0), Selectors.exploreAllRecursively(), Map.of(),
                ReceivedBlocks.inMemory(), new OutgoingRequest.Listener() {});
        try {
            Integer status = req.completion().get(30, TimeUnit.SECONDS);
            return "completed " + status;
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOfSatisfying(NodeException.class,
                    n -> assertThat(n.reason()).isEqualTo(NodeException.Reason.RETRIEVAL_FAILED));
            return e.getCause().getMessage();
        }
    }

    @Test
    void honestScriptCompletes() throws Exception {
        script = r -> List.of(respond(r, 14, order.subList(0, 4), order.subList(0, 4)),
                respond(r, 20, order.subList(4, order.size()), order.subList(4, order.size())));
        assertThat(failure()).isEqualTo("completed 20");
    }

    @Test
    void blocksOutOfWalkOrderFail() throws Exception {
        List<Cid> swapped = new ArrayList<>(order);
        Cid a = swapped.get(1);
        swapped.set(1, swapped.get(2));
        swapped.set(2, a);
        script = r -> List.of(respond(r, 20, swapped, swapped));
        assertThat(failure()).contains("where the selector walk reaches");
    }

    @Test
    void blockAnnouncedButNeverSentFails() throws Exception {
        List<Cid> without = new ArrayList<>(order);
        without.remove(3);
        script = r -> List.of(respond(r, 20, order, without));
        assertThat(failure()).contains("never sent");
    }

    @Test
    void blockSentOnlyInALaterMessageFails() throws Exception {
        // metadata in the first message, the block in the second: go-graphsync drops it; so do we
        script = r -> List.of(respond(r, 14, order.subList(0, 2), order.subList(0, 1)),
                respond(r, 20, order.subList(2, order.size()), order.subList(1, order.size())));
        assertThat(failure()).contains("never sent");
    }

    @Test
    void tamperedBlockFails() throws Exception {
        script = r -> {
            GsMessage m = respond(r, 20, order, order);
            List<GsBlock> bad = new ArrayList<>(m.blocks());
            byte[] d = bad.get(2).data().clone();
            d[d.length - 1] ^= 1;
            bad.set(2, new GsBlock(bad.get(2).prefix(), d));
            return List.of(new GsMessage(List.of(), m.responses(), bad));
        };
        assertThat(failure()).contains("never sent");
    }

    @Test
    void completedBeforeTheWalkEndsFails() throws Exception {
        script = r -> List.of(respond(r, 20, order.subList(0, 3), order.subList(0, 3)));
        assertThat(failure()).contains("the selector walk expects").contains("announced nothing more");
    }

    @Test
    void extraLinkAfterTheWalkFails() throws Exception {
        List<Cid> more = new ArrayList<>(order);
        more.add(order.get(1));
        script = r -> List.of(respond(r, 20, more, order));
        assertThat(failure()).contains("after the selector walk ended");
    }

    @Test
    void badSelectorIsRefusedBeforeSending() {
        assertThatThrownBy(() -> gs.requester().request(fake.peerId(), order.get(0), venus.retrieval.ipld.model.Node.integer(1),
                Map.of(), ReceivedBlocks.inMemory(), new OutgoingRequest.Listener() {}))
                .isInstanceOfSatisfying(venus.retrieval.ipld.IpldException.class,
                        e -> assertThat(e.reason()).isEqualTo(venus.retrieval.ipld.IpldException.Reason.BAD_SELECTOR));
    }
}
