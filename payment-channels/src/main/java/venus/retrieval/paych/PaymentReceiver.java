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

    /**
     * Told of every voucher {@link #accept} takes or refuses, for metrics. Called on the accepting
     * thread under the channel's lock: implementations must be quick and must not throw.
     */
    public interface Listener {
        /** Does nothing. */
        Listener NONE = new Listener() {
            @Override
            public void accepted(Address channel, TokenAmount credit) {
            }

            @Override
            public void rejected(Address channel, PaychException.Reason reason) {
            }
        };

        /** A voucher was accepted on {@code channel}, adding {@code credit} (zero for a duplicate). */
        void accepted(Address channel, TokenAmount credit);

        /** A voucher presented on {@code channel} was refused for {@code reason}; nothing was stored. */
        void rejected(Address channel, PaychException.Reason reason);
    }

    private final VoucherValidator validator;
    private final VoucherStore store;
    private final Listener listener;
    /** Channels share this many locks: a fixed table, since anyone may name any channel. */
    static final int LOCK_STRIPES = 64;
    private final Object[] locks = new Object[LOCK_STRIPES];

    /** A receiver that checks with {@code validator} and commits to {@code store}. */
    public PaymentReceiver(VoucherValidator validator, VoucherStore store) {
        this(validator, store, Listener.NONE);
    }

    /** As {@link #PaymentReceiver(VoucherValidator, VoucherStore)}, telling {@code listener} of each outcome. */
    public PaymentReceiver(VoucherValidator validator, VoucherStore store, Listener listener) {
        this.validator = validator;
        this.store = store;
        this.listener = java.util.Objects.requireNonNull(listener, "listener");
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
        return accept(channel, sv, minDelta, null);
    }

    /**
     * As {@link #accept(Address, SignedVoucher, TokenAmount)}, committing {@code memo} (if not
     * null) in the voucher's own transaction when it credits something: the caller's account of
     * the credit is on disk exactly when the voucher is (see {@link VoucherStore.Memo}).
     */
    public Accepted accept(Address channel, SignedVoucher sv, TokenAmount minDelta, VoucherStore.Memo memo) {
        synchronized (locks[Math.floorMod(channel.hashCode(), LOCK_STRIPES)]) {
            var stored = store.bestReceived(channel);
            SignedVoucher same = stored.get(sv.lane());
            if (same != null && same.equals(sv)) {
                listener.accepted(channel, TokenAmount.ZERO);
                return new Accepted(sv, TokenAmount.ZERO, store.receivedTotal(channel), true);
            }
            VoucherStore.Stored s;
            try {
                VoucherValidator.Checked c = validator.check(channel, sv, minDelta, stored);
                PaychState.LaneState lane = c.lane();
                s = store.putReceived(sv, lane == null ? TokenAmount.ZERO : lane.redeemed(), memo);
            } catch (PaychException e) {
                listener.rejected(channel, e.reason());
                throw e;
            }
            listener.accepted(channel, s.delta());
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
