package venus.retrieval.node.retrieval.datatransfer;

import java.util.Objects;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.cbor.DagCbor;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.node.retrieval.Wire;
import venus.retrieval.paych.Address;
import venus.retrieval.paych.PaychException;
import venus.retrieval.paych.SignedVoucher;

/**
 * The client's payment voucher, {@value #TYPE}: {@code {ID, PaymentChannel, PaymentVoucher}} with
 * the signed voucher as its 11-element tuple (or null).
 */
public record DealPayment(long id, Address paymentChannel, SignedVoucher voucher) {
    public static final String TYPE = "RetrievalDealPayment/1";

    public DealPayment {
        Objects.requireNonNull(paymentChannel, "paymentChannel");
    }

    public Node toNode() {
        return Node.mapBuilder()
                .put("ID", Wire.uint(id))
                .put("PaymentChannel", Wire.address(paymentChannel))
                .put("PaymentVoucher", voucher == null ? Node.NULL : DagCbor.decode(voucher.toCbor()))
                .build();
    }

    public static DealPayment fromNode(Node n) {
        String w = "DealPayment";
        Wire.map(n, w);
        Node v = Wire.optional(n, "PaymentVoucher");
        SignedVoucher sv = null;
        if (v != null) {
            try {
                sv = SignedVoucher.fromCbor(DagCbor.encode(v));
            } catch (PaychException | IpldException e) {
                throw Wire.bad(w + ".PaymentVoucher: " + e.getMessage());
            }
        }
        return new DealPayment(Wire.uint(Wire.field(n, "ID", w), w + ".ID"),
                Wire.address(Wire.field(n, "PaymentChannel", w), w + ".PaymentChannel"), sv);
    }
}
