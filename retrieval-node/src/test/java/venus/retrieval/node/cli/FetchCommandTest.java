package venus.retrieval.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.gateway.GatewayConfig;
import venus.retrieval.gateway.GatewayServer;
import venus.retrieval.gateway.IpldGatewayBackend;
import venus.retrieval.gateway.VoucherPaymentGate;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.car.CarBlock;
import venus.retrieval.ipld.car.CarReader;
import venus.retrieval.ipld.testing.Vectors;
import venus.retrieval.paych.Address;
import venus.retrieval.paych.PaymentReceiver;
import venus.retrieval.paych.TokenAmount;
import venus.retrieval.paych.VoucherStore;
import venus.retrieval.paych.VoucherValidator;
import venus.retrieval.paych.Wallet;
import venus.retrieval.paych.chain.DevLedger;

/** {@code vrn fetch} against a paid gateway on the dev ledger: it pays the 402 by itself, and the balances add up. */
class FetchCommandTest {
    static final String RAW = "bafkreidxsdm6kwpdjqhwp7tx4lgrutbkikiydu7nbujamtlpgwsgvpjtiu";

    @TempDir
    Path dir;
    DevLedger ledger;
    VoucherStore providerStore;
    GatewayServer server;
    String repo;
    Address channel;
    Address payee;
    byte[] content;

    @BeforeEach
    void setUp() {
        repo = dir.resolve("client").toString();
        assertThat(CliRun.of("init", "--repo", repo).exit()).isZero();
        Address payer = Wallet.open(Path.of(repo)).defaultAddress();
        payee = Wallet.loadOrCreateDefault(dir.resolve("provider")).defaultAddress();
        ledger = DevLedger.open(dir.resolve("ledger"), Clock.systemUTC(), null, 12);
        ledger.fund(payer, TokenAmount.ofFil(1));
        channel = ledger.createChannel(payer, payee, TokenAmount.ofAtto(5_000));
        Map<Cid, byte[]> blocks = new HashMap<>();
        try (CarReader r = CarReader.open(Vectors.file("unixfs/file-1000-unixfs-v1-2025.car"))) {
            for (CarBlock b : r) {
                blocks.put(b.cid(), b.data());
            }
        }
        content = blocks.get(Cid.parse(RAW));
        providerStore = VoucherStore.open(dir.resolve("provider"));
        VoucherPaymentGate gate = new VoucherPaymentGate(new PaymentReceiver(new VoucherValidator(ledger, payee, 3), providerStore),
                TokenAmount.ofAtto(2), Set.of());
        server = GatewayServer.forBackend(GatewayConfig.defaults().withListen("127.0.0.1", 0), new IpldGatewayBackend(blocks::get), gate).start();
    }

    @AfterEach
    void tearDown() {
        server.close();
        providerStore.close();
        ledger.close();
    }

    @Test
    void fetchPaysQuotesAutomatically() throws Exception {
        String url = "http://127.0.0.1:" + server.port() + "/ipfs/" + RAW + "?format=raw";
        Path out = dir.resolve("out.bin");
        CliRun r = CliRun.of("fetch", url, "--channel", channel.toString(), "-o", out.toString(), "--repo", repo);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Files.readAllBytes(out)).isEqualTo(content);
        assertThat(r.err()).contains("paid 0.000000000000002 FIL (2000 attoFIL)");
        // again: the next voucher on the lane (nonce 2, cumulative 4000)
        assertThat(CliRun.of("fetch", url, "--channel", channel.toString(), "-o", out.toString(), "--repo", repo).exit()).isZero();
        assertThat(providerStore.receivedTotal(channel)).isEqualTo(TokenAmount.ofAtto(4000));
        assertThat(providerStore.bestReceived(channel).get(0L).nonce()).isEqualTo(2);
        // the channel holds 5000: a third full fetch would overdraw it and is refused in one line
        CliRun over = CliRun.of("fetch", url, "--channel", channel.toString(), "-o", out.toString(), "--repo", repo);
        assertThat(over.exit()).isEqualTo(Vrn.EXIT_FAILURE);
        assertThat(over.err().lines()).hasSize(1);
        assertThat(over.err()).contains("INSUFFICIENT_FUNDS");
    }

    @Test
    void aCarTooLargeToPriceWithoutCreditCostsADepositThenTheExactRest() throws Exception {
        // A free pricing budget of 100 bytes: the ~1.1 kB CAR is priced only once the client holds credit.
        VoucherPaymentGate gate = new VoucherPaymentGate(new PaymentReceiver(new VoucherValidator(ledger, payee, 3), providerStore),
                TokenAmount.ofAtto(2), Set.of(), false,
                new VoucherPaymentGate.QuoteLimits(100, java.time.Duration.ofMinutes(1), 1 << 20, java.time.Duration.ofMinutes(1), 10));
        Map<Cid, byte[]> blocks = Map.of(Cid.parse(RAW), content);
        GatewayServer small = GatewayServer.forBackend(GatewayConfig.defaults().withListen("127.0.0.1", 0),
                new IpldGatewayBackend(blocks::get), gate).start();
        try {
            String url = "http://127.0.0.1:" + small.port() + "/ipfs/" + RAW + "?format=car";
            Path out = dir.resolve("out.car");
            CliRun r = CliRun.of("fetch", url, "--channel", channel.toString(), "-o", out.toString(), "--repo", repo);
            assertThat(r.exit()).as(r.err()).isZero();
            long carBytes = Files.size(out);
            try (CarReader car = CarReader.open(out)) {
                assertThat(car.next().data()).isEqualTo(content);
            }
            // Paid: the 200 attoFIL deposit, then exactly the rest of 2 attoFIL per CAR byte.
            assertThat(providerStore.receivedTotal(channel)).isEqualTo(TokenAmount.ofAtto(2 * carBytes));
            assertThat(providerStore.bestReceived(channel).get(0L).nonce()).isEqualTo(2);
            assertThat(gate.quoteWalks()).isEqualTo(2); // one bounded walk without credit, one exact walk with it
        } finally {
            small.close();
        }
    }

    @Test
    void withoutAChannelOrOverTheLimitItRefuses() {
        String url = "http://127.0.0.1:" + server.port() + "/ipfs/" + RAW + "?format=raw";
        CliRun none = CliRun.of("fetch", url, "--repo", repo, "-o", dir.resolve("x").toString());
        assertThat(none.exit()).isEqualTo(Vrn.EXIT_FAILURE);
        assertThat(none.err()).contains("pass --channel");
        CliRun capped = CliRun.of("fetch", url, "--channel", channel.toString(), "--max", "1000 attoFIL", "--repo", repo, "-o", dir.resolve("x").toString());
        assertThat(capped.exit()).isEqualTo(Vrn.EXIT_FAILURE);
        assertThat(capped.err()).contains("exceed --max");
        assertThat(providerStore.receivedTotal(channel)).isEqualTo(TokenAmount.ZERO);
    }
}
