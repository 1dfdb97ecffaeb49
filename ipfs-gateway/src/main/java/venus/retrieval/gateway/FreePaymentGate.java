package venus.retrieval.gateway;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The default gate: every response is free. */
public final class FreePaymentGate implements PaymentGate {
    /** The shared instance. */
    public static final FreePaymentGate INSTANCE = new FreePaymentGate();

    private static final CompletionStage<PaymentDecision> ALLOW = CompletableFuture.completedFuture(PaymentDecision.allow());

    @Override
    public CompletionStage<PaymentDecision> decide(PaymentRequest request) {
        return ALLOW;
    }
}
