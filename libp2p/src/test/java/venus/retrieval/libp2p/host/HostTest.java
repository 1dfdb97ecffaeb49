package venus.retrieval.libp2p.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.testing.Vectors;
import venus.retrieval.libp2p.Connection;
import venus.retrieval.libp2p.Libp2pException;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.libp2p.Stream;
import venus.retrieval.libp2p.identify.Identify;
import venus.retrieval.libp2p.multiaddr.Multiaddr;
import venus.retrieval.libp2p.ping.Ping;

class HostTest {
    static final Multiaddr LOOPBACK = Multiaddr.parse("/ip4/127.0.0.1/tcp/0");
    Host a;
    Host b;

    @BeforeEach
    void start() {
        a = Host.create(PeerIdentity.generate(), HostConfig.defaults().withAgentVersion("vrn-test-a/1")).start(List.of(LOOPBACK));
        b = Host.create(PeerIdentity.generate(), HostConfig.defaults().withAgentVersion("vrn-test-b/1")).start(List.of(LOOPBACK));
        a.setHandler(Echo.PROTOCOL, Echo.handler());
        b.setHandler(Echo.PROTOCOL, Echo.handler());
    }

    @AfterEach
    void stop() {
        a.close();
        b.close();
    }

    Multiaddr addrOf(Host h) {
        return h.listenAddrs().get(0).withPeerId(h.peerId());
    }

    static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    /** Polls until {@code h} has {@code n} open streams (bounded: 30 s). */
    static void awaitOpenStreams(Host h, long n) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (h.streams().open() != n) {
            assertThat(System.nanoTime()).as("open streams stay at %d, expected %d", h.streams().open(), n).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void openStreamCountReturnsToZeroWhicheverWayStreamsEnd() throws Exception {
        Connection ab = get(b.connect(addrOf(a)));
        get(ab.identified());
        get(waitForConnection(a).identified());
        awaitOpenStreams(a, 0); // identify's streams have ended
        awaitOpenStreams(b, 0);
        long outBefore = b.streams().openedOutbound();
        long inBefore = a.streams().openedInbound();
        int n = 10;
        List<Stream> streams = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            streams.add(get(ab.newStream(List.of(Echo.PROTOCOL))));
        }
        assertThat(b.streams().open()).isEqualTo(n);
        assertThat(b.streams().openedOutbound() - outBefore).isEqualTo(n);
        awaitOpenStreams(a, n);
        assertThat(a.streams().openedInbound() - inBefore).isEqualTo(n);
        // half end cleanly (both sides half-close), half are reset
        for (int i = 0; i < n; i++) {
            Stream s = streams.get(i);
            if (i % 2 == 0) {
                assertThat(Echo.run(s, new byte[] {(byte) i}, 1).get(30, TimeUnit.SECONDS).bytes()).isEqualTo(1);
            } else {
                s.reset();
            }
            get(s.closeFuture().handle((v, e) -> null));
        }
        awaitOpenStreams(b, 0);
        awaitOpenStreams(a, 0);
        // a reset after the stream already ended changes nothing
        streams.get(0).reset();
        streams.get(1).reset();
        assertThat(b.streams().open()).isZero();

        // streams still open when the connection goes count as ended once
        for (int i = 0; i < 3; i++) {
            get(ab.newStream(List.of(Echo.PROTOCOL)));
        }
        awaitOpenStreams(a, 3);
        ab.close();
        awaitOpenStreams(b, 0);
        awaitOpenStreams(a, 0);
        assertThat(b.streams().openedOutbound() - outBefore).isEqualTo(n + 3);
    }

    @Test
    void connectIdentifyAndPingBothWays() throws Exception {
        Connection ab = get(b.connect(addrOf(a)));
        assertThat(ab.remotePeer()).isEqualTo(a.peerId());
        assertThat(ab.isInitiator()).isTrue();
        Connection.PeerInfo info = get(ab.identified());
        assertThat(info.publicKey()).isEqualTo(a.identity().publicKey());
        assertThat(info.protocols()).contains(Identify.PROTOCOL_ID, Ping.PROTOCOL_ID, Echo.PROTOCOL);
        assertThat(info.agentVersion()).isEqualTo("vrn-test-a/1");
        assertThat(info.listenAddrs()).contains(a.listenAddrs().get(0));
        assertThat(info.observedAddr()).isEqualTo(ab.localAddress());

        Connection ba = waitForConnection(a);
        assertThat(ba.remotePeer()).isEqualTo(b.peerId());
        assertThat(get(ba.identified()).protocols()).contains(Echo.PROTOCOL);
        assertThat(get(ba.identified()).agentVersion()).isEqualTo("vrn-test-b/1");

        assertThat(get(b.ping(ab))).isPositive();
        assertThat(get(a.ping(ba))).isPositive();
    }

    @Test
    void echo64MiBEachWayThroughOneStream() throws Exception {
        byte[] data = Vectors.xorshift(64, 64 * 1024 * 1024);
        Stream s = get(b.newStream(addrOf(a), List.of(Echo.PROTOCOL)));
        assertThat(s.protocol()).isEqualTo(Echo.PROTOCOL);
        Echo.Result r = Echo.run(s, data, 100_000).get(120, TimeUnit.SECONDS);
        assertThat(r.bytes()).isEqualTo(data.length);
        assertThat(r.sha256()).isEqualTo(Echo.sha256().digest(data));
    }

