package venus.retrieval.node.retrieval.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.blockstore.PieceInfo;
import venus.retrieval.blockstore.PieceStore;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.testing.Vectors;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.libp2p.host.HostConfig;
import venus.retrieval.libp2p.multiaddr.Multiaddr;
import venus.retrieval.node.retrieval.Fixture;
import venus.retrieval.node.retrieval.PieceFinder;
import venus.retrieval.node.retrieval.RetrievalAsk;
import venus.retrieval.node.retrieval.RetrievalAsks;
import venus.retrieval.node.retrieval.Transports;
import venus.retrieval.paych.Address;

/** Query and transports over real libp2p connections (loopback), answered from a real piece directory. */
class QueryProtocolTest {
    static final Address DEFAULT_PAY = Address.id(999);
    static final Address M1_PAY = Address.id(1001);
    static final Address M2_PAY = Address.id(1002);
    static final String FILE = "unixfs/file-1048577-unixfs-v1-2025.car";

    @TempDir Path tmp;
    PieceStore store;
    Host provider;
    Host client;
    Multiaddr addr;

    @BeforeEach
    void setUp() {
        store = Fixture.store(tmp);
    }

    @AfterEach
    void tearDown() {
        if (client != null) client.close();
        if (provider != null) provider.close();
        store.close();
    }

    void start(RetrievalAsks asks) {
        provider = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
        new QueryProtocol(new PieceFinder(store.directory(), asks)).register(provider);
        Transports.register(provider, Transports.ofHost(provider, () -> Multiaddr.parse("/ip4/127.0.0.1/tcp/8080/http")));
        client = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start();
        addr = provider.listenAddrs().get(0).withPeerId(provider.peerId());
    }

    QueryResponse ask(Cid payload, Cid piece) {
        return QueryProtocol.query(client, addr, new Query(payload, piece), Duration.ofSeconds(10));
    }

    @Test
    void answersPerMinerAndPicksTheCheapestUnsealedPiece() throws Exception {
        RetrievalAsk def = new RetrievalAsk(BigInteger.ZERO, BigInteger.ZERO, 0, 0, DEFAULT_PAY);
        RetrievalAsks asks = new RetrievalAsks(def, Map.of(
                "f01001", new RetrievalAsk(BigInteger.valueOf(5), BigInteger.valueOf(1000), 1 << 20, 1 << 20, M1_PAY),
                "f01002", new RetrievalAsk(BigInteger.valueOf(3), BigInteger.valueOf(7000), 1 << 20, 1 << 20, M2_PAY)));
        Path car = Vectors.file(FILE);
        Cid root = Fixture.root(car);
        // miner 1 holds it unsealed (fast retrieval); miner 2 is cheaper per byte but must unseal
        PieceInfo p1 = Fixture.importFile(store, car, List.of("f01001"), true);
        PieceInfo p2 = Fixture.importFile(store, Fixture.sameBlocksOtherPiece(car, tmp.resolve("other.car")), List.of("f01002"), false);
        start(asks);

        QueryResponse any = ask(root, null);
        assertThat(any.status()).isEqualTo(QueryResponse.AVAILABLE);
        assertThat(any.paymentAddress()).isEqualTo(M1_PAY);
        assertThat(any.minPricePerByte()).isEqualTo(5);
        assertThat(any.unsealPrice()).isZero();
        assertThat(any.size()).isEqualTo(p1.paddedSize() * 127 / 128);
        assertThat(any.maxPaymentInterval()).isEqualTo(1 << 20);

        QueryResponse named = ask(root, p2.pieceCid());
        assertThat(named.status()).isEqualTo(QueryResponse.AVAILABLE);
        assertThat(named.pieceCidFound()).isEqualTo(QueryResponse.PIECE_AVAILABLE);
        assertThat(named.paymentAddress()).isEqualTo(M2_PAY);
        assertThat(named.minPricePerByte()).isEqualTo(3);
        assertThat(named.unsealPrice()).isEqualTo(7000);

        Cid absent = Fixture.root(Vectors.file("unixfs/file-1000-unixfs-v1-2025.car"));
        QueryResponse none = ask(absent, null);
        assertThat(none.status()).isEqualTo(QueryResponse.UNAVAILABLE);
        assertThat(none.paymentAddress()).isEqualTo(DEFAULT_PAY);
        assertThat(none.message()).contains("not found");
        QueryResponse wrongPiece = ask(absent, p1.pieceCid());
        assertThat(wrongPiece.status()).isEqualTo(QueryResponse.UNAVAILABLE);
        assertThat(wrongPiece.pieceCidFound()).isEqualTo(QueryResponse.PIECE_UNAVAILABLE);
    }

    @Test
    void transportsListLibp2pAndHttp() {
        start(RetrievalAsks.uniform(RetrievalAsk.free(DEFAULT_PAY)));
        List<Transports.Entry> t = Transports.fetch(client, addr, Duration.ofSeconds(10));
        assertThat(t).extracting(Transports.Entry::name).containsExactly("libp2p", "http");
        assertThat(t.get(0).addresses()).containsExactly(addr);
        assertThat(t.get(1).addresses()).containsExactly(Multiaddr.parse("/ip4/127.0.0.1/tcp/8080/http"));
    }

    @Test
    void garbageResetsTheStreamAndTheNodeStillAnswers() throws Exception {
        start(RetrievalAsks.uniform(RetrievalAsk.free(DEFAULT_PAY)));
        var s = client.newStream(addr, List.of(QueryProtocol.PROTOCOL)).get();
        var reader = new venus.retrieval.libp2p.StreamReader(1024);
        s.setListener(reader);
        s.write(io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {(byte) 0xa1, 0x61, 0x41, (byte) 0xff, 0x00}));
        assertThat(reader.result()).failsWithin(Duration.ofSeconds(10));
        QueryResponse r = ask(Cid.parse("QmTTA2daxGqo5denp6SwLzzkLJm3fuisYEi9CoWsuHpzfb"), null);
        assertThat(r.status()).isEqualTo(QueryResponse.UNAVAILABLE);
    }
}
