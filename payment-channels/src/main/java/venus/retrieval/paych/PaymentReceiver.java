package venus.retrieval.paych;

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
    /** Channels share this many locks: a fixed table, since anyone may name any channel. */
    static final int LOCK_STRIPES = 64;
    private final Object[] locks = new Object[LOCK_STRIPES];

    /** A receiver that checks with {@code validator} and commits to {@code store}. */
    public PaymentReceiver(VoucherValidator validator, VoucherStore store) {
        this.validator = validator;
        this.store = store;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    /**
     * Validates and durably stores {@code sv}, presented as payment on {@code channel}.
     *
     * @param minDelta the least the voucher must add (what is owed now)
     * @throws PaychException when a rule refuses it (nothing is stored then)
     */
    public Accepted accept(Address channel, SignedVoucher sv, TokenAmount minDelta) {
        synchronized (locks[Math.floorMod(channel.hashCode(), LOCK_STRIPES)]) {
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

    /** How many lock objects this receiver holds (for tests: it must not grow with the channels seen). */
    int lockTableSize() {
        return locks.length;
    }
}