    @Test
    void echoWithFrameSizedWrites() throws Exception {
        byte[] data = Vectors.xorshift(65, 4 * 1024 * 1024);
        Stream s = get(b.newStream(addrOf(a), List.of(Echo.PROTOCOL)));
        assertThat(s.bytesSent()).isZero(); // the protocol negotiation is not counted
        Echo.Result r = Echo.run(s, data, 64 * 1024).get(60, TimeUnit.SECONDS);
        assertThat(r.bytes()).isEqualTo(data.length);
        assertThat(r.sha256()).isEqualTo(Echo.sha256().digest(data));
        assertThat(s.bytesSent()).isEqualTo(data.length); // everything came back, so everything left
    }

    @Test
    void hundredConcurrentStreamsInBothDirectionsOnOneConnection() throws Exception {
        Connection ab = get(b.connect(addrOf(a)));
        Connection ba = waitForConnection(a);
        List<CompletableFuture<Echo.Result>> runs = new ArrayList<>();
        List<byte[]> inputs = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            byte[] data = Vectors.xorshift(1000 + i, 200_000 + i * 1000);
            inputs.add(data);
            Connection c = (i % 2 == 0) ? ab : ba;
            runs.add(c.newStream(List.of("/nope/1.0.0", Echo.PROTOCOL)).thenCompose(s -> Echo.run(s, data, 16 * 1024)));
        }
        for (int i = 0; i < runs.size(); i++) {
            Echo.Result r = runs.get(i).get(60, TimeUnit.SECONDS);
            assertThat(r.bytes()).as("stream %d", i).isEqualTo(inputs.get(i).length);
            assertThat(r.sha256()).as("stream %d", i).isEqualTo(Echo.sha256().digest(inputs.get(i)));
        }
        assertThat(a.connections()).hasSize(1);
    }

    @Test
    void unsupportedProtocolFailsTheStreamNotTheConnection() throws Exception {
        Connection ab = get(b.connect(addrOf(a)));
        assertThatThrownBy(() -> get(ab.newStream(List.of("/nope/1.0.0", "/nope/2.0.0"))))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(Libp2pException.class)
                .cause().extracting(e -> ((Libp2pException) e).reason()).isEqualTo(Libp2pException.Reason.NEGOTIATION_FAILED);
        assertThat(get(b.ping(ab))).isPositive();
    }

    @Test
    void dialingTheWrongPeerIdFails() {
        Multiaddr wrong = a.listenAddrs().get(0).withPeerId(PeerIdentity.generate().peerId());
        assertThatThrownBy(() -> get(b.connect(wrong))).isInstanceOf(ExecutionException.class)
                .cause().extracting(e -> ((Libp2pException) e).reason()).isEqualTo(Libp2pException.Reason.PEER_MISMATCH);
    }

    @Test
    void identifyPushUpdatesWhatWeKnowAboutThePeer() throws Exception {
        List<Connection.PeerInfo> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        a.addConnectionListener(new venus.retrieval.libp2p.ConnectionListener() {
            @Override
            public void onIdentified(Connection c, Connection.PeerInfo info) {
                seen.add(info);
            }
        });
        Connection ab = get(b.connect(addrOf(a)));
        Connection ba = waitForConnection(a);
        get(ba.identified());
        Stream push = get(ab.newStream(List.of(Identify.PUSH_PROTOCOL_ID)));
        var msg = new venus.retrieval.libp2p.identify.IdentifyMessage(null, null, b.identity().publicKey().bytes(),
                List.of(), null, List.of("/new/1.0.0", Echo.PROTOCOL));
        push.write(io.netty.buffer.Unpooled.wrappedBuffer(msg.encodeDelimited()));
        push.closeWrite();
        for (int i = 0; i < 3000 && seen.size() < 2; i++) {
            Thread.sleep(10);
        }
        assertThat(seen).hasSize(2);
        assertThat(ba.peerInfo().protocols()).containsExactly("/new/1.0.0", Echo.PROTOCOL);
        assertThat(ba.peerInfo().agentVersion()).isEqualTo("vrn-test-b/1"); // not in the push: unchanged
    }

    @Test
    void connectionsOverTheLimitAreRefused() throws Exception {
        Host small = Host.create(PeerIdentity.generate(), HostConfig.defaults().withMaxConnections(1)).start(List.of(LOOPBACK));
        try {
            Multiaddr addr = small.listenAddrs().get(0).withPeerId(small.peerId());
            Connection first = get(a.connect(addr));
            assertThatThrownBy(() -> get(b.connect(addr))).isInstanceOf(ExecutionException.class);
            assertThat(get(a.ping(first))).isPositive();
        } finally {
            small.close();
        }
    }

    static Connection waitForConnection(Host h) throws InterruptedException {
        for (int i = 0; i < 3000 && h.connections().isEmpty(); i++) {
            Thread.sleep(10);
        }
        assertThat(h.connections()).isNotEmpty();
        return h.connections().get(0);
    }

    static Duration d(long ms) {
        return Duration.ofMillis(ms);
    }
}
