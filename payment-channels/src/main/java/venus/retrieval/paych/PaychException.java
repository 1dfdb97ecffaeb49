package venus.retrieval.paych;

/**
 * The one exception type of the {@code payment-channels} module. Every failure carries a
 * machine-readable {@link Reason}; the CLI and the gateway map it to one line / a status code.
 */
public class PaychException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why a payment-channel operation failed. */
    public enum Reason {
        /** An address string or binary form is malformed (bad prefix, protocol, checksum, length). */
        BAD_ADDRESS,
        /** A token amount does not parse or is out of range. */
        BAD_AMOUNT,
        /** A private or public key is malformed or out of range. */
        BAD_KEY,
        /** A signature is malformed (wrong type byte, wrong length). */
        BAD_SIGNATURE,
        /** A well-formed signature does not verify against the expected signer. */
        SIGNATURE_INVALID,
        /** A signature type this node cannot verify locally (BLS without a chain node, delegated). */
        UNSUPPORTED_SIGNATURE,
        /** Voucher bytes do not decode as the 11-element SignedVoucher tuple. */
        BAD_VOUCHER,
        /** The voucher names another channel than the one it was presented for. */
        WRONG_CHANNEL,
        /** The channel actor does not exist on chain. */
        CHANNEL_NOT_FOUND,
        /** The channel does not pay this node (its {@code To} is not our address). */
        NOT_OUR_CHANNEL,
        /** The voucher is not signed by the channel's {@code From}. */
        WRONG_SIGNER,
        /** The voucher carries no signature. */
        UNSIGNED,
        /** The voucher's nonce is not above the lane's best nonce. */
        NONCE_TOO_LOW,
        /** The voucher does not raise the lane's amount. */
        AMOUNT_TOO_LOW,
        /** The lane totals would exceed the channel's balance. */
        INSUFFICIENT_FUNDS,
        /** The voucher adds less than the caller needs to be paid. */
        DELTA_TOO_SMALL,
        /** The channel is settling and too close to (or past) its settle epoch to redeem in time. */
        CHANNEL_SETTLING,
        /** The voucher uses a feature this node refuses, like Lotus: merges, time locks, secrets, extra calls. */
        UNSUPPORTED_VOUCHER,
        /** The wallet has no key for an address, or a key file is unreadable. */
        WALLET,
        /** The voucher store failed (I/O, LMDB). */
        STORE,
        /** A chain node call failed (transport, JSON-RPC error, unexpected answer). */
        CHAIN,
        /** The dev ledger refused a message (its exit code is in the message). */
        LEDGER
    }

    private final Reason reason;

    /** A failure of kind {@code reason} with a one-line message for operators. */
    public PaychException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** As {@link #PaychException(Reason, String)}, keeping the lower-level cause. */
    public PaychException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** The machine-readable reason for this failure. */
    public Reason reason() {
        return reason;
    }
}
