package venus.retrieval.gateway;

import java.util.concurrent.CompletionStage;

/**
 * Decides whether a response that delivers content may be sent. The server consults it after the
 * handler has prepared the response and before the first byte goes out; the decision may arrive
 * asynchronously (e.g. after a voucher was validated and stored durably).
 *
 * <p>A voucher-backed gate reads the client's payment from {@link PaymentRequest#headers()},
 * prices {@link PaymentRequest#byteCount()} bytes and answers {@link PaymentDecision#allow()},
 * {@link PaymentDecision#allowWithReceipt}, or a {@link PaymentDecision.Refuse} (typically 402
 * with a quote). {@link #delivered} then reports how many bytes actually went out.
 */
public interface PaymentGate {
    /** The decision for one response. Must not block the caller for long; complete the stage later instead. */
    CompletionStage<PaymentDecision> decide(PaymentRequest request);

    /**
     * Called once per allowed response when it ends: {@code bytesSent} body bytes were handed to the
     * connection and {@code complete} tells whether the whole body went out.
     */
    default void delivered(PaymentRequest request, long bytesSent, boolean complete) {
    }
}
