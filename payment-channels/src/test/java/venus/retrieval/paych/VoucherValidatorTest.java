package venus.retrieval.paych;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import venus.retrieval.paych.chain.PaychState;

/** One test per rule: each builds a voucher that passes every other rule, so removing the rule makes it pass. */
class VoucherValidatorTest {
    static final byte[] PAYER_KEY = Base64.getDecoder().decode("8VcW07ADswS4BV2cxi5rnIadVsyTDDhY1NfDH19T8Uo=");
    static final byte[] OTHER_KEY = Base64.getDecoder().decode("gMVudS/90G4+DZUW5mLnuog5gkBARaLC1MvnyH5sZv4=");
    static final Address PAYER = Secp256k1.address(PAYER_KEY);
    static final Address PAYEE = Secp256k1.address(Base64.getDecoder().decode("8FdY5b4S02482+fB5Jj6Q/2xOzip5s5X/qnf284dAg4="));
    static final Address FROM_ID = Address.id(1001);
    static final Address TO_ID = Address.id(1002);
    static final Address CH = Address.parse("f2edcoyjd4utkafphh3ov6ongftldzsqpninngbla");

    FakeChain chain;
    VoucherValidator validator;

    @BeforeEach
    void setUp() {
        chain = new FakeChain();
        chain.accountKeys.put(FROM_ID, PAYER);
        chain.accountKeys.put(TO_ID, PAYEE);
        // balance 10000; lane 0 already redeemed 100 at nonce 1 on chain
        chain.channel(CH, FROM_ID, TO_ID, TokenAmount.ofAtto(10_000), 0, FakeChain.lanes(0, 100, 1));
        validator = new VoucherValidator(chain, PAYEE, 5);
    }

    static SignedVoucher signed(SignedVoucher v, byte[] key) {
        return v.withSignature(new Signature(Signature.Type.SECP256K1, Secp256k1.sign(key, v.signingBytes())));
    }

    static SignedVoucher voucher(long lane, long nonce, long amount) {
        return signed(SignedVoucher.of(CH, lane, nonce, TokenAmount.ofAtto(amount)), PAYER_KEY);
    }

    VoucherValidator.Checked check(SignedVoucher v) {
        return validator.check(CH, v, TokenAmount.ZERO, Map.of());
    }

    void refused(SignedVoucher v, PaychException.Reason reason) {
        assertThatThrownBy(() -> check(v)).isInstanceOf(PaychException.class)
                .extracting(e -> ((PaychException) e).reason()).isEqualTo(reason);
    }

    @Test
    void aGoodVoucherIsAcceptedWithItsDelta() {
        VoucherValidator.Checked c = check(voucher(0, 2, 300));
        assertThat(c.delta()).isEqualTo(TokenAmount.ofAtto(200));
        assertThat(check(voucher(5, 0, 70)).delta()).isEqualTo(TokenAmount.ofAtto(70)); // new lane, nonce 0 allowed
    }

