package venus.retrieval.node.retrieval.datatransfer;

import java.math.BigInteger;
import java.util.Objects;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.node.retrieval.Wire;

/**
 * The retrieval deal proposal voucher, {@value #TYPE} (go-fil-markets {@code DealProposal},
 * filecoin-retrieval.md §3.3): {@code {ID, PayloadCID, Params}}.
 *
 * @param id                      client-chosen deal id (uint64 bits)
 * @param payloadCid              the DAG root
 * @param pieceCid                {@code Params.PieceCID} or null
 * @param selector                {@code Params.Selector} or null (= explore all recursively)
 * @param pricePerByte            attoFIL per byte
 * @param paymentInterval         bytes before the first payment
 * @param paymentIntervalIncrease interval growth per payment
 * @param unsealPrice             one-time unseal fee
 */
public record DealProposal(long id, Cid payloadCid, Cid pieceCid, Node selector, BigInteger pricePerByte,
                           long paymentInterval, long paymentIntervalIncrease, BigInteger unsealPrice) {
    public static final String TYPE = "RetrievalDealProposal/1";

    public DealProposal {
        Objects.requireNonNull(payloadCid, "payloadCid");
        Objects.requireNonNull(pricePerByte, "pricePerByte");
        Objects.requireNonNull(unsealPrice, "unsealPrice");
        selector = selector == null || selector.isNull() ? null : selector;
    }

    public Node toNode() {
        Node params = Node.mapBuilder()
                .put("PieceCID", pieceCid == null ? Node.NULL : Node.link(pieceCid))
                .put("Selector", selector == null ? Node.NULL : selector)
                .put("UnsealPrice", Wire.bigInt(unsealPrice))
                .put("PricePerByte", Wire.bigInt(pricePerByte))
                .put("PaymentInterval", Wire.uint(paymentInterval))
                .put("PaymentIntervalIncrease", Wire.uint(paymentIntervalIncrease))
                .build();
        return Node.mapBuilder().put("ID", Wire.uint(id)).put("PayloadCID", Node.link(payloadCid)).put("Params", params).build();
    }

    public static DealProposal fromNode(Node n) {
        String w = "DealProposal";
        Wire.map(n, w);
        Node p = Wire.map(Wire.field(n, "Params", w), w + ".Params");
        Node piece = Wire.optional(p, "PieceCID");
        return new DealProposal(
                Wire.uint(Wire.field(n, "ID", w), w + ".ID"),
                Wire.cid(Wire.field(n, "PayloadCID", w), w + ".PayloadCID"),
                piece == null ? null : Wire.cid(piece, w + ".Params.PieceCID"),
                Wire.optional(p, "Selector"),
                Wire.amount(Wire.field(p, "PricePerByte", w), w + ".Params.PricePerByte"),
                Wire.uint(Wire.field(p, "PaymentInterval", w), w + ".Params.PaymentInterval"),
                Wire.uint(Wire.field(p, "PaymentIntervalIncrease", w), w + ".Params.PaymentIntervalIncrease"),
                Wire.amount(Wire.field(p, "UnsealPrice", w), w + ".Params.UnsealPrice"));
    }
}
