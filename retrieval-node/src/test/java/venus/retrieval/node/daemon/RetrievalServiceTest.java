package venus.retrieval.node.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.blockstore.ImportOptions;
import venus.retrieval.blockstore.ImportProgress;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.testing.Vectors;
import venus.retrieval.ipld.unixfs.UnixFsReader;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.libp2p.host.HostConfig;
import venus.retrieval.libp2p.multiaddr.Multiaddr;
import venus.retrieval.node.NodeException;
import venus.retrieval.node.config.NodeConfig;
import venus.retrieval.node.repo.Repo;
import venus.retrieval.node.repo.RepoInit;
import venus.retrieval.node.retrieval.Transports;
import venus.retrieval.node.retrieval.client.CarSpool;
import venus.retrieval.node.retrieval.client.RetrievalClient;
import venus.retrieval.node.retrieval.provider.DealRecord;
import venus.retrieval.node.retrieval.provider.DealStore;
import venus.retrieval.node.retrieval.provider.ProviderFsm;
import venus.retrieval.node.retrieval.provider.RetrievalProvider;
import venus.retrieval.paych.Address;
import venus.retrieval.paych.SignedVoucher;
import venus.retrieval.paych.TokenAmount;
import venus.retrieval.paych.Wallet;
import venus.retrieval.node.retrieval.query.QueryResponse;

/** vrn daemon registers query, transports, data-transfer and graphsync with the provider's hooks. */
class RetrievalServiceTest {
    @TempDir Path tmp;
    Daemon daemon;
    Host clientHost;
    RetrievalClient client;

    Multiaddr start(String... extra) throws Exception {
        return start(RepoInit.init(tmp.resolve("repo")).repo(), extra);
    }

    Multiaddr start(Repo repo, String... extra) throws Exception {
        List<String> sets = new java.util.ArrayList<>(List.of("api.listen=127.0.0.1:0", "gateway.listen=127.0.0.1:0",
                "libp2p.listen=/ip4/127.0.0.1/tcp/0", "daemon.shutdown_grace=1s"));
        sets.addAll(List.of(extra));
        daemon = Daemon.start(repo, NodeConfig.load(repo.configFile(), Map.of(), sets));
        clientHost = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start();
        client = new RetrievalClient(clientHost);
        return Multiaddr.parse(new ObjectMapper().readTree(tmp.resolve("repo/daemon.json").toFile()).get("libp2p").get(0).asText());
    }

    @AfterEach
    void stop() {
        if (client != null) client.close();
        if (clientHost != null) clientHost.close();
        if (daemon != null) daemon.stop();
    }

    @Test
    void freeRetrievalThroughTheDaemon() throws Exception {
        Multiaddr addr = start();
        Cid root = Cid.parse("bafybeiacftqp4vjhb5aelbt76t7vpx64flvtz7ikieeezyckdlss4gpwma");
        daemon.context().store().importPiece(Vectors.file("unixfs/file-1048577-unixfs-v1-2025.car"), ImportOptions.defaults(), ImportProgress.NONE);
        QueryResponse q = client.query(addr, root, Duration.ofSeconds(10));
        assertThat(q.status()).isEqualTo(QueryResponse.AVAILABLE);
        assertThat(q.minPricePerByte()).isZero();
        try (CarSpool spool = new CarSpool(tmp.resolve("out.car"), root)) {
            RetrievalClient.Result r = client.retrieve(addr, root, spool, RetrievalClient.Payment.FREE_ONLY, Duration.ofSeconds(60));
            assertThat(r.graphsyncStatus()).isEqualTo(20);
            spool.finish();
            assertThat(new UnixFsReader(spool).readAll(root)).isEqualTo(Vectors.xorshift(1006, 1048577));
        }
        List<Transports.Entry> t = Transports.fetch(clientHost, addr, Duration.ofSeconds(10));
        // the daemon serves Bitswap on the same host, so it is listed with the host's addresses (as Boost does)
        assertThat(t).extracting(Transports.Entry::name).containsExactly("libp2p", "bitswap", "http");
        assertThat(t.get(1).addresses()).isEqualTo(t.get(0).addresses()).contains(addr);
        String gw = new ObjectMapper().readTree(tmp.resolve("repo/daemon.json").toFile()).get("gateway").asText();
        assertThat(t.get(2).addresses().get(0).toString()).isEqualTo("/ip4/127.0.0.1/tcp/" + gw.substring(gw.lastIndexOf(':') + 1) + "/http");
    }

    @Test
    void priceWithoutPaymentOptionsIsRefusedByTheClient() throws Exception {
        Multiaddr addr = start("network=devnet", "retrieval.price_per_byte=2", "retrieval.payment_interval=100000");
        Cid root = Cid.parse("bafybeiacftqp4vjhb5aelbt76t7vpx64flvtz7ikieeezyckdlss4gpwma");
        daemon.context().store().importPiece(Vectors.file("unixfs/file-1048577-unixfs-v1-2025.car"), ImportOptions.defaults(), ImportProgress.NONE);
        assertThat(client.query(addr, root, Duration.ofSeconds(10)).minPricePerByte()).isEqualTo(2);
        assertThatThrownBy(() -> client.retrieve(addr, root, new CarSpool(tmp.resolve("x.car"), root), RetrievalClient.Payment.FREE_ONLY,
                Duration.ofSeconds(30))).isInstanceOf(NodeException.class).hasMessageContaining("--max-price or --paych");
    }

    @Test
    void aDealLeftWithAPendingVoucherNeitherStopsTheStartNorOutlivesTheRestartWindow() throws Exception {
        // the last run stopped between writing a voucher ahead into a deal record and the voucher
        // store's commit; the daemon builds the provider (start-up recovery) before payments start
        Repo repo = RepoInit.init(tmp.resolve("repo")).repo();
        Wallet wallet = Wallet.open(repo.dir());
        Address payee = wallet.defaultAddress();
        SignedVoucher v = SignedVoucher.of(Address.id(1234), 0, 1, new TokenAmount(BigInteger.TEN)).sign(wallet, payee);
        Cid root = Cid.parse("bafybeiacftqp4vjhb5aelbt76t7vpx64flvtz7ikieeezyckdlss4gpwma");
        try (DealStore ds = DealStore.open(DealStore.directory(repo.dir()))) {
            ds.put(new DealRecord(PeerIdentity.generate().peerId().bytes(), 7, 8, root, null, ProviderFsm.State.ONGOING,
                    BigInteger.TWO, BigInteger.ZERO, BigInteger.ZERO, 0, null, "", 100_000, 0, 100_000, 0, null, payee.bytes(),
                    v.toCbor(), BigInteger.ZERO));
        }
        start(repo, "network=devnet", "retrieval.price_per_byte=2", "retrieval.payment_interval=100000",
                "retrieval.restart_window=300ms");
        RetrievalProvider provider = daemon.service(RetrievalService.class).hooks();
        // retrieval.restart_window reaches the provider: the deal nobody restarts fails after it
        for (int i = 0; i < 2000 && provider.deals().get(0).state() != ProviderFsm.State.ERRORED; i++) {
            Thread.sleep(10);
        }
        DealRecord d = provider.deals().get(0);
        assertThat(d.state()).isEqualTo(ProviderFsm.State.ERRORED);
        assertThat(d.message()).contains("not restarted within");
    }

    @Test
    void badMinerTableIsOneConfigLine() {
        assertThatThrownBy(() -> start("retrieval.miners=f01000 price=x")).isInstanceOf(NodeException.class)
                .hasMessageContaining("retrieval.miners").hasMessageContaining("price");
    }
}
