package venus.retrieval.node.retrieval.query;

import java.math.BigInteger;
import java.util.Objects;
import venus.retrieval.ipld.cbor.DagCbor;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.node.retrieval.Wire;
import venus.retrieval.paych.Address;

/**
 * The answer to a {@link Query} (filecoin-retrieval.md §2.2).
 *
 * @param status                     0 available, 1 unavailable, 2 error
 * @param pieceCidFound              0 available, 1 unavailable, 2 unknown
 * @param size                       unpadded size of the piece
 * @param paymentAddress             where payment channels must point (never null)
 * @param minPricePerByte            attoFIL per byte
 * @param maxPaymentInterval         first payment interval, bytes
 * @param maxPaymentIntervalIncrease interval growth per payment, bytes
 * @param message                    human-readable reason
 * @param unsealPrice                one-time unseal fee, attoFIL
 */
public record QueryResponse(int status, int pieceCidFound, long size, Address paymentAddress, BigInteger minPricePerByte,
                            long maxPaymentInterval, long maxPaymentIntervalIncrease, String message, BigInteger unsealPrice) {
    public static final int AVAILABLE = 0, UNAVAILABLE = 1, ERROR = 2;
    public static final int PIECE_AVAILABLE = 0, PIECE_UNAVAILABLE = 1, PIECE_UNKNOWN = 2;

    public QueryResponse {
        Objects.requireNonNull(paymentAddress, "paymentAddress (an empty address cannot be encoded)");
        Objects.requireNonNull(minPricePerByte, "minPricePerByte");
        Objects.requireNonNull(unsealPrice, "unsealPrice");
        Objects.requireNonNull(message, "message");
    }

    public Node toNode() {
        return Node.mapBuilder()
                .put("Status", Wire.uint(status))
                .put("PieceCIDFound", Wire.uint(pieceCidFound))
                .put("Size", Wire.uint(size))
                .put("PaymentAddress", Wire.address(paymentAddress))
                .put("MinPricePerByte", Wire.bigInt(minPricePerByte))
                .put("MaxPaymentInterval", Wire.uint(maxPaymentInterval))
                .put("MaxPaymentIntervalIncrease", Wire.uint(maxPaymentIntervalIncrease))
                .put("Message", Node.string(message))
                .put("UnsealPrice", Wire.bigInt(unsealPrice))
                .build();
    }

    public byte[] encode() {
        return DagCbor.encode(toNode());
    }

    public static QueryResponse fromNode(Node n) {
        String w = "QueryResponse";
        Wire.map(n, w);
        return new QueryResponse(
                (int) Math.min(Integer.MAX_VALUE, Wire.uint(Wire.field(n, "Status", w), w + ".Status")),
                (int) Math.min(Integer.MAX_VALUE, Wire.uint(Wire.field(n, "PieceCIDFound", w), w + ".PieceCIDFound")),
                Wire.uint(Wire.field(n, "Size", w), w + ".Size"),
                Wire.address(Wire.field(n, "PaymentAddress", w), w + ".PaymentAddress"),
                Wire.amount(Wire.field(n, "MinPricePerByte", w), w + ".MinPricePerByte"),
                Wire.uint(Wire.field(n, "MaxPaymentInterval", w), w + ".MaxPaymentInterval"),
                Wire.uint(Wire.field(n, "MaxPaymentIntervalIncrease", w), w + ".MaxPaymentIntervalIncrease"),
                Wire.text(Wire.field(n, "Message", w), w + ".Message"),
                Wire.amount(Wire.field(n, "UnsealPrice", w), w + ".UnsealPrice"));
    }

    public static QueryResponse decode(byte[] bytes) {
        return fromNode(QueryProtocol.decodeNode(bytes, "QueryResponse"));
    }
}
