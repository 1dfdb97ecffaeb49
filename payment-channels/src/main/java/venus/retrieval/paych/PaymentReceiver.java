package venus.retrieval.paych;

import java.util.concurrent.ConcurrentHashMap;
import venus.retrieval.paych.chain.PaychState;

/**
 * Takes vouchers paid to this node: validates each one ({@link VoucherValidator}) and commits it
 * to the {@link VoucherStore} before returning, so "accepted" always means "on disk". Vouchers of
 * one channel are processed one at a time (the balance rule spans lanes); an exact copy of the
 * stored best voucher is accepted again with a credit of zero, so a retried payment is harmless.
 * Both the paid gateway and the retrieval protocol use this one path.
 */
public final class PaymentReceiver {
    /** A voucher accepted and durably stored; {@code credit} is what it adds (zero for a duplicate). */
    public record Accepted(SignedVoucher voucher, TokenAmount credit, TokenAmount channelTotal, boolean duplicate) {}

    private final VoucherValidator validator;
    private final VoucherStore store;
    private final ConcurrentHashMap<Address, Object> locks = new ConcurrentHashMap<>();

    /** A receiver that checks with {@code validator} and commits to {@code store}. */
    public PaymentReceiver(VoucherValidator validator, VoucherStore store) {
        this.validator = validator;
        this.store = store;
    }

    /**
     * Validates and durably stores {@code sv}, presented as payment on {@code channel}.
     *
     * @param minDelta the least the voucher must add (what is owed now)
     * @throws PaychException when a rule refuses it (nothing is stored then)
     */
    public Accepted accept(Address channel, SignedVoucher sv, TokenAmount minDelta) {
        synchronized (locks.computeIfAbsent(channel, c -> new Object())) {
            var stored = store.bestReceived(channel);
            SignedVoucher same = stored.get(sv.lane());
            if (same != null && same.equals(sv)) {
                return new Accepted(sv, TokenAmount.ZERO, store.receivedTotal(channel), true);
            }
            VoucherValidator.Checked c = validator.check(channel, sv, minDelta, stored);
            PaychState.LaneState lane = c.lane();
            VoucherStore.Stored s = store.putReceived(sv, lane == null ? TokenAmount.ZERO : lane.redeemed());
            return new Accepted(sv, s.delta(), s.channelTotal(), s.duplicate());
        }
    }

    /** The store behind this receiver. */
    public VoucherStore store() {
        return store;
    }

    /** Our payment address. */
    public Address payee() {
        return validator.payee();
    }
}
