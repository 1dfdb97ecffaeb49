package venus.retrieval.node.retrieval.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Function;
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
 * Start-up settles a deal record from its credit memo: the memo of that deal raises the funds to
 * its total (once, however many start-ups follow), a memo of another deal on the same transfer id
 * credits nothing, and a record already past its memo stays as it is.
 */
class SettleFromMemoTest {
    static final byte[] CLIENT = {1, 2, 3};
    static final long XFER = 5;
    static final Address CHANNEL = Address.parse("f2edcoyjd4utkafphh3ov6ongftldzsqpninngbla");

    @TempDir
    Path tmp;

    static DealRecord record(long dealId, long funds, Address payee) {
        return new DealRecord(CLIENT, XFER, dealId, Cid.of(Multicodec.RAW, "payload".getBytes()), null, ProviderFsm.State.AWAITING_RESTART,
                BigInteger.ONE, BigInteger.ZERO, BigInteger.valueOf(funds), 1000, null, "", 200, 0, 200, 3, null, payee.bytes(), null, null);
    }

    /** A start-up (no host: nothing but recovery runs); returns the deal's record after it. */
    static DealRecord startUp(DealStore ds, Function<Address, PaymentReceiver> receivers) {
        new RetrievalProvider(null, receivers, ds).close();
        return ds.get(CLIENT, XFER);
    }

    @Test
    void aMemoRaisesOnlyItsOwnDealsFundsAndNeverTwice() {
        Address payee = Wallet.loadOrCreateDefault(tmp.resolve("wallet")).defaultAddress();
        try (DevLedger ledger = DevLedger.open(tmp.resolve("ledger"), Clock.systemUTC(), Duration.ofSeconds(30), 12);
             DealStore ds = DealStore.open(tmp.resolve("deals"));
             VoucherStore vs = VoucherStore.open(tmp.resolve("paych"))) {
            Function<Address, PaymentReceiver> receivers = a -> new PaymentReceiver(new VoucherValidator(ledger, a, 20), vs);
            ds.put(record(2, 100, payee));
            // an earlier deal (1) on this transfer id left a memo of 900: not deal 2's money
            vs.putReceived(SignedVoucher.of(CHANNEL, 0, 1, TokenAmount.ofAtto(900)), TokenAmount.ZERO,
                    CreditMemo.of(CLIENT, XFER, 1, BigInteger.ZERO, CHANNEL.bytes()));
            assertThat(startUp(ds, receivers).funds()).isEqualTo(100);
            // deal 2's voucher (credit 200 on top of its 100) committed; its record update lost
            vs.putReceived(SignedVoucher.of(CHANNEL, 0, 2, TokenAmount.ofAtto(1100)), TokenAmount.ZERO,
                    CreditMemo.of(CLIENT, XFER, 2, BigInteger.valueOf(100), CHANNEL.bytes()));
            for (int start = 1; start <= 3; start++) {
                DealRecord r = startUp(ds, receivers);
                assertThat(r.funds()).as("funds after start-up %d", start).isEqualTo(300);
                assertThat(r.paymentChannel()).isEqualTo(CHANNEL.bytes());
            }
            // a record that landed after its memo (more credited since) is not lowered to it
            ds.put(record(2, 700, payee));
            assertThat(startUp(ds, receivers).funds()).isEqualTo(700);
            // the voucher store cannot be read (payments down): the record is left for the restart
            vs.putReceived(SignedVoucher.of(CHANNEL, 0, 3, TokenAmount.ofAtto(1500)), TokenAmount.ZERO,
                    CreditMemo.of(CLIENT, XFER, 2, BigInteger.valueOf(700), CHANNEL.bytes()));
            assertThat(startUp(ds, a -> {
                throw new venus.retrieval.paych.PaychException(venus.retrieval.paych.PaychException.Reason.STORE, "payments are not running");
            }).funds()).isEqualTo(700);
            assertThat(startUp(ds, receivers).funds()).isEqualTo(1100);
        }
    }
}
