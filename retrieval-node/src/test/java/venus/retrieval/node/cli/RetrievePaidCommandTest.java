package venus.retrieval.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.blockstore.ImportOptions;
import venus.retrieval.blockstore.ImportProgress;
import venus.retrieval.blockstore.PieceStore;
import venus.retrieval.ipld.testing.Vectors;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.libp2p.host.HostConfig;
import venus.retrieval.libp2p.multiaddr.Multiaddr;
import venus.retrieval.node.retrieval.PieceFinder;
import venus.retrieval.node.retrieval.RetrievalAsk;
import venus.retrieval.node.retrieval.RetrievalAsks;
import venus.retrieval.node.retrieval.provider.DealStore;
import venus.retrieval.node.retrieval.provider.RetrievalProvider;
import venus.retrieval.node.retrieval.query.QueryProtocol;
import venus.retrieval.paych.Address;
import venus.retrieval.paych.PaymentReceiver;
import venus.retrieval.paych.TokenAmount;
import venus.retrieval.paych.VoucherStore;
import venus.retrieval.paych.VoucherValidator;
import venus.retrieval.paych.Wallet;
import venus.retrieval.paych.chain.DevLedger;

/** vrn retrieve --paych pays a provider from the repo's wallet (provider on a dev ledger, in-process). */
class RetrievePaidCommandTest {
    @TempDir Path tmp;

    @Test
    void paysWithVouchersFromTheRepoWallet() throws Exception {
        String repo = tmp.resolve("client").toString();
        assertThat(CliRun.of("init", "--repo", repo).exit()).isZero();
        Wallet wallet = Wallet.open(Path.of(repo));
        Path prov = tmp.resolve("provider");
        Path file = Vectors.file("unixfs/file-1048577-v1-raw-64k-balanced-11.car");
        try (DevLedger ledger = DevLedger.open(tmp.resolve("ledger"), Clock.systemUTC(), Duration.ofSeconds(30), 12);
             PieceStore store = PieceStore.open(prov.resolve("lmdb"), prov.resolve("pieces"), PieceStore.Options.defaults().withCacheBytes(0));
             VoucherStore pv = VoucherStore.open(prov);
             DealStore deals = DealStore.open(DealStore.directory(prov));
             Host ph = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")))) {
            Address payee = Wallet.loadOrCreateDefault(prov).defaultAddress();
            ledger.fund(wallet.defaultAddress(), TokenAmount.ofFil(1));
            Address channel = ledger.createChannel(wallet.defaultAddress(), payee, TokenAmount.ofFil(1));
            var piece = store.importPiece(file, ImportOptions.defaults(), ImportProgress.NONE).piece();
            PieceFinder finder = new PieceFinder(store.directory(),
                    RetrievalAsks.uniform(new RetrievalAsk(BigInteger.TWO, BigInteger.ZERO, 300_000, 0, payee)));
            new QueryProtocol(finder).register(ph);
            RetrievalProvider provider = RetrievalProvider.register(ph, store.blockSource(), finder,
                    a -> new PaymentReceiver(new VoucherValidator(ledger, a, 20), pv), deals, 2);
            String addr = ph.listenAddrs().get(0).withPeerId(ph.peerId()).toString();
            String root = piece.roots().get(0).toString();
            Path out = tmp.resolve("file.bin");
            // a cap below price x piece size is refused before anything is sent
            CliRun capped = CliRun.of("retrieve", root, "--provider", addr, "-o", out.toString(), "--paych", channel.toString(),
                    "--max-price", "1000 attoFIL", "--repo", repo);
            assertThat(capped.exit()).isNotZero();
            assertThat(capped.err()).contains("above --max-price");
            CliRun r = CliRun.of("retrieve", root, "--provider", addr, "-o", out.toString(), "--paych", channel.toString(),
                    "--repo", repo, "--json");
            assertThat(r.exit()).as(r.err()).isZero();
            var json = new ObjectMapper().readTree(r.out());
            long bytes = json.get("bytes").asLong();
            assertThat(json.get("paidAttoFil").asText()).isEqualTo(String.valueOf(2 * bytes));
            assertThat(Files.readAllBytes(out)).isEqualTo(new venus.retrieval.ipld.unixfs.UnixFsReader(store.blockSource()).readAll(piece.roots().get(0)));
            assertThat(pv.receivedTotal(channel).atto()).isEqualTo(2 * bytes);
            provider.close();
        }
    }
}
