package venus.retrieval.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
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
import org.openjdk.jmh.annotations.Warmup;
import venus.retrieval.paych.Address;
import venus.retrieval.paych.PaymentReceiver;
import venus.retrieval.paych.SignatureVerifier;
import venus.retrieval.paych.SignedVoucher;
import venus.retrieval.paych.TokenAmount;
import venus.retrieval.paych.VoucherStore;
import venus.retrieval.paych.VoucherValidator;
import venus.retrieval.paych.Wallet;
import venus.retrieval.paych.chain.DevLedger;

/**
 * Voucher hot paths: decode + signature verification (secp256k1 public-key recovery over
 * BLAKE2b-256), signing, and a full accept (validation against the in-process dev ledger plus a
 * synchronous LMDB commit). Run with the LMDB opens:
 * {@code java -jar benchmarks/target/benchmarks.jar VoucherBench -jvmArgsAppend "--add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED"}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class VoucherBench {
    private Path dir;
    private Wallet client;
    private Address payer;
    private Address channel;
    private byte[] voucherCbor;
    private DevLedger ledger;
    private VoucherStore store;
    private PaymentReceiver receiver;
    private long nonce;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("vrn-voucher-bench");
        client = Wallet.loadOrCreateDefault(dir.resolve("client"));
        Wallet provider = Wallet.loadOrCreateDefault(dir.resolve("provider"));
        payer = client.defaultAddress();
        ledger = DevLedger.open(dir.resolve("ledger"), Clock.systemUTC(), null, 12);
        ledger.fund(payer, TokenAmount.ofFil(1000));
        channel = ledger.createChannel(payer, provider.defaultAddress(), TokenAmount.ofFil(1000));
        voucherCbor = SignedVoucher.of(channel, 0, 1, TokenAmount.ofAtto(1000)).sign(client, payer).toCbor();
        store = VoucherStore.open(dir.resolve("provider"));
        receiver = new PaymentReceiver(new VoucherValidator(ledger, provider.defaultAddress(), 3), store);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        store.close();
        ledger.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Decode a voucher and verify its signature against the payer (what `voucher check` does). */
    @Benchmark
    public SignedVoucher decodeAndVerify() {
        SignedVoucher sv = SignedVoucher.fromCbor(voucherCbor);
        sv.verify(payer, SignatureVerifier.offline());
        return sv;
    }

    /** Sign a voucher (RFC 6979 nonce, recovery id search). */
    @Benchmark
    public SignedVoucher sign() {
        return SignedVoucher.of(channel, 1, ++nonce, TokenAmount.ofAtto(nonce)).sign(client, payer);
    }

    /** Validate against the chain and commit durably: the whole path a paid response waits for. */
    @Benchmark
    public PaymentReceiver.Accepted acceptDurably() {
        long n = ++nonce;
        SignedVoucher sv = SignedVoucher.of(channel, 2, n, TokenAmount.ofAtto(n)).sign(client, payer);
        return receiver.accept(channel, sv, TokenAmount.ZERO);
    }
}
