package venus.retrieval.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.ipld.Cid;
import venus.retrieval.paych.Address;
import venus.retrieval.paych.PaymentReceiver;
import venus.retrieval.paych.SignedVoucher;
import venus.retrieval.paych.TokenAmount;
import venus.retrieval.paych.VoucherStore;
import venus.retrieval.paych.VoucherValidator;
import venus.retrieval.paych.Wallet;
import venus.retrieval.paych.chain.DevLedger;

/**
 * The voucher-backed gate in a real gateway over the dev ledger. Every attack must leave zero
 * unpaid bytes: a 2xx body is only ever sent against credit from an accepted voucher.
 */
class PaidGatewayTest {
    /** 1000 raw bytes (file-1000-unixfs-v1-2025 is one raw block). */
    static final String RAW = "bafkreidxsdm6kwpdjqhwp7tx4lgrutbkikiydu7nbujamtlpgwsgvpjtiu";
    /** A 1000-byte dag-pb file on the free list. */
    static final String FREE = "QmTRHUVd5DtyLeNGdZKisSywGj5pf2vjKgWR7KjqSS8FdG";
    static final long PRICE = 2; // attoFIL per byte
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    DevLedger ledger;
    Wallet client;
    Address payer;
    Address payee;
    Address channel;
    VoucherStore vouchers;
    VoucherPaymentGate gate;
    PaymentReceiver receiver;
    VectorStore blocks;
    GatewayServer server;
    final Map<Long, long[]> lanes = new HashMap<>(); // lane -> [nonce, cumulative amount]
    byte[] content;

    @BeforeEach
    void setUp() {
        ledger = DevLedger.open(dir.resolve("ledger"), Clock.systemUTC(), null, 12);
        client = Wallet.loadOrCreateDefault(dir.resolve("client"));
        Wallet provider = Wallet.loadOrCreateDefault(dir.resolve("provider"));
        payer = client.defaultAddress();
        payee = provider.defaultAddress();
        ledger.fund(payer, TokenAmount.ofFil(1));
        channel = ledger.createChannel(payer, payee, TokenAmount.ofAtto(1_000_000));
        vouchers = VoucherStore.open(dir.resolve("provider"));
        receiver = new PaymentReceiver(new VoucherValidator(ledger, payee, 3), vouchers);
        gate = new VoucherPaymentGate(receiver, TokenAmount.ofAtto(PRICE), Set.of(Cid.parse(FREE)));
        blocks = VectorStore.of("unixfs/file-1000-unixfs-v1-2025.car", "unixfs/file-1000-unixfs-v0-2015.car");
        content = blocks.blocks.get(Cid.parse(RAW));
        server = GatewayServer.forBackend(GatewayConfig.defaults().withListen("127.0.0.1", 0),
                new IpldGatewayBackend(blocks::get), gate).start();
    }

    @AfterEach
    void tearDown() {
        server.close();
        vouchers.close();
        ledger.close();
    }

    /** A voucher adding {@code add} attoFIL on {@code lane} (cumulative amount, next nonce). */
    String pay(long lane, long add) {
        long[] s = lanes.computeIfAbsent(lane, l -> new long[2]);
        s[0]++;
        s[1] += add;
        return SignedVoucher.of(channel, lane, s[0], TokenAmount.ofAtto(s[1])).sign(client, payer).toBase64Url();
    }

    RawHttp.Response get(String path, String... headers) throws Exception {
        try (RawHttp c = new RawHttp(server.port())) {
            return c.get(path, headers);
        }
    }

    static JsonNode quote(RawHttp.Response r) throws Exception {
        assertThat(r.status()).as(r.text()).isEqualTo(402);
        return JSON.readTree(r.body());
    }

    static String errorReason(RawHttp.Response r) throws Exception {
        return quote(r).path("error").path("reason").asText();
    }

    @Test
    void unpaidRequestGetsAQuoteForExactlyItsBytes() throws Exception {
        JsonNode q = quote(get("/ipfs/" + RAW + "?format=raw"));
        assertThat(q.get("bytes").asLong()).isEqualTo(1000);
        assertThat(q.get("amount").asText()).isEqualTo("2000");
        assertThat(q.get("pricePerByte").asText()).isEqualTo("2");
        assertThat(q.get("payee").asText()).isEqualTo(payee.toString());
        assertThat(q.get("voucherHeader").asText()).isEqualTo("X-Vrn-Voucher");
        // a range is priced at its own bytes
        assertThat(quote(get("/ipfs/" + RAW + "?format=raw", "Range: bytes=0-99")).get("amount").asText()).isEqualTo("200");
        // free content and HEAD need no payment
        assertThat(get("/ipfs/" + FREE).status()).isEqualTo(200);
        try (RawHttp c = new RawHttp(server.port())) {
            assertThat(c.request("HEAD", "/ipfs/" + RAW + "?format=raw").status()).isEqualTo(200);
        }
    }

