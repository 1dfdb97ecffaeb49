package venus.retrieval.node.graphsync;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.car.CarBlock;
import venus.retrieval.ipld.car.CarReader;
import venus.retrieval.ipld.testing.Vectors;
import venus.retrieval.ipld.traversal.Selectors;
import venus.retrieval.libp2p.PeerId;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.libp2p.Stream;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.libp2p.host.HostConfig;
import venus.retrieval.libp2p.multiaddr.Multiaddr;

/**
 * When the responder reports a response as complete: as go-graphsync, once its final message was
 * handed to the connection, not when it was queued. A provider that took "queued" for "done"
 * completed deals whose last blocks died in a connection the client had already cut.
 */
class ResponseCompletionTest {

    @Test
    void aFinalMessageStuckBehindACutConnectionIsANetworkErrorNotACompletion() throws Exception {
        Map<Cid, byte[]> blocks = new HashMap<>();
        Cid root = null;
        try (CarReader r = CarReader.open(Vectors.file("unixfs/file-3158073-v1-raw-64k-balanced-11.car"))) {
            for (CarBlock b : r) {
                root = root == null ? b.cid() : root;
                blocks.put(b.cid(), b.data());
            }
        }
        LinkedBlockingQueue<String> ends = new LinkedBlockingQueue<>();
        java.util.concurrent.CountDownLatch taken = new java.util.concurrent.CountDownLatch(1);
        GraphsyncHooks hooks = new GraphsyncHooks() {
            @Override
            public RequestDecision onIncomingRequest(PeerId peer, GsRequest request) {
                taken.countDown(); // the request is among the active ones from now until its walk ends
                return RequestDecision.accept(Map.of());
            }

            @Override
            public void onComplete(PeerId peer, UUID requestId, int status) {
                ends.add("complete " + status);
            }

            @Override
            public void onNetworkError(PeerId peer, UUID requestId, Throwable cause) {
                ends.add("network error");
            }
        };
        try (Host provider = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
             Host stalled = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start()) {
            Graphsync gs = Graphsync.register(provider, blocks::get, hooks, 1);
            // a requester that never reads the responses: its stream grants no window beyond the
            // first 256 KiB, so most of the 3 MiB file (and the final status) stays queued with us
            stalled.setHandler(Graphsync.PROTOCOL, s -> {
                s.setAutoRead(false);
                s.setListener((st, data) -> data.release());
            });
            stalled.connect(provider.listenAddrs().get(0).withPeerId(provider.peerId())).get(30, TimeUnit.SECONDS);
            Stream out = stalled.newStream(provider.peerId(), List.of(Graphsync.PROTOCOL)).get(30, TimeUnit.SECONDS);
            out.setListener((st, data) -> data.release());
            out.write(Unpooled.wrappedBuffer(GraphsyncCodec.frame(GraphsyncCodec.encode(GsMessage.ofRequests(
                    GsRequest.newRequest(UUID.randomUUID(), root, Selectors.exploreAllRecursively(), Map.of()))))));
            // the walk ends (every message queued, the last with status 20) while the peer reads nothing
            assertThat(taken.await(30, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 3000 && gs.responder().activeRequests() != 0; i++) {
                Thread.sleep(10);
            }
            assertThat(gs.responder().activeRequests()).isZero();
            stalled.connection(provider.peerId()).close();
            assertThat(ends.poll(30, TimeUnit.SECONDS)).isEqualTo("network error");
            gs.close();
        }
        assertThat(ends).isEmpty(); // exactly one ending
    }
}
