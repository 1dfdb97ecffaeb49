package venus.retrieval.paych;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.cbor.CborWriter;
import venus.retrieval.paych.chain.DevLedger;
import venus.retrieval.paych.chain.Message;
import venus.retrieval.paych.chain.PaychState;

/** The dev ledger's actor rules, and the whole flow on it: channel, vouchers, redeem, settle, collect. */
class DevLedgerTest {
    static final long SETTLE_DELAY = 12;

    /** A clock the test moves by hand (no sleeps). */
    static final class ManualClock extends Clock {
        long millis = 1_700_000_000_000L;

        @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return Instant.ofEpochMilli(millis); }
    }

    @TempDir
    Path dir;
    ManualClock clock = new ManualClock();
    DevLedger ledger;
    Wallet client;
    Wallet provider;
    Address payer;
    Address payee;

    @BeforeEach
    void setUp() {
        ledger = DevLedger.open(dir.resolve("ledger"), clock, Duration.ofSeconds(30), SETTLE_DELAY);
        client = Wallet.loadOrCreateDefault(dir.resolve("client"));
        provider = Wallet.loadOrCreateDefault(dir.resolve("provider"));
        payer = client.defaultAddress();
        payee = provider.defaultAddress();
        ledger.fund(payer, TokenAmount.ofFil(10));
    }

    @AfterEach
    void tearDown() {
        ledger.close();
    }

    SignedVoucher voucher(Address ch, long lane, long nonce, TokenAmount amount) {
        return SignedVoucher.of(ch, lane, nonce, amount).sign(client, payer);
    }

    Cid update(Address ch, Address from, SignedVoucher sv) {
        byte[] params = new CborWriter().writeArrayHeader(2).writeRaw(sv.toCbor()).writeBytes(new byte[0]).toByteArray();
        return ledger.mpoolPushMessage(new Message(ch, from, TokenAmount.ZERO, Message.METHOD_UPDATE_CHANNEL_STATE, params));
    }

    long exit(Cid msg) {
        return ledger.stateWaitMsg(msg, 0).exitCode();
    }

    @Test
    void endToEndBalancesAddUpToTheAttoFil() {
        Address ch = ledger.createChannel(payer, payee, TokenAmount.ofFil(2));
        assertThat(ledger.balance(payer)).isEqualTo(TokenAmount.ofFil(8));
        try (VoucherStore store = VoucherStore.open(dir.resolve("provider"))) {
            PaymentReceiver receiver = new PaymentReceiver(new VoucherValidator(ledger, payee, 3), store);
            TokenAmount credited = TokenAmount.ZERO;
            TokenAmount[] cumulative = {TokenAmount.parse("0.1"), TokenAmount.parse("0.25"), TokenAmount.parse("0.7")};
            for (int i = 0; i < cumulative.length; i++) {
                credited = credited.add(receiver.accept(ch, voucher(ch, 0, i + 1, cumulative[i]), TokenAmount.ZERO).credit());
            }
            credited = credited.add(receiver.accept(ch, voucher(ch, 1, 1, TokenAmount.ofAtto(123)), TokenAmount.ZERO).credit());
            assertThat(credited).isEqualTo(TokenAmount.parse("0.7").add(TokenAmount.ofAtto(123)));

            Redeemer redeemer = new Redeemer(ledger, store, payee, 0);
            assertThat(redeemer.redeem(ch)).hasSize(2);
            assertThat(redeemer.redeem(ch)).isEmpty(); // nothing new: restart-safe and idempotent
            PaychState s = ledger.stateReadState(ch);
            assertThat(s.toSend()).isEqualTo(credited);
            assertThat(ledger.laneStates(s).get(0L).nonce()).isEqualTo(3);

            // the payer settles; the redeemer collects only after the settle delay
            Cid settle = ledger.mpoolPushMessage(new Message(ch, payer, TokenAmount.ZERO, Message.METHOD_SETTLE, null));
            assertThat(exit(settle)).isZero();
            assertThat(redeemer.tick()).isEmpty();
            clock.millis += 30_000L * SETTLE_DELAY; // wall time moves the epochs
            assertThat(redeemer.tick()).containsExactly(ch);
            assertThatThrownBy(() -> ledger.stateReadState(ch))
                    .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.CHANNEL_NOT_FOUND);
            assertThat(ledger.balance(payee)).isEqualTo(credited);
            assertThat(ledger.balance(payer)).isEqualTo(TokenAmount.ofFil(10).subtract(credited));
            assertThat(redeemer.tick()).isEmpty();
        }
    }

    @Test
    void redeemerRecordsVouchersThatLandedBeforeARestart() {
        Address ch = ledger.createChannel(payer, payee, TokenAmount.ofFil(1));
        try (VoucherStore store = VoucherStore.open(dir.resolve("provider"))) {
            SignedVoucher sv = voucher(ch, 0, 1, TokenAmount.ofAtto(500));
            store.putReceived(sv, TokenAmount.ZERO);
            assertThat(exit(update(ch, payee, sv))).isZero(); // submitted, then "crashed" before markSubmitted
            Redeemer redeemer = new Redeemer(ledger, store, payee, 0);
            assertThat(redeemer.redeem(ch)).isEmpty();
            assertThat(store.submittedNonce(ch, 0)).isEqualTo(1);
        }
    }

    @Test
    void actorRules() {
        Address ch = ledger.createChannel(payer, payee, TokenAmount.ofAtto(1000));
        Address stranger = Secp256k1.address(Secp256k1.generatePrivateKey());
        assertThat(exit(update(ch, stranger, voucher(ch, 0, 1, TokenAmount.ofAtto(10))))).isEqualTo(DevLedger.EXIT_FORBIDDEN);
        assertThat(exit(update(ch, payee, SignedVoucher.of(ch, 0, 1, TokenAmount.ofAtto(10))))).isEqualTo(DevLedger.EXIT_ILLEGAL_ARGUMENT);
        // signed by the wrong party (To submitting its own voucher)
        assertThat(exit(update(ch, payee, SignedVoucher.of(ch, 0, 1, TokenAmount.ofAtto(10)).sign(provider, payee))))
                .isEqualTo(DevLedger.EXIT_ILLEGAL_ARGUMENT);
        assertThat(exit(update(ch, payee, voucher(ch, 0, 2, TokenAmount.ofAtto(1001))))).isEqualTo(DevLedger.EXIT_ILLEGAL_ARGUMENT);
        Cid ok = update(ch, payee, voucher(ch, 0, 2, TokenAmount.ofAtto(400)));
        assertThat(exit(ok)).isZero();
        Cid stale = update(ch, payee, voucher(ch, 0, 2, TokenAmount.ofAtto(500)));
        assertThat(exit(stale)).isEqualTo(DevLedger.EXIT_ILLEGAL_ARGUMENT);
        assertThat(ledger.messageError(stale)).contains("outdated nonce");
        // lanes together may not exceed the balance
        assertThat(exit(update(ch, payee, voucher(ch, 1, 1, TokenAmount.ofAtto(601))))).isEqualTo(DevLedger.EXIT_ILLEGAL_ARGUMENT);
        assertThat(exit(update(ch, payee, voucher(ch, 1, 1, TokenAmount.ofAtto(600))))).isZero();
        // time locks
        SignedVoucher locked = new SignedVoucher(ch, ledger.chainHead() + 5, 0, null, null, 2, 1, TokenAmount.ZERO, 0, List.of(), null).sign(client, payer);
        assertThat(exit(update(ch, payee, locked))).isEqualTo(DevLedger.EXIT_ILLEGAL_ARGUMENT);
        // collect before settling, settle twice, update after settled
        Cid early = ledger.mpoolPushMessage(new Message(ch, payee, TokenAmount.ZERO, Message.METHOD_COLLECT, null));
        assertThat(exit(early)).isEqualTo(DevLedger.EXIT_FORBIDDEN);
        assertThat(exit(ledger.mpoolPushMessage(new Message(ch, payee, TokenAmount.ZERO, Message.METHOD_SETTLE, null)))).isZero();
        assertThat(ledger.stateReadState(ch).settlingAt()).isEqualTo(ledger.chainHead() + SETTLE_DELAY);
        assertThat(exit(ledger.mpoolPushMessage(new Message(ch, payer, TokenAmount.ZERO, Message.METHOD_SETTLE, null)))).isNotZero();
        ledger.advance(SETTLE_DELAY);
        assertThat(exit(update(ch, payee, voucher(ch, 3, 1, TokenAmount.ofAtto(0))))).isEqualTo(DevLedger.EXIT_SETTLED);
    }

    @Test
    void aMessageValueMovesToTheChannelOnlyWhenTheMethodSucceeds() {
        // as on chain: the value goes to the receiving actor first, and a failed method reverts it
        Address ch = ledger.createChannel(payer, payee, TokenAmount.ofAtto(1000));
        TokenAmount before = ledger.balance(payer);
        byte[] params = new CborWriter().writeArrayHeader(2).writeRaw(voucher(ch, 0, 1, TokenAmount.ofAtto(1500)).toCbor())
                .writeBytes(new byte[0]).toByteArray();
        // 2000 is more than the channel holds even with the 700 sent along: refused, and the 700 stays with the payer
        Cid tooMuch = ledger.mpoolPushMessage(new Message(ch, payer, TokenAmount.ofAtto(700), Message.METHOD_UPDATE_CHANNEL_STATE,
                new CborWriter().writeArrayHeader(2).writeRaw(SignedVoucher.of(ch, 0, 1, TokenAmount.ofAtto(2000)).sign(provider, payee).toCbor())
                        .writeBytes(new byte[0]).toByteArray()));
        assertThat(exit(tooMuch)).isEqualTo(DevLedger.EXIT_ILLEGAL_ARGUMENT);
        assertThat(ledger.balance(payer)).isEqualTo(before);
        assertThat(ledger.balance(ch)).isEqualTo(TokenAmount.ofAtto(1000));
        // 1500 fits once the 600 sent with the message is in the channel
        ledger.fund(payee, TokenAmount.ofAtto(600));
        Cid paid = ledger.mpoolPushMessage(new Message(ch, payee, TokenAmount.ofAtto(600), Message.METHOD_UPDATE_CHANNEL_STATE, params));
        assertThat(exit(paid)).isZero();
        assertThat(ledger.balance(ch)).isEqualTo(TokenAmount.ofAtto(1600));
        assertThat(ledger.balance(payee)).isEqualTo(TokenAmount.ZERO);
        assertThat(ledger.stateReadState(ch).toSend()).isEqualTo(TokenAmount.ofAtto(1500));
    }

    @Test
    void stateSurvivesReopenAndAddressesResolve() {
        Address ch = ledger.createChannel(payer, payee, TokenAmount.ofAtto(1000));
        assertThat(exit(update(ch, payee, voucher(ch, 0, 1, TokenAmount.ofAtto(10))))).isZero();
        ledger.advance(5);
        long head = ledger.chainHead();
        Address chId = ledger.stateLookupId(ch);
        ledger.close();
        ledger = DevLedger.open(dir.resolve("ledger"), clock, Duration.ofSeconds(30), 999);
        assertThat(ledger.chainHead()).isEqualTo(head);
        assertThat(ledger.settleDelay()).isEqualTo(SETTLE_DELAY);
        PaychState s = ledger.stateReadState(chId);
        assertThat(s.toSend()).isEqualTo(TokenAmount.ofAtto(10));
        assertThat(ledger.stateAccountKey(s.from())).isEqualTo(payer);
        assertThat(ledger.stateAccountKey(s.to())).isEqualTo(payee);
        assertThat(ledger.stateLookupId(payee)).isEqualTo(s.to());
        assertThat(ledger.laneStates(s).get(0L)).isEqualTo(new PaychState.LaneState(TokenAmount.ofAtto(10), 1));
        assertThatThrownBy(() -> ledger.createChannel(payer, payee, TokenAmount.ofFil(100))).hasMessageContaining("insufficient funds");
        assertThatThrownBy(() -> ledger.advance(-1)).hasMessageContaining("forward");
    }
}
