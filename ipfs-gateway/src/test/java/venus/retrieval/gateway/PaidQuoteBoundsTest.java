package venus.retrieval.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.paych.Address;
import venus.retrieval.paych.PaymentReceiver;
import venus.retrieval.paych.SignedVoucher;
import venus.retrieval.paych.TokenAmount;
import venus.retrieval.paych.VoucherStore;
import venus.retrieval.paych.VoucherValidator;
import venus.retrieval.paych.Wallet;
import venus.retrieval.paych.chain.DevLedger;

/**
 * Pricing a response of unknown length (a CAR) is bounded work: an unpaid client cannot make the
 * node walk a DAG more than once per request shape, nor past the free budget; a client with
 * credit is walked within the paid budget; paying a deposit and then the exact rest works.
 */
class PaidQuoteBoundsTest {
    static final long PRICE = 2;
    static final long FREE_BYTES = 1 << 20;
    static final long PAID_BYTES = 8 << 20;
    static final int CHUNK = 64 * 1024;
    static final ObjectMapper JSON = new ObjectMapper();
    static final Cid ROOT = Cid.of(Multicodec.DAG_PB, "root".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dir;
    DevLedger ledger;
    Wallet client;
    Address payer;
    Address channel;
    VoucherStore vouchers;
    VoucherPaymentGate gate;
    final Map<Long, long[]> lanes = new HashMap<>();

    @BeforeEach
    void setUp() {
        ledger = DevLedger.open(dir.resolve("ledger"), Clock.systemUTC(), null, 12);
        client = Wallet.loadOrCreateDefault(dir.resolve("client"));
        Address payee = Wallet.loadOrCreateDefault(dir.resolve("provider")).defaultAddress();
        payer = client.defaultAddress();
        ledger.fund(payer, TokenAmount.ofFil(1));
        channel = ledger.createChannel(payer, payee, TokenAmount.ofAtto(1_000_000_000L));
        vouchers = VoucherStore.open(dir.resolve("provider"));
        PaymentReceiver receiver = new PaymentReceiver(new VoucherValidator(ledger, payee, 3), vouchers);
        gate = new VoucherPaymentGate(receiver, TokenAmount.ofAtto(PRICE), Set.of(), false,
                new VoucherPaymentGate.QuoteLimits(FREE_BYTES, Duration.ofMinutes(5), PAID_BYTES, Duration.ofMinutes(5), 100));
    }

    @AfterEach
    void tearDown() {
        gate.close();
        vouchers.close();
        ledger.close();
    }

    /** A body of unknown length, like a CAR: every write is counted (the work a walk does). */
    static class Dag implements ResponseBody {
        final long size;
        final AtomicInteger walks = new AtomicInteger();
        final AtomicLong produced = new AtomicLong();

        Dag(long size) {
            this.size = size;
        }

        @Override
        public long length() {
            return -1;
        }

        @Override
        public void writeTo(BodySink sink) throws IOException {
            walks.incrementAndGet();
            byte[] chunk = new byte[CHUNK];
            for (long left = size; left > 0; left -= CHUNK) {
                int n = (int) Math.min(CHUNK, left);
                produced.addAndGet(n);
                sink.write(chunk, 0, n);
            }
        }
    }

    String pay(long add) {
        long[] s = lanes.computeIfAbsent(0L, l -> new long[2]);
        s[0]++;
        s[1] += add;
        return SignedVoucher.of(channel, 0, s[0], TokenAmount.ofAtto(s[1])).sign(client, payer).toBase64Url();
    }

    PaymentDecision decide(Dag body, String uri, String... headers) {
        HttpHeaders h = new DefaultHttpHeaders();
        for (int i = 0; i < headers.length; i += 2) {
            h.add(headers[i], headers[i + 1]);
        }
        GatewayRequest r = GatewayRequest.of("GET", uri, h, new InetSocketAddress("127.0.0.1", 1), "http/1.1");
        return gate.decide(new PaymentRequest(r, ROOT, "car", body)).toCompletableFuture().join();
    }

    static JsonNode quote(PaymentDecision d) throws Exception {
        assertThat(d).isInstanceOf(PaymentDecision.Refuse.class);
        PaymentDecision.Refuse r = (PaymentDecision.Refuse) d;
        assertThat(r.status()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(402);
        return JSON.readTree(r.body());
    }

    @Test
    void aRepeatedUnpaidRequestDoesNotWalkAgain() throws Exception {
        Dag dag = new Dag(300_000);
        String uri = "/ipfs/" + ROOT + "?format=car";
        JsonNode q = quote(decide(dag, uri));
        assertThat(q.get("bytes").asLong()).isEqualTo(300_000);
        assertThat(q.get("amount").asText()).isEqualTo("600000");
        for (int i = 0; i < 5; i++) {
            assertThat(quote(decide(dag, uri)).get("bytes").asLong()).isEqualTo(300_000);
        }
        // Parameters that change no body byte do not defeat the cache.
        quote(decide(dag, uri + "&filename=x" + 7 + ".car&junk=1"));
        assertThat(dag.walks).hasValue(1);
        assertThat(gate.quoteWalks()).isEqualTo(1);
        // Another shape of the same content is another response: measured once more.
        quote(decide(dag, uri + "&dag-scope=entity"));
        quote(decide(dag, uri + "&dag-scope=entity"));
        assertThat(dag.walks).hasValue(2);
    }

    @Test
    void aHugeDagCostsAnUnpaidClientOneBoundedWalkAndADepositQuote() throws Exception {
        Dag huge = new Dag(1L << 40); // 1 TiB: an unbounded walk would never finish
        String uri = "/ipfs/" + ROOT + "?format=car";
        for (int i = 0; i < 3; i++) {
            JsonNode q = quote(decide(huge, uri));
            assertThat(q.get("bytes").isNull()).isTrue();
            assertThat(q.get("price").isNull()).isTrue();
            assertThat(q.get("amount").asText()).isEqualTo(String.valueOf(PRICE * FREE_BYTES));
            assertThat(q.path("error").path("reason").asText()).isEqualTo("PRICE_NEEDS_CREDIT");
        }
        assertThat(huge.walks).hasValue(1);
        assertThat(huge.produced.get()).isLessThanOrEqualTo(FREE_BYTES + CHUNK);
    }

    @Test
    void aClientWithCreditIsWalkedWithinThePaidBudgetAndThen503() throws Exception {
        Dag huge = new Dag(1L << 40);
        String uri = "/ipfs/" + ROOT + "?format=car";
        PaymentDecision d = decide(huge, uri, VoucherPaymentGate.VOUCHER_HEADER, pay(PRICE * FREE_BYTES));
        assertThat(d).isInstanceOf(PaymentDecision.Refuse.class);
        assertThat(((PaymentDecision.Refuse) d).status()).isEqualTo(503);
        assertThat(new String(((PaymentDecision.Refuse) d).body(), StandardCharsets.UTF_8)).contains("cannot be priced");
        assertThat(huge.produced.get()).isLessThanOrEqualTo(PAID_BYTES + FREE_BYTES + 2L * CHUNK);
    }

    @Test
    void aDepositThenTheExactRestPaysForALargeCar() throws Exception {
        long size = 4L << 20; // over the free budget, within the paid one
        Dag dag = new Dag(size);
        String uri = "/ipfs/" + ROOT + "?format=car";
        JsonNode q = quote(decide(dag, uri));
        assertThat(q.get("bytes").isNull()).isTrue();
        long deposit = q.get("amount").asLong();
        // The deposit is credited; now the response is measured exactly and the rest is asked for.
        JsonNode q2 = quote(decide(dag, uri, VoucherPaymentGate.VOUCHER_HEADER, pay(deposit)));
        assertThat(q2.path("error").path("reason").asText()).isEqualTo("INSUFFICIENT_CREDIT");
        assertThat(q2.get("bytes").asLong()).isEqualTo(size);
        assertThat(q2.get("price").asLong()).isEqualTo(PRICE * size);
        assertThat(q2.get("amount").asLong()).isEqualTo(PRICE * size - deposit);
        String token = q2.get("creditToken").asText();
        PaymentDecision ok = decide(dag, uri, VoucherPaymentGate.VOUCHER_HEADER, pay(q2.get("amount").asLong()),
                "Authorization", "Bearer " + token);
        assertThat(ok).isInstanceOf(PaymentDecision.Allow.class);
        assertThat(((PaymentDecision.Allow) ok).headers()).containsEntry(VoucherPaymentGate.PAID_HEADER, String.valueOf(PRICE * size))
                .containsEntry(VoucherPaymentGate.CREDIT_REMAINING_HEADER, "0");
        // One bounded walk without credit, one exact walk with it; the paid retry used the cached size.
        assertThat(dag.walks).hasValue(2);
    }

    @Test
    void aWalkOutOfTimeIsNotCached() throws Exception {
        gate.close();
        vouchers.close();
        vouchers = VoucherStore.open(dir.resolve("provider2"));
        Address payee = Wallet.loadOrCreateDefault(dir.resolve("provider")).defaultAddress();
        gate = new VoucherPaymentGate(new PaymentReceiver(new VoucherValidator(ledger, payee, 3), vouchers),
                TokenAmount.ofAtto(PRICE), Set.of(), false,
                new VoucherPaymentGate.QuoteLimits(1L << 30, Duration.ZERO, 1L << 31, Duration.ZERO, 100));
        Dag huge = new Dag(1L << 40);
        String uri = "/ipfs/" + ROOT + "?format=car";
        assertThat(quote(decide(huge, uri)).path("error").path("reason").asText()).isEqualTo("PRICE_NEEDS_CREDIT");
        assertThat(quote(decide(huge, uri)).path("error").path("reason").asText()).isEqualTo("PRICE_NEEDS_CREDIT");
        assertThat(huge.walks).hasValue(2); // a slow moment is not remembered as "too large"
        assertThat(huge.produced.get()).isLessThan(1L << 30);
    }

    @Test
    void identicalRequestsArrivingTogetherShareOneWalk() throws Exception {
        java.util.concurrent.CountDownLatch inWalk = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Dag dag = new Dag(200_000) {
            @Override
            public void writeTo(BodySink sink) throws IOException {
                inWalk.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                super.writeTo(sink);
            }
        };
        String uri = "/ipfs/" + ROOT + "?format=car";
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var first = pool.submit(() -> decide(dag, uri));
            assertThat(inWalk.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            Thread[] second = new Thread[1];
            var waiting = pool.submit(() -> {
                second[0] = Thread.currentThread();
                return decide(dag, uri);
            });
            // The second request waits for the first one's walk (parked on it), never starts its own.
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while ((second[0] == null || second[0].getState() != Thread.State.WAITING) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(second[0].getState()).isEqualTo(Thread.State.WAITING);
            release.countDown();
            assertThat(quote(first.get(30, java.util.concurrent.TimeUnit.SECONDS)).get("bytes").asLong()).isEqualTo(200_000);
            assertThat(quote(waiting.get(30, java.util.concurrent.TimeUnit.SECONDS)).get("bytes").asLong()).isEqualTo(200_000);
            assertThat(dag.walks).hasValue(1);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void limitsAreChecked() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new VoucherPaymentGate.QuoteLimits(10, Duration.ZERO, 5, Duration.ZERO, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
