package venus.retrieval.node.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.gateway.GatewayConfig;
import venus.retrieval.gateway.GatewayServer;
import venus.retrieval.gateway.IpldGatewayBackend;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.car.CarBlock;
import venus.retrieval.ipld.car.CarReader;
import venus.retrieval.ipld.testing.Vectors;
import venus.retrieval.node.NodeException;
import venus.retrieval.node.config.NodeConfig;
import venus.retrieval.paych.Address;
import venus.retrieval.paych.SignedVoucher;
import venus.retrieval.paych.TokenAmount;
import venus.retrieval.paych.Wallet;
import venus.retrieval.paych.chain.DevLedger;

class PaymentServiceTest {
    static final String RAW = "bafkreidxsdm6kwpdjqhwp7tx4lgrutbkikiydu7nbujamtlpgwsgvpjtiu";
    @TempDir
    Path repo;

    static NodeConfig config(String... sets) {
        return NodeConfig.load(null, Map.of(), List.of(sets));
    }

    @Test
    void devnetPaidGatewayUsesTheEmbeddedLedger() throws Exception {
        Address payee = Wallet.loadOrCreateDefault(repo).defaultAddress();
        PaymentService payments = new PaymentService(repo, config("network=devnet", "gateway.price_per_byte=3", "devnet.settle_delay=5"));
        payments.start();
        Map<Cid, byte[]> blocks = new HashMap<>();
        try (CarReader r = CarReader.open(Vectors.file("unixfs/file-1000-unixfs-v1-2025.car"))) {
            for (CarBlock b : r) {
                blocks.put(b.cid(), b.data());
            }
        }
        GatewayServer server = GatewayServer.forBackend(GatewayConfig.defaults().withListen("127.0.0.1", 0),
                new IpldGatewayBackend(blocks::get), payments.gate()).start();
        try {
            URI uri = URI.create("http://127.0.0.1:" + server.port() + "/ipfs/" + RAW + "?format=raw");
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<byte[]> quote = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(quote.statusCode()).isEqualTo(402);
            JsonNode q = new ObjectMapper().readTree(quote.body());
            assertThat(q.get("amount").asText()).isEqualTo("3000");
            assertThat(q.get("payee").asText()).isEqualTo(payee.toString());
            // a client pays on the node's own dev ledger
            DevLedger ledger = payments.devLedger();
            assertThat(ledger.settleDelay()).isEqualTo(5);
            Wallet client = Wallet.loadOrCreateDefault(repo.resolve("client"));
            ledger.fund(client.defaultAddress(), TokenAmount.ofFil(1));
            Address ch = ledger.createChannel(client.defaultAddress(), payee, TokenAmount.ofAtto(10_000));
            String v = SignedVoucher.of(ch, 0, 1, TokenAmount.ofAtto(3000)).sign(client, client.defaultAddress()).toBase64Url();
            HttpResponse<byte[]> paid = http.send(HttpRequest.newBuilder(uri).header("X-Vrn-Voucher", v).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(paid.statusCode()).isEqualTo(200);
            assertThat(paid.body()).isEqualTo(blocks.get(Cid.parse(RAW)));
        } finally {
            server.close();
            payments.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void freeByDefaultAndClearErrorsOtherwise() {
        PaymentService free = new PaymentService(repo, config());
        assertThat(free.start()).isEmpty();
        assertThat(free.devLedger()).isNull();
        free.stop(Duration.ZERO);
        Wallet.loadOrCreateDefault(repo);
        assertThatThrownBy(() -> new PaymentService(repo, config("gateway.price_per_byte=1")).start())
                .isInstanceOf(NodeException.class).hasMessageContaining("chain.api");
        assertThatThrownBy(() -> new PaymentService(repo, config("network=devnet", "gateway.price_per_byte=1", "gateway.free=notacid")).start())
                .isInstanceOf(NodeException.class).hasMessageContaining("gateway.free");
    }
}
