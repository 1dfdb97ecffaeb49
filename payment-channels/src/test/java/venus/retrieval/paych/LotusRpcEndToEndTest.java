package venus.retrieval.paych;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.paych.chain.DevLedger;
import venus.retrieval.paych.chain.LotusChainApi;
import venus.retrieval.paych.chain.LotusRpcHandler;
import venus.retrieval.paych.chain.Message;

/**
 * The dev ledger served as the Lotus JSON-RPC subset, used through {@link LotusChainApi}: the whole
 * payment flow runs on the Lotus code path (HTTP, JSON shapes, lane-state AMT over ChainReadObj).
 */
class LotusRpcEndToEndTest {
    @TempDir
    Path dir;
    DevLedger ledger;
    HttpServer http;
    LotusChainApi lotus;

    @BeforeEach
    void setUp() throws Exception {
        ledger = DevLedger.open(dir.resolve("ledger"), Clock.systemUTC(), null, 12);
        LotusRpcHandler handler = new LotusRpcHandler(ledger);
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/rpc/v1", ex -> {
            try (ex) {
                if (!"Bearer t0k".equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                    ex.sendResponseHeaders(401, -1);
                    return;
                }
                byte[] out = handler.handle(ex.getRequestBody().readAllBytes());
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(200, out.length);
                ex.getResponseBody().write(out);
            }
        });
        http.start();
        lotus = new LotusChainApi(URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/rpc/v1"), "t0k", Duration.ofSeconds(20));
    }

    @AfterEach
    void tearDown() {
        http.stop(0);
        ledger.close();
    }

    @Test
    void paymentFlowOverLotusJsonRpc() {
        Wallet client = Wallet.loadOrCreateDefault(dir.resolve("client"));
        Wallet provider = Wallet.loadOrCreateDefault(dir.resolve("provider"));
        Address payer = client.defaultAddress();
        Address payee = provider.defaultAddress();
        ledger.fund(payer, TokenAmount.ofFil(5));
        Address ch = ledger.createChannel(payer, payee, TokenAmount.ofFil(1));
        try (VoucherStore store = VoucherStore.open(dir.resolve("provider"))) {
            PaymentReceiver receiver = new PaymentReceiver(new VoucherValidator(lotus, payee, 3), store);
            assertThat(receiver.accept(ch, SignedVoucher.of(ch, 0, 1, TokenAmount.parse("0.2")).sign(client, payer), TokenAmount.ZERO).credit())
                    .isEqualTo(TokenAmount.parse("0.2"));
            assertThat(receiver.accept(ch, SignedVoucher.of(ch, 3, 1, TokenAmount.parse("0.3")).sign(client, payer), TokenAmount.ZERO).credit())
                    .isEqualTo(TokenAmount.parse("0.3"));
            assertThatThrownBy(() -> receiver.accept(ch, SignedVoucher.of(ch, 4, 1, TokenAmount.parse("0.6")).sign(client, payer), TokenAmount.ZERO))
                    .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.INSUFFICIENT_FUNDS);
            Redeemer redeemer = new Redeemer(lotus, store, payee, 0);
            assertThat(redeemer.redeem(ch)).hasSize(2);
            // on chain now: lane states come back through ChainReadObj
            assertThat(lotus.laneStates(lotus.stateReadState(ch))).containsKeys(0L, 3L);
            // a voucher below what is on chain is refused by the validator
            assertThatThrownBy(() -> receiver.accept(ch, SignedVoucher.of(ch, 0, 2, TokenAmount.parse("0.1")).sign(client, payer), TokenAmount.ZERO))
                    .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.AMOUNT_TOO_LOW);
            redeemer.settle(ch);
            assertThatThrownBy(() -> redeemer.collect(ch)).hasMessageContaining("exit code 18");
            ledger.advance(12);
            redeemer.collect(ch);
            assertThatThrownBy(() -> lotus.stateReadState(ch))
                    .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.CHANNEL_NOT_FOUND);
            assertThat(ledger.balance(payee)).isEqualTo(TokenAmount.parse("0.5"));
            assertThat(ledger.balance(payer)).isEqualTo(TokenAmount.parse("4.5"));
        }
        assertThat(lotus.stateAccountKey(lotus.stateLookupId(payer))).isEqualTo(payer);
        assertThat(lotus.chainHead()).isEqualTo(12);
    }

    @Test
    void malformedRequestsGetJsonRpcErrors() {
        LotusRpcHandler handler = new LotusRpcHandler(ledger);
        assertThat(new String(handler.handle("{nope".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8)).contains("\"code\":-32700");
        assertThat(new String(handler.handle("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"Filecoin.Nope\",\"params\":[]}".getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8)).contains("\"code\":-32601").contains("\"id\":3");
        assertThat(new String(handler.handle("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"Filecoin.StateLookupID\",\"params\":[\"bogus\"]}"
                .getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8)).contains("\"code\":1");
        Message m = new Message(Address.id(5), Address.id(6), TokenAmount.ZERO, Message.METHOD_SETTLE, null);
        assertThat(lotus.stateWaitMsg(lotus.mpoolPushMessage(m), 0).exitCode()).isEqualTo(DevLedger.EXIT_NOT_FOUND);
    }
}
