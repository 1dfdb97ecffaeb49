package venus.retrieval.node.daemon;

import java.util.concurrent.CompletionStage;
import venus.retrieval.gateway.PaymentDecision;
import venus.retrieval.gateway.PaymentGate;
import venus.retrieval.gateway.PaymentRequest;
import venus.retrieval.node.metrics.ServedMeters;

/**
 * Counts the HTTP gateway's content traffic at the daemon's wiring boundary: every response with
 * content passes the payment gate (free or paid), which is told how many body bytes went out.
 */
final class CountingPaymentGate implements PaymentGate {
    private final PaymentGate next;
    private final ServedMeters meters;

    CountingPaymentGate(PaymentGate next, ServedMeters meters) {
        this.next = next;
        this.meters = meters;
    }

    @Override
    public CompletionStage<PaymentDecision> decide(PaymentRequest request) {
        meters.requests().increment();
        return next.decide(request);
    }

    @Override
    public void delivered(PaymentRequest request, long bytesSent, boolean complete) {
        meters.bytes().increment(bytesSent);
        next.delivered(request, bytesSent, complete);
    }
}
