package venus.retrieval.paych;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import venus.retrieval.paych.chain.ChainApi;
import venus.retrieval.paych.chain.PaychState;

/**
 * Decides whether a received voucher pays this node, with the checks of Lotus' payment-channel
 * manager ({@code checkVoucherValidUnlocked} + {@code addVoucherUnlocked}) plus two of its own:
 *
 * <ol>
 *   <li>the voucher names the channel the payer presented it for ({@code WRONG_CHANNEL});</li>
 *   <li>it uses none of the features Lotus refuses: Extra (a call at redemption), TimeLockMax,
 *       TimeLockMin, SecretHash, Merges ({@code UNSUPPORTED_VOUCHER}); and its amount is not
 *       negative ({@code BAD_VOUCHER});</li>
 *   <li>it is signed ({@code UNSIGNED});</li>
 *   <li>the channel actor exists ({@code CHANNEL_NOT_FOUND}) and is named by its robust (f2)
 *       address ({@code WRONG_CHANNEL}; Lotus tracks channels by that address, and an f0 alias of
 *       the same actor would open a second set of lanes in the store);</li>
 *   <li>the channel pays us: its {@code To}, resolved to a key address, is our payee address
 *       ({@code NOT_OUR_CHANNEL}; Lotus only checks that its wallet has the key);</li>
 *   <li>the channel is not settling, or settles late enough that we can still redeem:
 *       {@code head + redeemMargin < SettlingAt} ({@code CHANNEL_SETTLING}; not in Lotus);</li>
 *   <li>the signature verifies against the channel's {@code From}, resolved from its ID to its key
 *       address ({@code WRONG_SIGNER});</li>
 *   <li>on the voucher's lane — the on-chain lane state overlaid with the best stored voucher —
 *       the nonce is strictly higher ({@code NONCE_TOO_LOW}) and the amount strictly higher
 *       ({@code AMOUNT_TOO_LOW});</li>
 *   <li>the sum of every lane's redeemable amount, with this voucher replacing its lane's, is
 *       within the channel's balance ({@code INSUFFICIENT_FUNDS});</li>
 *   <li>the amount it adds over the lane's current amount is at least what the caller is owed
 *       ({@code DELTA_TOO_SMALL}).</li>
 * </ol>
 */
public final class VoucherValidator {
    /** The outcome of a successful check: the chain state it was checked against and the voucher's credit. */
    public record Checked(SignedVoucher voucher, PaychState state, PaychState.LaneState lane, TokenAmount delta) {}

    private final ChainApi chain;
    private final Address payee;
    private final SignatureVerifier verifier;
    private final long redeemMargin;

    /**
     * @param chain the chain to read channel state from
     * @param payee our payment address (a key address, or the ID address the chain shows as {@code To})
     * @param redeemMargin epochs we need before {@code SettlingAt} to get a voucher on chain
     */
    public VoucherValidator(ChainApi chain, Address payee, long redeemMargin) {
        this.chain = chain;
        this.payee = payee;
        this.verifier = new SignatureVerifier(chain);
        this.redeemMargin = redeemMargin;
    }

    /** Our payment address. */
    public Address payee() {
        return payee;
    }

