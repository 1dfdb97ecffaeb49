package venus.retrieval.gateway;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/** What a {@link PaymentGate} decided for one response. */
public sealed interface PaymentDecision {

    /** Send the response, adding {@code headers} (e.g. a receipt) to it. */
    record Allow(Map<String, String> headers) implements PaymentDecision {
        public Allow {
            headers = Map.copyOf(headers);
        }
    }

    /** Do not send the content; answer {@code status} (e.g. 402 with a quote) instead. */
    record Refuse(int status, Map<String, String> headers, String contentType, byte[] body) implements PaymentDecision {
        public Refuse {
            if (status < 400 || status > 599) {
                throw new IllegalArgumentException("a refusal needs a 4xx/5xx status, got " + status);
            }
            headers = Map.copyOf(headers);
            Objects.requireNonNull(contentType, "contentType");
            body = body.clone();
        }
    }

    /** Allow without extra headers. */
    static PaymentDecision allow() {
        return new Allow(Map.of());
    }

    /** Allow, adding receipt headers to the response. */
    static PaymentDecision allowWithReceipt(Map<String, String> receiptHeaders) {
        return new Allow(receiptHeaders);
    }

    /** Refuse with {@code 402 Payment Required} and a JSON quote body. */
    static PaymentDecision paymentRequired(String quoteJson, Map<String, String> headers) {
        return new Refuse(402, headers, "application/json", quoteJson.getBytes(StandardCharsets.UTF_8));
    }
}
