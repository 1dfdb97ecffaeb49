package venus.retrieval.node.retrieval.datatransfer;

import java.math.BigInteger;
import java.util.Objects;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.node.retrieval.Wire;

/**
 * The provider's voucher result, {@value #TYPE}: {@code {ID, Status, Message, PaymentOwed}}
 * ({@code PaymentOwed} is what is owed now, a delta, not a cumulative total).
 */
public record DealResponse(long id, int status, String message, BigInteger paymentOwed) {
    public static final String TYPE = "RetrievalDealResponse/1";

    public DealResponse {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(paymentOwed, "paymentOwed");
    }

    public static DealResponse of(long id, int status) {
        return new DealResponse(id, status, "", BigInteger.ZERO);
    }

    public Node toNode() {
        return Node.mapBuilder()
                .put("ID", Wire.uint(id))
                .put("Status", Wire.uint(status))
                .put("Message", Node.string(message))
                .put("PaymentOwed", Wire.bigInt(paymentOwed))
                .build();
    }

    public static DealResponse fromNode(Node n) {
        String w = "DealResponse";
        Wire.map(n, w);
        long status = Wire.uint(Wire.field(n, "Status", w), w + ".Status");
        Node msg = Wire.optional(n, "Message");
        Node owed = Wire.optional(n, "PaymentOwed");
        return new DealResponse(Wire.uint(Wire.field(n, "ID", w), w + ".ID"), (int) Math.min(status, Integer.MAX_VALUE),
                msg == null ? "" : Wire.text(msg, w + ".Message"),
                owed == null ? BigInteger.ZERO : Wire.amount(owed, w + ".PaymentOwed"));
    }
}
