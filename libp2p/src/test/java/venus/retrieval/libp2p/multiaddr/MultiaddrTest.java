package venus.retrieval.libp2p.multiaddr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.Multibase;
import venus.retrieval.libp2p.Libp2pException;
import venus.retrieval.libp2p.PeerId;

class MultiaddrTest {
    @ParameterizedTest
    @CsvSource({
        // binary forms per the multiaddr protocol table (codes and sizes) and go-multiaddr's tests
        "/ip4/127.0.0.1/udp/1234, 047f000001910204d2",
        "/ip4/127.0.0.1/tcp/4321, 047f0000010610e1",
        "/ip4/127.0.0.1/udp/1234/ip4/127.0.0.1/tcp/4321, 047f000001910204d2047f0000010610e1",
        "/ip6/::1/tcp/4001, 2900000000000000000000000000000001060fa1",
        "/ip6/2001:db8::1/udp/4001/quic-v1, 2920010db80000000000000000000000019102 0fa1cd03",
        "/dns4/example.com/tcp/443/tls/http, 360b6578616d706c652e636f6d0601bbc003e003",
        "/dns6/example.com/tcp/80/ws, 370b6578616d706c652e636f6d060050dd03",
        "/dnsaddr/bootstrap.libp2p.io, 3813626f6f7473747261702e6c69627032702e696f",
        "/dns/x.org/tcp/443/https, 3505782e6f72670601bbbb03",
        "/ip4/1.2.3.4/tcp/80/http, 0401020304060050e003",
    })
    void stringAndBinaryFormsRoundTrip(String text, String hex) {
        hex = hex.replace(" ", "");
        Multiaddr m = Multiaddr.parse(text);
        assertThat(Multibase.hex(m.bytes())).isEqualTo(hex);
        assertThat(Multiaddr.decode(Multibase.unhex(hex)).toString()).isEqualTo(text);
        assertThat(m.toString()).isEqualTo(text);
    }

    @Test
    void p2pComponentCarriesThePeerIdMultihash() {
        String id = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";
        Multiaddr m = Multiaddr.parse("/ip4/127.0.0.1/tcp/4001/p2p/" + id);
        assertThat(Multibase.hex(m.bytes())).isEqualTo("047f000001060fa1a503260024080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e");
        assertThat(m.peerId()).isEqualTo(PeerId.parse(id));
        assertThat(m.withoutPeerId().toString()).isEqualTo("/ip4/127.0.0.1/tcp/4001");
        assertThat(m.withoutPeerId().withPeerId(PeerId.parse(id))).isEqualTo(m);
        assertThat(Multiaddr.parse("/ip4/127.0.0.1/tcp/4001/ipfs/" + id)).isEqualTo(m);
        assertThat(m.toTcpSocketAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", 4001));
    }

    @Test
    void socketAddressConversion() {
        Multiaddr m = Multiaddr.fromSocketAddress(new InetSocketAddress("127.0.0.1", 5));
        assertThat(m.toString()).isEqualTo("/ip4/127.0.0.1/tcp/5");
        assertThat(Multiaddr.parse("/dns4/localhost/tcp/9").toTcpSocketAddress().isUnresolved()).isTrue();
        assertThat(Multiaddr.parse("/ip6/2001:db8:0:0:1:0:0:1/tcp/1").toString()).isEqualTo("/ip6/2001:db8::1:0:0:1/tcp/1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "ip4/1.2.3.4", "/ip4", "/ip4/1.2.3", "/ip4/256.1.1.1", "/ip4/01.1.1.1", "/tcp/65536",
        "/tcp/-1", "/tcp/abc", "/foo/1", "/ip6/1.2.3.4", "/ip6/zz::1", "/p2p/notapeer", "/dns4/a/b"})
    void badStringsAreRejected(String s) {
        assertThatThrownBy(() -> Multiaddr.parse(s)).isInstanceOf(Libp2pException.class)
                .extracting(e -> ((Libp2pException) e).reason()).isEqualTo(Libp2pException.Reason.BAD_MULTIADDR);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "047f0000", "ff", "06", "3505782e", "9999999999999999999999", "a50303010203"})
    void badBinaryIsRejected(String hex) {
        assertThatThrownBy(() -> Multiaddr.decode(Multibase.unhex(hex))).isInstanceOf(Libp2pException.class);
    }
}