    @Test
    void aCarIsMeasuredOncePerShapeAndDeliversExactlyItsQuote() throws Exception {
        JsonNode q = quote(get("/ipfs/" + RAW + "?format=car"));
        long bytes = q.get("bytes").asLong();
        assertThat(bytes).isGreaterThan(1000);
        assertThat(quote(get("/ipfs/" + RAW + "?format=car&filename=a.car")).get("bytes").asLong()).isEqualTo(bytes);
        assertThat(gate.quoteWalks()).isEqualTo(1);
        RawHttp.Response r = get("/ipfs/" + RAW + "?format=car", "X-Vrn-Voucher: " + pay(0, PRICE * bytes));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat((long) r.body().length).isEqualTo(bytes);
        assertThat(r.header("X-Vrn-Paid")).isEqualTo(String.valueOf(PRICE * bytes));
        assertThat(gate.quoteWalks()).isEqualTo(1);
    }

    @Test
    void voucherPaysThenCreditIsSpentWithTheBearerToken() throws Exception {
        RawHttp.Response r = get("/ipfs/" + RAW + "?format=raw", "X-Vrn-Voucher: " + pay(0, 5000));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(content);
        assertThat(r.header("X-Vrn-Paid")).isEqualTo("2000");
        assertThat(r.header("X-Vrn-Credit-Remaining")).isEqualTo("3000");
        String token = r.header("X-Vrn-Credit-Token");
        RawHttp.Response range = get("/ipfs/" + RAW + "?format=raw", "Authorization: Bearer " + token, "Range: bytes=10-109");
        assertThat(range.status()).isEqualTo(206);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(content, 10, 110));
        assertThat(range.header("X-Vrn-Paid")).isEqualTo("200");
        assertThat(get("/ipfs/" + RAW + "?format=raw", "Authorization: Bearer " + token).status()).isEqualTo(200);
        // 800 left: not enough for 2000; a top-up voucher with the token adds to the same credit
        assertThat(errorReason(get("/ipfs/" + RAW + "?format=raw", "Authorization: Bearer " + token))).isEqualTo("INSUFFICIENT_CREDIT");
        RawHttp.Response topped = get("/ipfs/" + RAW + "?format=raw", "Authorization: Bearer " + token, "X-Vrn-Voucher: " + pay(0, 1200));
        assertThat(topped.status()).as(topped.text()).isEqualTo(200);
        assertThat(topped.header("X-Vrn-Credit-Remaining")).isEqualTo("0");
        // every voucher is durably in the store
        assertThat(vouchers.receivedTotal(channel)).isEqualTo(TokenAmount.ofAtto(6200));
    }

    @Test
    void persistedCreditsSurviveARestartOfTheGate() throws Exception {
        server.close();
        VoucherPaymentGate first = new VoucherPaymentGate(receiver, TokenAmount.ofAtto(PRICE), Set.of(), true);
        server = GatewayServer.forBackend(GatewayConfig.defaults().withListen("127.0.0.1", 0), new IpldGatewayBackend(blocks::get), first).start();
        String path = "/ipfs/" + RAW + "?format=raw";
        RawHttp.Response paid = get(path, "X-Vrn-Voucher: " + pay(0, 7000));
        assertThat(paid.status()).isEqualTo(200);
        String token = paid.header("X-Vrn-Credit-Token");
        assertThat(get(path, "Authorization: Bearer " + token).status()).isEqualTo(200);
        server.close();
        first.close(); // saves the debits
        // "restart": a new gate over the same store knows the token and its balance
        VoucherPaymentGate second = new VoucherPaymentGate(receiver, TokenAmount.ofAtto(PRICE), Set.of(), true);
        server = GatewayServer.forBackend(GatewayConfig.defaults().withListen("127.0.0.1", 0), new IpldGatewayBackend(blocks::get), second).start();
        assertThat(second.creditRemaining(token)).isEqualTo(TokenAmount.ofAtto(3000));
        RawHttp.Response again = get(path, "Authorization: Bearer " + token);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.header("X-Vrn-Credit-Remaining")).isEqualTo("1000");
        assertThat(errorReason(get(path, "Authorization: Bearer " + token))).isEqualTo("INSUFFICIENT_CREDIT");
        second.close();
        assertThat(vouchers.credits()).containsEntry(token, TokenAmount.ofAtto(1000));
    }

    @Test
    void attacksYieldNoUnpaidBytes() throws Exception {
        String path = "/ipfs/" + RAW + "?format=raw";
        String v1 = pay(0, 2000);
        assertThat(get(path, "X-Vrn-Voucher: " + v1).status()).isEqualTo(200);
        // replay of an accepted voucher
        assertThat(errorReason(get(path, "X-Vrn-Voucher: " + v1))).isEqualTo("NO_NEW_FUNDS");
        // nonce regression: same nonce, higher amount
        String regress = SignedVoucher.of(channel, 0, 1, TokenAmount.ofAtto(9000)).sign(client, payer).toBase64Url();
        assertThat(errorReason(get(path, "X-Vrn-Voucher: " + regress))).isEqualTo("NONCE_TOO_LOW");
        // forged: signed by a key that is not the channel's payer
        Wallet mallory = Wallet.loadOrCreateDefault(dir.resolve("mallory"));
        String forged = SignedVoucher.of(channel, 0, 7, TokenAmount.ofAtto(90_000)).sign(mallory, mallory.defaultAddress()).toBase64Url();
        assertThat(errorReason(get(path, "X-Vrn-Voucher: " + forged))).isEqualTo("WRONG_SIGNER");
        // a tampered amount under a real signature
        SignedVoucher real = SignedVoucher.fromBase64(pay(5, 2000));
        String tampered = SignedVoucher.of(channel, 5, real.nonce(), TokenAmount.ofAtto(900_000)).withSignature(real.signature()).toBase64Url();
        assertThat(errorReason(get(path, "X-Vrn-Voucher: " + tampered))).isEqualTo("WRONG_SIGNER");
        // a channel that pays someone else
        ledger.fund(mallory.defaultAddress(), TokenAmount.ofFil(1));
        Address otherPayee = ledger.createChannel(payer, mallory.defaultAddress(), TokenAmount.ofAtto(1_000_000));
        String elsewhere = SignedVoucher.of(otherPayee, 0, 1, TokenAmount.ofAtto(5000)).sign(client, payer).toBase64Url();
        assertThat(errorReason(get(path, "X-Vrn-Voucher: " + elsewhere))).isEqualTo("NOT_OUR_CHANNEL");
        // a channel that does not exist
        String nowhere = SignedVoucher.of(Address.id(99_999), 0, 1, TokenAmount.ofAtto(5000)).sign(client, payer).toBase64Url();
        assertThat(errorReason(get(path, "X-Vrn-Voucher: " + nowhere))).isEqualTo("CHANNEL_NOT_FOUND");
        // overdraft: more than the channel holds
        String overdraft = SignedVoucher.of(channel, 1, 1, TokenAmount.ofAtto(1_000_001)).sign(client, payer).toBase64Url();
        assertThat(errorReason(get(path, "X-Vrn-Voucher: " + overdraft))).isEqualTo("INSUFFICIENT_FUNDS");
        // garbage and unknown tokens
        assertThat(errorReason(get(path, "X-Vrn-Voucher: AAAA"))).isEqualTo("BAD_VOUCHER");
        assertThat(errorReason(get(path, "Authorization: Bearer nope"))).isEqualTo("UNKNOWN_CREDIT");
        // only the one good voucher was ever credited, and it paid for one response
        assertThat(vouchers.receivedTotal(channel)).isEqualTo(TokenAmount.ofAtto(2000));
    }

    @Test
    void hundredConcurrentRequestsRaceOneCredit() throws Exception {
        String path = "/ipfs/" + RAW + "?format=raw";
        // prepay 30 responses' worth with a one-byte request's voucher
        RawHttp.Response first = get(path, "X-Vrn-Voucher: " + pay(0, 30 * 2000 + 2000), "Range: bytes=0-999");
        assertThat(first.status()).isIn(200, 206);
        String token = first.header("X-Vrn-Credit-Token");
        assertThat(first.header("X-Vrn-Credit-Remaining")).isEqualTo("60000");
        int n = 100;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<RawHttp.Response>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                results.add(pool.submit(() -> {
                    go.await();
                    return get(path, "Authorization: Bearer " + token);
                }));
            }
            go.countDown();
            long servedBytes = 0;
            int ok = 0;
            for (Future<RawHttp.Response> f : results) {
                RawHttp.Response r = f.get();
                if (r.status() == 200) {
                    ok++;
                    servedBytes += r.body().length;
                    assertThat(r.body()).isEqualTo(content);
                } else {
                    assertThat(r.status()).isIn(402, 503);
                }
            }
            long paidBytes = 60_000 / PRICE;
            assertThat(servedBytes).isLessThanOrEqualTo(paidBytes);
            assertThat(ok).isLessThanOrEqualTo(30).isPositive();
            assertThat(gate.creditRemaining(token)).isEqualTo(TokenAmount.ofAtto(60_000 - ok * 2000L));
        } finally {
            pool.shutdownNow();
        }
    }
}
