package venus.retrieval.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import venus.retrieval.gateway.FreePaymentGate;
import venus.retrieval.gateway.GatewayConfig;
import venus.retrieval.gateway.GatewayServer;
import venus.retrieval.gateway.IpldGatewayBackend;
import venus.retrieval.gateway.VoucherPaymentGate;
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
 * 1 KiB raw-block GETs over keep-alive HTTP/1.1 from the free gateway and from the paid gateway
 * spending a prepaid credit (bearer token), in the same run. Run with the LMDB opens:
 * {@code java -jar benchmarks/target/benchmarks.jar PaidGatewayBench -jvmArgsAppend "--add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED"}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@Threads(4)
@State(Scope.Benchmark)
public class PaidGatewayBench {
    private Path dir;
    private DevLedger ledger;
    private VoucherStore store;
    private GatewayServer free;
    private GatewayServer paid;
    private HttpClient http;
    private HttpRequest freeRequest;
    private HttpRequest paidRequest;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("vrn-paid-gateway-bench");
        byte[] data = new byte[1024];
        new Random(1).nextBytes(data);
        Cid cid = Cid.of(Multicodec.RAW, data);
        Map<Cid, byte[]> blocks = Map.of(cid, data);
        Wallet client = Wallet.loadOrCreateDefault(dir.resolve("client"));
        Wallet provider = Wallet.loadOrCreateDefault(dir.resolve("provider"));
        Address payer = client.defaultAddress();
        ledger = DevLedger.open(dir.resolve("ledger"), Clock.systemUTC(), null, 12);
        ledger.fund(payer, TokenAmount.ofFil(10));
        Address ch = ledger.createChannel(payer, provider.defaultAddress(), TokenAmount.ofFil(10));
        store = VoucherStore.open(dir.resolve("provider"));
        VoucherPaymentGate gate = new VoucherPaymentGate(new PaymentReceiver(new VoucherValidator(ledger, provider.defaultAddress(), 3), store),
                TokenAmount.ofAtto(1), Set.of());
        free = GatewayServer.forBackend(GatewayConfig.defaults().withListen("127.0.0.1", 0), new IpldGatewayBackend(blocks::get), FreePaymentGate.INSTANCE).start();
        paid = GatewayServer.forBackend(GatewayConfig.defaults().withListen("127.0.0.1", 0), new IpldGatewayBackend(blocks::get), gate).start();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String path = "/ipfs/" + cid + "?format=raw";
        freeRequest = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + free.port() + path)).build();
        // one voucher tops up a credit for every request of the run (10 FIL at 1 attoFIL/byte)
        String voucher = SignedVoucher.of(ch, 0, 1, TokenAmount.ofFil(9)).sign(client, payer).toBase64Url();
        URI paidUri = URI.create("http://127.0.0.1:" + paid.port() + path);
        HttpResponse<byte[]> first = http.send(HttpRequest.newBuilder(paidUri).header("X-Vrn-Voucher", voucher).build(), HttpResponse.BodyHandlers.ofByteArray());
        String token = first.headers().firstValue("X-Vrn-Credit-Token").orElseThrow(() -> new IllegalStateException("no credit token: " + first.statusCode()));
        paidRequest = HttpRequest.newBuilder(paidUri).header("Authorization", "Bearer " + token).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        free.close();
        paid.close();
        store.close();
        ledger.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public int freeGateway() throws Exception {
        return check(http.send(freeRequest, HttpResponse.BodyHandlers.ofByteArray()));
    }

    @Benchmark
    public int paidGatewayWithCredit() throws Exception {
        return check(http.send(paidRequest, HttpResponse.BodyHandlers.ofByteArray()));
    }

    private static int check(HttpResponse<byte[]> r) {
        if (r.statusCode() != 200 || r.body().length != 1024) {
            throw new IllegalStateException("unexpected response " + r.statusCode());
        }
        return r.body().length;
    }
}