    /**
     * Checks {@code sv}, presented for {@code channel}, against the chain and {@code stored} (the
     * best stored voucher per lane of this channel).
     *
     * @param minDelta the least the voucher must add (what the caller is owed); zero for "any"
     * @throws PaychException with the reason of the first rule that fails
     */
    public Checked check(Address channel, SignedVoucher sv, TokenAmount minDelta, Map<Long, SignedVoucher> stored) {
        if (!sv.channel().equals(channel)) {
            throw fail(PaychException.Reason.WRONG_CHANNEL, "voucher is for channel " + sv.channel() + ", not " + channel);
        }
        checkSupported(sv);
        if (sv.signature() == null) {
            throw fail(PaychException.Reason.UNSIGNED, "voucher is not signed");
        }
        PaychState state = chain.stateReadState(channel);
        if (channel.protocol() != Address.Protocol.ACTOR) {
            // The actor redeems a voucher naming it by f0 or f2, but the store keys lanes by the
            // name: two names for one channel would credit the same lane twice.
            throw fail(PaychException.Reason.WRONG_CHANNEL, "voucher names channel " + channel
                    + "; name it by its robust f2 address, as Lotus does");
        }
        if (!paysUs(state.to())) {
            throw fail(PaychException.Reason.NOT_OUR_CHANNEL, "channel " + channel + " pays " + state.to() + ", not our address " + payee);
        }
        if (state.settling()) {
            long head = chain.chainHead();
            if (head + redeemMargin >= state.settlingAt()) {
                throw fail(PaychException.Reason.CHANNEL_SETTLING, "channel " + channel + " settles at epoch " + state.settlingAt()
                        + "; at epoch " + head + " that leaves less than the " + redeemMargin + " epochs needed to redeem");
            }
        }
        Address from = state.from().protocol() == Address.Protocol.ID ? chain.stateAccountKey(state.from()) : state.from();
        try {
            sv.verify(from, verifier);
        } catch (PaychException e) {
            if (e.reason() == PaychException.Reason.SIGNATURE_INVALID) {
                throw fail(PaychException.Reason.WRONG_SIGNER, "voucher is not signed by the channel's payer " + from + ": " + e.getMessage());
            }
            throw e;
        }
        SortedMap<Long, PaychState.LaneState> lanes = overlay(chain.laneStates(state), stored);
        PaychState.LaneState lane = lanes.get(sv.lane());
        if (lane != null) {
            if (sv.nonce() <= lane.nonce()) {
                throw fail(PaychException.Reason.NONCE_TOO_LOW, "voucher nonce " + sv.nonce() + " is not above " + lane.nonce() + " on lane " + sv.lane());
            }
            if (!sv.amount().greaterThan(lane.redeemed())) {
                throw fail(PaychException.Reason.AMOUNT_TOO_LOW, "voucher amount " + sv.amount().toAttoString()
                        + " is not above " + lane.redeemed().toAttoString() + " already on lane " + sv.lane());
            }
        }
        TokenAmount total = sv.amount();
        for (Map.Entry<Long, PaychState.LaneState> e : lanes.entrySet()) {
            if (e.getKey() != sv.lane()) {
                total = total.add(e.getValue().redeemed());
            }
        }
        if (total.greaterThan(state.balance())) {
            throw fail(PaychException.Reason.INSUFFICIENT_FUNDS, "lanes would total " + total.toAttoString() + " attoFIL but channel "
                    + channel + " holds " + state.balance().toAttoString() + " (short by " + total.subtract(state.balance()).toAttoString() + ")");
        }
        TokenAmount delta = sv.amount().subtract(lane == null ? TokenAmount.ZERO : lane.redeemed());
        if (delta.lessThan(minDelta)) {
            throw fail(PaychException.Reason.DELTA_TOO_SMALL, "voucher adds " + delta.toAttoString() + " attoFIL, at least "
                    + minDelta.toAttoString() + " is owed");
        }
        return new Checked(sv, state, lane, delta);
    }

    /** The rules that need no chain state: refuse what Lotus refuses. */
    static void checkSupported(SignedVoucher sv) {
        if (sv.extra() != null) {
            throw fail(PaychException.Reason.UNSUPPORTED_VOUCHER, "vouchers with extra data (a call at redemption) are not accepted");
        }
        if (sv.timeLockMax() != 0) {
            throw fail(PaychException.Reason.UNSUPPORTED_VOUCHER, "vouchers with a max time lock are not accepted");
        }
        if (sv.timeLockMin() != 0) {
            throw fail(PaychException.Reason.UNSUPPORTED_VOUCHER, "vouchers with a min time lock are not accepted");
        }
        if (sv.secretHash().length != 0) {
            throw fail(PaychException.Reason.UNSUPPORTED_VOUCHER, "vouchers with a secret hash are not accepted");
        }
        if (!sv.merges().isEmpty()) {
            throw fail(PaychException.Reason.UNSUPPORTED_VOUCHER, "vouchers that merge lanes are not accepted");
        }
        if (sv.amount().signum() < 0) {
            throw fail(PaychException.Reason.BAD_VOUCHER, "voucher amount is negative");
        }
    }

    private boolean paysUs(Address to) {
        if (to.equals(payee)) {
            return true;
        }
        if (to.protocol() == Address.Protocol.ID && payee.protocol() != Address.Protocol.ID) {
            return chain.stateAccountKey(to).equals(payee);
        }
        return false;
    }

    /** On-chain lane states, each replaced by the stored voucher when that has an equal or higher nonce. */
    static SortedMap<Long, PaychState.LaneState> overlay(Map<Long, PaychState.LaneState> onChain, Map<Long, SignedVoucher> stored) {
        SortedMap<Long, PaychState.LaneState> lanes = new TreeMap<>(onChain);
        for (SignedVoucher v : stored.values()) {
            PaychState.LaneState c = lanes.get(v.lane());
            if (c == null || v.nonce() >= c.nonce()) {
                lanes.put(v.lane(), new PaychState.LaneState(v.amount(), v.nonce()));
            }
        }
        return lanes;
    }

    private static PaychException fail(PaychException.Reason reason, String message) {
        return new PaychException(reason, message);
    }
}