    @Test
    void ruleWrongChannel() {
        SignedVoucher v = signed(SignedVoucher.of(Address.id(1003), 0, 2, TokenAmount.ofAtto(300)), PAYER_KEY);
        assertThatThrownBy(() -> validator.check(CH, v, TokenAmount.ZERO, Map.of()))
                .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.WRONG_CHANNEL);
        // the channel's ID form names the same actor: refused even when presented consistently,
        // or its lanes would be counted a second time beside the f2 ones
        chain.channels.put(Address.id(1003), chain.channels.get(CH));
        assertThatThrownBy(() -> validator.check(Address.id(1003), v, TokenAmount.ZERO, Map.of()))
                .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.WRONG_CHANNEL);
    }

    @Test
    void ruleUnsupportedFeatures() {
        SignedVoucher base = SignedVoucher.of(CH, 0, 2, TokenAmount.ofAtto(300));
        List<SignedVoucher> odd = List.of(
                new SignedVoucher(CH, 0, 0, null, new SignedVoucher.ModVerifyParams(Address.id(5), 2, new byte[0]), 0, 2, base.amount(), 0, List.of(), null),
                new SignedVoucher(CH, 0, 5000, null, null, 0, 2, base.amount(), 0, List.of(), null),
                new SignedVoucher(CH, 10, 0, null, null, 0, 2, base.amount(), 0, List.of(), null),
                new SignedVoucher(CH, 0, 0, new byte[32], null, 0, 2, base.amount(), 0, List.of(), null),
                new SignedVoucher(CH, 0, 0, null, null, 0, 2, base.amount(), 0, List.of(new SignedVoucher.Merge(1, 1)), null));
        for (SignedVoucher v : odd) {
            refused(signed(v, PAYER_KEY), PaychException.Reason.UNSUPPORTED_VOUCHER);
        }
        refused(voucher(7, 1, -1), PaychException.Reason.BAD_VOUCHER);
    }

    @Test
    void ruleUnsigned() {
        refused(SignedVoucher.of(CH, 0, 2, TokenAmount.ofAtto(300)), PaychException.Reason.UNSIGNED);
    }

    @Test
    void ruleChannelExists() {
        chain.channels.clear();
        refused(voucher(0, 2, 300), PaychException.Reason.CHANNEL_NOT_FOUND);
    }

    @Test
    void ruleChannelPaysUs() {
        chain.accountKeys.put(TO_ID, Secp256k1.address(OTHER_KEY));
        refused(voucher(0, 2, 300), PaychException.Reason.NOT_OUR_CHANNEL);
        // To given as our key address directly is fine
        chain.channel(CH, FROM_ID, PAYEE, TokenAmount.ofAtto(10_000), 0, FakeChain.lanes(0, 100, 1));
        assertThat(check(voucher(0, 2, 300)).delta()).isEqualTo(TokenAmount.ofAtto(200));
    }

    @Test
    void ruleNotSettlingTooSoon() {
        chain.channel(CH, FROM_ID, TO_ID, TokenAmount.ofAtto(10_000), chain.head + 5, FakeChain.lanes(0, 100, 1));
        refused(voucher(0, 2, 300), PaychException.Reason.CHANNEL_SETTLING);
        chain.channel(CH, FROM_ID, TO_ID, TokenAmount.ofAtto(10_000), chain.head - 1, FakeChain.lanes(0, 100, 1));
        refused(voucher(0, 2, 300), PaychException.Reason.CHANNEL_SETTLING);
        // settling far enough away: still redeemable, accepted
        chain.channel(CH, FROM_ID, TO_ID, TokenAmount.ofAtto(10_000), chain.head + 6, FakeChain.lanes(0, 100, 1));
        assertThat(check(voucher(0, 2, 300)).delta()).isEqualTo(TokenAmount.ofAtto(200));
    }

    @Test
    void ruleSignedByTheChannelsFrom() {
        refused(signed(SignedVoucher.of(CH, 0, 2, TokenAmount.ofAtto(300)), OTHER_KEY), PaychException.Reason.WRONG_SIGNER);
        // a signature over other bytes (tampered amount) is also the wrong signer
        SignedVoucher good = voucher(0, 2, 300);
        SignedVoucher tampered = SignedVoucher.of(CH, 0, 2, TokenAmount.ofAtto(3000)).withSignature(good.signature());
        refused(tampered, PaychException.Reason.WRONG_SIGNER);
    }

    @Test
    void blsPayerIsVerifiedThroughTheChainNode() {
        Address bls = Address.parse("f344fzhnkyxiruksugmejemoclb3hltdmypdgpal6vtsgvin5kftnb7psp75hbqybix6ludnrdfnfm4p4b76ra");
        chain.accountKeys.put(FROM_ID, bls);
        SignedVoucher v = SignedVoucher.of(CH, 0, 2, TokenAmount.ofAtto(300)).withSignature(new Signature(Signature.Type.BLS, new byte[96]));
        assertThat(check(v).delta()).isEqualTo(TokenAmount.ofAtto(200));
        assertThat(chain.walletVerifyCalls.get()).isEqualTo(1);
        chain.walletVerifyAnswer = false;
        refused(v, PaychException.Reason.WRONG_SIGNER);
    }

    @Test
    void ruleNonceStrictlyIncreasing() {
        refused(voucher(0, 1, 300), PaychException.Reason.NONCE_TOO_LOW); // equal to the on-chain nonce
        refused(voucher(0, 0, 300), PaychException.Reason.NONCE_TOO_LOW);
        // a stored voucher with a higher nonce overlays the chain's lane
        Map<Long, SignedVoucher> stored = Map.of(0L, voucher(0, 5, 500));
        assertThatThrownBy(() -> validator.check(CH, voucher(0, 4, 600), TokenAmount.ZERO, stored))
                .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.NONCE_TOO_LOW);
        assertThat(validator.check(CH, voucher(0, 6, 600), TokenAmount.ZERO, stored).delta()).isEqualTo(TokenAmount.ofAtto(100));
    }

    @Test
    void ruleAmountIncreases() {
        refused(voucher(0, 2, 100), PaychException.Reason.AMOUNT_TOO_LOW);
        refused(voucher(0, 2, 99), PaychException.Reason.AMOUNT_TOO_LOW);
    }

    @Test
    void ruleLanesWithinBalance() {
        // lane 0 holds 100, so a new lane may bring at most 9900
        refused(voucher(1, 1, 9_901), PaychException.Reason.INSUFFICIENT_FUNDS);
        assertThat(check(voucher(1, 1, 9_900)).delta()).isEqualTo(TokenAmount.ofAtto(9_900));
        // the voucher replaces its own lane's amount instead of adding to it
        assertThat(check(voucher(0, 2, 10_000)).delta()).isEqualTo(TokenAmount.ofAtto(9_900));
        refused(voucher(0, 2, 10_001), PaychException.Reason.INSUFFICIENT_FUNDS);
        // stored vouchers of other lanes count too
        Map<Long, SignedVoucher> stored = Map.of(3L, voucher(3, 1, 5_000));
        assertThatThrownBy(() -> validator.check(CH, voucher(1, 1, 4_901), TokenAmount.ZERO, stored))
                .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.INSUFFICIENT_FUNDS);
    }

    @Test
    void ruleDeltaCoversWhatIsOwed() {
        assertThatThrownBy(() -> validator.check(CH, voucher(0, 2, 300), TokenAmount.ofAtto(201), Map.of()))
                .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.DELTA_TOO_SMALL);
        assertThat(validator.check(CH, voucher(0, 2, 300), TokenAmount.ofAtto(200), Map.of()).delta()).isEqualTo(TokenAmount.ofAtto(200));
    }

    @Test
    void overlayPrefersTheHigherNonce() {
        Map<Long, PaychState.LaneState> chainLanes = FakeChain.lanes(0, 100, 4, 1, 50, 1);
        var merged = VoucherValidator.overlay(chainLanes, Map.of(0L, voucher(0, 3, 90), 1L, voucher(1, 2, 70)));
        assertThat(merged.get(0L)).isEqualTo(new PaychState.LaneState(TokenAmount.ofAtto(100), 4));
        assertThat(merged.get(1L)).isEqualTo(new PaychState.LaneState(TokenAmount.ofAtto(70), 2));
    }
}
