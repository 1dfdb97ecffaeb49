package venus.retrieval.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.ipld.testing.Vectors;
import venus.retrieval.node.api.ApiTokens;
import venus.retrieval.node.api.Permission;
import venus.retrieval.node.config.NodeConfig;
import venus.retrieval.node.daemon.Daemon;
import venus.retrieval.node.repo.Repo;
import java.time.Duration;
import venus.retrieval.ipld.Cid;
import venus.retrieval.paych.Address;
import venus.retrieval.gateway.VoucherPaymentGate;
import venus.retrieval.paych.PaychException;
import venus.retrieval.paych.SignedVoucher;
import venus.retrieval.paych.TokenAmount;
import venus.retrieval.paych.Wallet;
import venus.retrieval.paych.chain.LotusChainApi;
import venus.retrieval.paych.chain.Message;

/**
 * A devnet daemon with a paid gateway: it hosts the dev ledger at API/rpc/v1; another repo creates
 * a channel there (`vrn paych dev-create`), fetches a paid file (`vrn fetch`) and sees the channel
 * (`vrn paych dev-status`). Everything goes through the Lotus JSON-RPC code path.
 */
class DevnetPaymentsTest {
    static final String RAW = "bafkreidxsdm6kwpdjqhwp7tx4lgrutbkikiydu7nbujamtlpgwsgvpjtiu";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** Polls a condition the daemon's background redeemer makes true (bounded: 30 s). */
    static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not reached within 30 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** The value of one series in the daemon's Prometheus text, failing when it is absent. */
    static double metric(HttpClient http, String url, String series) throws Exception {
        String text = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).strip());
            }
        }
        throw new AssertionError("no series " + series + " in /metrics");
    }

    @Test
    void channelOnTheNodesLedgerPaysItsGateway() throws Exception {
        Path node = dir.resolve("node");
        String client = dir.resolve("client").toString();
        assertThat(CliRun.of("init", "--repo", node.toString()).exit()).isZero();
        assertThat(CliRun.of("init", "--repo", client).exit()).isZero();
        CliRun add = CliRun.of("piece", "add", Vectors.file("unixfs/file-1000-unixfs-v1-2025.car").toString(), "--cache", "--public", "--repo", node.toString());
        assertThat(add.exit()).as(add.err()).isZero();
        Repo repo = Repo.open(node);
        Daemon daemon = Daemon.start(repo, NodeConfig.load(repo.configFile(), Map.of(), List.of("network=devnet", "gateway.price_per_byte=2",
                "paych.redeem_interval=200ms", "api.listen=127.0.0.1:0", "gateway.listen=127.0.0.1:0", "libp2p.listen=/ip4/127.0.0.1/tcp/0", "daemon.shutdown_grace=1s")));
        try {
            JsonNode dj = JSON.readTree(repo.daemonJson().toFile());
            String chain = ApiTokens.load(repo).token(Permission.WRITE).orElseThrow() + ":" + dj.get("api").asText();
            String payee = Wallet.open(node).defaultAddress().toString();
            CliRun created = CliRun.of("paych", "dev-create", "0.000000000000005", "--to", payee, "--chain", chain, "--repo", client, "--json");
            assertThat(created.exit()).as(created.err()).isZero();
            String channel = JSON.readTree(created.out()).get("channel").asText();
            assertThat(channel).startsWith("f2");

            Path out = dir.resolve("out.bin");
            CliRun fetched = CliRun.of("fetch", dj.get("gateway").asText() + "/ipfs/" + RAW + "?format=raw", "--channel", channel,
                    "-o", out.toString(), "--repo", client);
            assertThat(fetched.exit()).as(fetched.err()).isZero();
            assertThat(Files.size(out)).isEqualTo(1000);
            // the paid fetch's voucher is counted; an unsigned one is refused and counted by reason
            HttpClient http = HttpClient.newHttpClient();
            String metricsUrl = dj.get("api").asText() + "/metrics";
            assertThat(metric(http, metricsUrl, "vrn_vouchers_accepted_total")).isGreaterThanOrEqualTo(1);
            assertThat(metric(http, metricsUrl, "vrn_vouchers_rejected_total{reason=\"UNSIGNED\"}")).isZero();
            SignedVoucher unsigned = SignedVoucher.of(Address.parse(channel), 7, 1, TokenAmount.ofAtto(100));
            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(dj.get("gateway").asText() + "/ipfs/" + RAW + "?format=raw"))
                    .header(VoucherPaymentGate.VOUCHER_HEADER, unsigned.toBase64Url()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(402);
            assertThat(metric(http, metricsUrl, "vrn_vouchers_rejected_total{reason=\"UNSIGNED\"}")).isEqualTo(1);

            CliRun status = CliRun.of("paych", "dev-status", channel, "--chain", chain, "--json");
            assertThat(status.exit()).as(status.err()).isZero();
            JsonNode s = JSON.readTree(status.out());
            assertThat(s.get("balance").asText()).isEqualTo("5000");
            assertThat(s.get("toSend").asText()).isEqualTo("0"); // accepted, not yet redeemed (no one is settling)
            // the payer settles; the node's redeemer submits the voucher before SettlingAt, and
            // collects once the (manually advanced) chain passes it: balances add up to the attoFIL
            LotusChainApi lotus = LotusChainApi.fromApiInfo(chain, Duration.ofSeconds(30));
            Address ch = Address.parse(channel);
            Address payer = Wallet.open(Path.of(client)).defaultAddress();
            Cid settle = lotus.mpoolPushMessage(new Message(ch, payer, TokenAmount.ZERO, Message.METHOD_SETTLE, null));
            assertThat(lotus.stateWaitMsg(settle, 0).exitCode()).isZero();
            awaitTrue(() -> lotus.stateReadState(ch).toSend().equals(TokenAmount.ofAtto(2000)));
            lotus.call("VrnDevAdvance", 12);
            awaitTrue(() -> {
                try {
                    lotus.stateReadState(ch);
                    return false;
                } catch (PaychException e) {
                    return e.reason() == PaychException.Reason.CHANNEL_NOT_FOUND;
                }
            });
            assertThat(lotus.call("WalletBalance", payee).asText()).isEqualTo("2000");
            // the payer was funded exactly the channel amount by the faucet and got back what was not spent
            assertThat(lotus.call("WalletBalance", payer.toString()).asText()).isEqualTo("3000");
            // a read token may read the chain but not use the faucet
            String readOnly = ApiTokens.load(repo).token(Permission.READ).orElseThrow() + ":" + dj.get("api").asText();
            // (the channel is collected now: a read token gets the chain's "not found", not a 403)
            CliRun gone = CliRun.of("paych", "dev-status", channel, "--chain", readOnly);
            assertThat(gone.exit()).isEqualTo(Vrn.EXIT_FAILURE);
            assertThat(gone.err()).contains("not found").doesNotContain("403");
            CliRun denied = CliRun.of("paych", "dev-create", "1", "--to", payee, "--chain", readOnly, "--repo", client);
            assertThat(denied.exit()).isEqualTo(Vrn.EXIT_FAILURE);
            assertThat(denied.err()).contains("HTTP 403");
        } finally {
            daemon.stop();
        }
    }
}
