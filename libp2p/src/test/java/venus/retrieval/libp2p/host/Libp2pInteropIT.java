package venus.retrieval.libp2p.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import venus.retrieval.ipld.Multibase;
import venus.retrieval.ipld.testing.Vectors;
import venus.retrieval.libp2p.Connection;
import venus.retrieval.libp2p.PeerId;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.libp2p.Stream;
import venus.retrieval.libp2p.crypto.PubKey;
import venus.retrieval.libp2p.identify.Identify;
import venus.retrieval.libp2p.multiaddr.Multiaddr;
import venus.retrieval.libp2p.ping.Ping;

/** Our host against js-libp2p v3 (TCP, @chainsafe/libp2p-noise, @chainsafe/libp2p-yamux, identify, ping). */
class Libp2pInteropIT {
    Host host;

    @BeforeEach
    void start() {
        host = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
        host.setHandler(Echo.PROTOCOL, Echo.handler());
    }

    @AfterEach
    void stop() {
        host.close();
    }

    List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @ParameterizedTest
    // js-libp2p cannot make a peer ID from an ECDSA key; ECDSA verification is covered by KeysTest
    @ValueSource(strings = {"Ed25519", "secp256k1", "RSA"})
    void jsDialsUs(String keyType) throws Exception {
        Multiaddr addr = host.listenAddrs().get(0).withPeerId(host.peerId());
        try (JsPeer js = new JsPeer("dial", addr.toString(), "4", keyType)) {
            JsonNode id = js.await("identified", 60);
            assertThat(id.get("peer").asText()).isEqualTo(host.peerId().toString());
            assertThat(id.get("publicKey").asText()).isEqualTo(Multibase.hex(host.identity().publicKey().bytes()));
            assertThat(strings(id.get("protocols"))).contains(Identify.PROTOCOL_ID, Ping.PROTOCOL_ID, Echo.PROTOCOL);
            assertThat(id.get("agentVersion").asText()).isEqualTo(host.config().agentVersion());
            assertThat(js.await("ping", 30).get("ok").asBoolean()).as(js.transcript()).isTrue();
            JsonNode echo = js.await("echo", 120);
            assertThat(echo.get("ok").asBoolean()).as(js.transcript()).isTrue();
            assertThat(echo.get("bytes").asLong()).isEqualTo(4L * 1024 * 1024);
            js.await("done", 30);

            // our side of the same connection: identify taught us js's key and protocols; ping js back
            Connection c = HostTest.waitForConnection(host);
            Connection.PeerInfo info = c.identified().get(30, TimeUnit.SECONDS);
            assertThat(info.publicKey().type().name()).isEqualToIgnoringCase(keyType);
            assertThat(PeerId.fromPublicKey(info.publicKey())).isEqualTo(c.remotePeer());
            assertThat(info.protocols()).contains(Identify.PROTOCOL_ID, Ping.PROTOCOL_ID, Echo.PROTOCOL);
            assertThat(host.ping(c).get(30, TimeUnit.SECONDS)).isPositive();
        }
    }

    @Test
    void weDialJs() throws Exception {
        try (JsPeer js = new JsPeer("listen")) {
            JsonNode listening = js.await("listening", 60);
            Multiaddr addr = Multiaddr.parse(listening.get("addrs").get(0).asText());
            PeerId jsPeer = PeerId.parse(listening.get("peerId").asText());
            assertThat(addr.peerId()).isEqualTo(jsPeer);

            Connection c = host.connect(addr).get(30, TimeUnit.SECONDS);
            assertThat(c.remotePeer()).isEqualTo(jsPeer);
            Connection.PeerInfo info = c.identified().get(30, TimeUnit.SECONDS);
            assertThat(info.publicKey()).isEqualTo(PubKey.decode(Multibase.unhex(listening.get("publicKey").asText())));
            assertThat(info.protocols()).contains(Identify.PROTOCOL_ID, Ping.PROTOCOL_ID, Echo.PROTOCOL);
            assertThat(info.observedAddr().withoutPeerId()).isEqualTo(c.localAddress()); // js appends our /p2p id
            assertThat(host.ping(c).get(30, TimeUnit.SECONDS)).isPositive();

            // js identified us and pinged us back over the same connection
            JsonNode id = js.await("identified", 30);
            assertThat(id.get("peer").asText()).isEqualTo(host.peerId().toString());
            assertThat(id.get("publicKey").asText()).isEqualTo(Multibase.hex(host.identity().publicKey().bytes()));
            assertThat(strings(id.get("protocols"))).contains(Identify.PROTOCOL_ID, Ping.PROTOCOL_ID, Echo.PROTOCOL);
            assertThat(js.await("ping", 30).get("ok").asBoolean()).as(js.transcript()).isTrue();

            byte[] data = Vectors.xorshift(7, 4 * 1024 * 1024);
            Stream s = c.newStream(List.of(Echo.PROTOCOL)).get(30, TimeUnit.SECONDS);
            Echo.Result r = Echo.run(s, data, 64 * 1024).get(120, TimeUnit.SECONDS);
            assertThat(r.bytes()).isEqualTo(data.length);
            assertThat(r.sha256()).isEqualTo(Echo.sha256().digest(data));
        }
    }
}
