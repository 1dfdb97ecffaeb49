package venus.retrieval.paych;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static venus.retrieval.paych.VoucherValidatorTest.CH;
import static venus.retrieval.paych.VoucherValidatorTest.FROM_ID;
import static venus.retrieval.paych.VoucherValidatorTest.PAYEE;
import static venus.retrieval.paych.VoucherValidatorTest.PAYER;
import static venus.retrieval.paych.VoucherValidatorTest.TO_ID;
import static venus.retrieval.paych.VoucherValidatorTest.voucher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PaymentReceiverTest {
    @TempDir
    Path repo;
    FakeChain chain;
    VoucherStore store;
    PaymentReceiver receiver;

    @BeforeEach
    void setUp() {
        chain = new FakeChain();
        chain.accountKeys.put(FROM_ID, PAYER);
        chain.accountKeys.put(TO_ID, PAYEE);
        chain.channel(CH, FROM_ID, TO_ID, TokenAmount.ofAtto(10_000), 0, FakeChain.lanes(0, 100, 1));
        store = VoucherStore.open(repo);
        receiver = new PaymentReceiver(new VoucherValidator(chain, PAYEE, 5), store);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    @Test
    void everyAcceptedVoucherCreditsExactlyWhatItAdds() {
        assertThat(receiver.accept(CH, voucher(0, 2, 300), TokenAmount.ZERO).credit()).isEqualTo(TokenAmount.ofAtto(200));
        assertThat(receiver.accept(CH, voucher(0, 3, 450), TokenAmount.ZERO).credit()).isEqualTo(TokenAmount.ofAtto(150));
        assertThat(receiver.accept(CH, voucher(1, 0, 50), TokenAmount.ZERO).credit()).isEqualTo(TokenAmount.ofAtto(50));
        PaymentReceiver.Accepted last = receiver.accept(CH, voucher(0, 9, 451), TokenAmount.ZERO);
        assertThat(last.credit()).isEqualTo(TokenAmount.ofAtto(1));
        // credits add up to what the lanes pay beyond what was already on chain
        assertThat(last.channelTotal()).isEqualTo(TokenAmount.ofAtto(451 - 100 + 50));
        assertThat(store.receivedTotal(CH)).isEqualTo(TokenAmount.ofAtto(401));
        assertThat(store.bestReceived(CH).get(0L).nonce()).isEqualTo(9);
        assertThat(store.receivedChannels()).containsExactly(CH);
    }

    @Test
    void replaysCreditNothing() {
        SignedVoucher v = voucher(0, 2, 300);
        receiver.accept(CH, v, TokenAmount.ZERO);
        PaymentReceiver.Accepted again = receiver.accept(CH, v, TokenAmount.ZERO);
        assertThat(again.duplicate()).isTrue();
        assertThat(again.credit()).isEqualTo(TokenAmount.ZERO);
        receiver.accept(CH, voucher(0, 3, 400), TokenAmount.ZERO);
        // the older voucher is now a nonce regression
        assertThatThrownBy(() -> receiver.accept(CH, v, TokenAmount.ZERO))
                .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.NONCE_TOO_LOW);
        assertThat(store.receivedTotal(CH)).isEqualTo(TokenAmount.ofAtto(300));
    }

    @Test
    void theSameVoucherUnderTheChannelsIdAddressCreditsNothing() {
        // f0 and f2 name the same actor; the actor redeems either, so only one may ever be credited
        Address chId = Address.id(1100);
        chain.channels.put(chId, chain.channels.get(CH));
        receiver.accept(CH, voucher(0, 2, 300), TokenAmount.ZERO);
        SignedVoucher alias = VoucherValidatorTest.signed(SignedVoucher.of(chId, 0, 2, TokenAmount.ofAtto(300)), VoucherValidatorTest.PAYER_KEY);
        assertThatThrownBy(() -> receiver.accept(chId, alias, TokenAmount.ZERO))
                .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.WRONG_CHANNEL);
        assertThat(store.receivedChannels()).containsExactly(CH);
        assertThat(store.receivedTotal(chId)).isEqualTo(TokenAmount.ZERO);
    }

    @Test
    void theListenerSeesEveryAcceptanceAndRefusal() {
        List<String> seen = new ArrayList<>();
        PaymentReceiver watched = new PaymentReceiver(new VoucherValidator(chain, PAYEE, 5), store, new PaymentReceiver.Listener() {
            @Override
            public void accepted(Address channel, TokenAmount credit) {
                seen.add("accepted " + channel + " " + credit.atto());
            }

            @Override
            public void rejected(Address channel, PaychException.Reason reason) {
                seen.add("rejected " + channel + " " + reason);
            }
        });
        SignedVoucher v = voucher(0, 2, 300);
        watched.accept(CH, v, TokenAmount.ZERO);
        watched.accept(CH, v, TokenAmount.ZERO); // a retried payment: accepted, credits nothing
        assertThatThrownBy(() -> watched.accept(CH, voucher(0, 3, 20_000), TokenAmount.ZERO)).isInstanceOf(PaychException.class);
        assertThatThrownBy(() -> watched.accept(CH, voucher(0, 1, 250), TokenAmount.ZERO)).isInstanceOf(PaychException.class);
        assertThat(seen).containsExactly("accepted " + CH + " 200", "accepted " + CH + " 0",
                "rejected " + CH + " INSUFFICIENT_FUNDS", "rejected " + CH + " NONCE_TOO_LOW");
        assertThatThrownBy(() -> new PaymentReceiver(new VoucherValidator(chain, PAYEE, 5), store, null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void refusedVouchersAreNotStored() {
        assertThatThrownBy(() -> receiver.accept(CH, voucher(0, 2, 20_000), TokenAmount.ZERO))
                .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.INSUFFICIENT_FUNDS);
        assertThat(store.bestReceived(CH)).isEmpty();
        assertThat(store.receivedTotal(CH)).isEqualTo(TokenAmount.ZERO);
    }

    @Test
    void storeRefusesRegressionsEvenWithoutTheValidator() {
        store.putReceived(voucher(2, 5, 500), TokenAmount.ZERO);
        assertThatThrownBy(() -> store.putReceived(voucher(2, 5, 600), TokenAmount.ZERO))
                .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.NONCE_TOO_LOW);
        assertThatThrownBy(() -> store.putReceived(voucher(2, 6, 500), TokenAmount.ZERO))
                .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.AMOUNT_TOO_LOW);
        assertThatThrownBy(() -> store.putReceived(voucher(3, 1, 10), TokenAmount.ofAtto(10)))
                .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.AMOUNT_TOO_LOW);
        assertThat(store.putReceived(voucher(2, 5, 500), TokenAmount.ZERO).duplicate()).isTrue();
    }

    @Test
    void storeFailuresAreStoreErrorsWhicheverMethodHitsThem() {
        store.close(); // every LMDB call now fails
        List<org.assertj.core.api.ThrowableAssert.ThrowingCallable> calls = List.of(
                () -> store.putReceived(voucher(0, 2, 300), TokenAmount.ZERO),
                () -> store.bestReceived(CH),
                () -> store.receivedTotal(CH),
                () -> store.receivedChannels(),
                () -> store.putCreated(voucher(4, 1, 10)),
                () -> store.created(CH),
                () -> store.markSubmitted(CH, 0, 2),
                () -> store.submittedNonce(CH, 0),
                () -> store.putCredits(java.util.Map.of("t", TokenAmount.ofAtto(1))),
                () -> store.credits());
        for (var call : calls) {
            assertThatThrownBy(call).isInstanceOf(PaychException.class)
                    .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.STORE);
        }
        store = VoucherStore.open(repo); // for tearDown
    }

    @Test
    void vouchersForUnknownChannelsLeaveNothingBehind() {
        // anyone can present a voucher naming any channel; refusing it must not cost memory
        for (int i = 0; i < 300; i++) {
            Address ch = Address.actor(("nowhere " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            SignedVoucher v = VoucherValidatorTest.signed(SignedVoucher.of(ch, 0, 1, TokenAmount.ofAtto(1)), VoucherValidatorTest.PAYER_KEY);
            assertThatThrownBy(() -> receiver.accept(ch, v, TokenAmount.ZERO))
                    .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.CHANNEL_NOT_FOUND);
        }
        assertThat(receiver.lockTableSize()).isLessThanOrEqualTo(PaymentReceiver.LOCK_STRIPES);
    }

    @Test
    void storeSurvivesReopen() {
        receiver.accept(CH, voucher(0, 2, 300), TokenAmount.ZERO);
        store.putCreated(voucher(4, 1, 10));
        store.markSubmitted(CH, 0, 2);
        store.close();
        store = VoucherStore.open(repo);
        assertThat(store.bestReceived(CH).get(0L)).isEqualTo(voucher(0, 2, 300));
        assertThat(store.receivedTotal(CH)).isEqualTo(TokenAmount.ofAtto(200));
        assertThat(store.created(CH)).containsKey(4L);
        assertThat(store.submittedNonce(CH, 0)).isEqualTo(2);
        assertThat(store.submittedNonce(CH, 1)).isEqualTo(-1);
        assertThat(repo.resolve("lmdb/paych/data.mdb")).exists();
    }

    @Test
    void concurrentVouchersNeverOverdrawTheChannel() throws Exception {
        // 16 lanes each try to take 1000 of the 9900 still free: at most 9 may be accepted
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int lane = 1; lane <= 16; lane++) {
                SignedVoucher v = voucher(lane, 1, 1000);
                results.add(pool.submit(() -> {
                    try {
                        receiver.accept(CH, v, TokenAmount.ZERO);
                        return true;
                    } catch (PaychException e) {
                        assertThat(e.reason()).isEqualTo(PaychException.Reason.INSUFFICIENT_FUNDS);
                        return false;
                    }
                }));
            }
            int accepted = 0;
            for (Future<Boolean> f : results) {
                accepted += f.get() ? 1 : 0;
            }
            assertThat(accepted).isEqualTo(9);
            assertThat(store.receivedTotal(CH)).isEqualTo(TokenAmount.ofAtto(9000));
        } finally {
            pool.shutdownNow();
        }
    }

    /** A memo recording the credit it was written with, under {@code key}. */
    static VoucherStore.Memo memo(String key) {
        return new VoucherStore.Memo() {
            @Override
            public byte[] key() {
                return key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            }

            @Override
            public byte[] value(TokenAmount credit) {
                return credit.toAttoString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            }
        };
    }

    static String memoOf(VoucherStore s, String key) {
        byte[] v = s.memo(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return v == null ? null : new String(v, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void aMemoIsCommittedWithItsVoucherInOneCommitAndSurvivesAReopen() {
        long before = store.commits();
        PaymentReceiver.Accepted a = receiver.accept(CH, voucher(0, 2, 300), TokenAmount.ZERO, memo("deal-1"));
        assertThat(store.commits() - before).as("voucher, channel total and memo: one synchronous commit").isEqualTo(1);
        assertThat(a.credit()).isEqualTo(TokenAmount.ofAtto(200));
        assertThat(memoOf(store, "deal-1")).isEqualTo("200"); // the value saw the credit computed inside the transaction
        receiver.accept(CH, voucher(0, 3, 450), TokenAmount.ZERO, memo("deal-1"));
        assertThat(memoOf(store, "deal-1")).isEqualTo("150"); // replaced, not appended
        assertThat(memoOf(store, "deal-2")).isNull();
        store.close();
        store = VoucherStore.open(repo);
        assertThat(memoOf(store, "deal-1")).isEqualTo("150");
        assertThat(store.commits()).isZero(); // counted per opening
    }

    @Test
    void refusedAndDuplicateVouchersWriteNoMemo() {
        SignedVoucher v = voucher(0, 2, 300);
        receiver.accept(CH, v, TokenAmount.ZERO, memo("deal-1"));
        long commits = store.commits();
        // a copy credits nothing: no write at all, the memo keeps the credit it was written with
        PaymentReceiver.Accepted again = receiver.accept(CH, v, TokenAmount.ZERO, memo("deal-1"));
        assertThat(again.duplicate()).isTrue();
        assertThat(store.putReceived(v, TokenAmount.ZERO, memo("deal-1")).duplicate()).isTrue(); // below the receiver too
        assertThat(memoOf(store, "deal-1")).isEqualTo("200");
        // refused by the validator (funds), by the store (nonce), and below the lane's baseline
        assertThatThrownBy(() -> receiver.accept(CH, voucher(0, 3, 20_000), TokenAmount.ZERO, memo("deal-2")))
                .isInstanceOf(PaychException.class);
        assertThatThrownBy(() -> store.putReceived(voucher(0, 1, 400), TokenAmount.ZERO, memo("deal-2")))
                .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.NONCE_TOO_LOW);
        assertThatThrownBy(() -> store.putReceived(voucher(5, 1, 40), TokenAmount.ofAtto(40), memo("deal-2")))
                .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.AMOUNT_TOO_LOW);
        assertThat(memoOf(store, "deal-2")).isNull();
        assertThat(store.commits()).isEqualTo(commits);
        assertThat(store.receivedTotal(CH)).isEqualTo(TokenAmount.ofAtto(200));
    }

    @Test
    void aMemoKeyMustBeShortAndNotEmpty() {
        assertThatThrownBy(() -> store.putReceived(voucher(0, 2, 300), TokenAmount.ZERO, memo("")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("memo key");
        assertThatThrownBy(() -> store.memo(new byte[VoucherStore.MAX_MEMO_KEY + 1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("memo key");
        assertThat(store.bestReceived(CH)).isEmpty(); // nothing stored for the refused key
    }
}
