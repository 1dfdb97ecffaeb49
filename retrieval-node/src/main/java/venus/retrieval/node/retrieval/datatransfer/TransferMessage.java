package venus.retrieval.node.retrieval.datatransfer;

import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.cbor.DagCbor;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.node.retrieval.Wire;

/**
 * The data-transfer 1.2 message ({@code TransferMessage}: {@code IsRq}, {@code Request},
 * {@code Response}; exactly one of the two is non-null). The same node travels as the value of
 * the graphsync extension {@value #EXTENSION} and, alone, on {@code /fil/datatransfer/1.2.0} streams.
 */
public record TransferMessage(TransferRequest request, TransferResponse response) {
    /** The graphsync extension that carries a data-transfer message. */
    public static final String EXTENSION = "fil/data-transfer/1.1";
    /** Duplicate of {@link #EXTENSION} on the first response (Go clients read either). */
    public static final String EXTENSION_INCOMING_REQUEST = "fil/data-transfer/incoming-request/1.1";
    /** Duplicate of {@link #EXTENSION} on block-attached updates. */
    public static final String EXTENSION_OUTGOING_BLOCK = "fil/data-transfer/outgoing-block/1.1";

    public TransferMessage {
        if ((request == null) == (response == null)) {
            throw new IllegalArgumentException("a TransferMessage carries exactly one of request and response");
        }
    }

    public static TransferMessage of(TransferRequest r) {
        return new TransferMessage(r, null);
    }

    public static TransferMessage of(TransferResponse r) {
        return new TransferMessage(null, r);
    }

    public boolean isRequest() {
        return request != null;
    }

    /** The transfer id either side names. */
    public long transferId() {
        return request != null ? request.transferId() : response.transferId();
    }

    public Node toNode() {
        return Node.mapBuilder()
                .put("IsRq", Node.bool(request != null))
                .put("Request", request == null ? Node.NULL : request.toNode())
                .put("Response", response == null ? Node.NULL : response.toNode())
                .build();
    }

    /** Canonical dag-cbor bytes. */
    public byte[] encode() {
        return DagCbor.encode(toNode());
    }

    /** Reads a message in any key order; BAD_MESSAGE when it is not one. */
    public static TransferMessage fromNode(Node n) {
        Wire.map(n, "TransferMessage");
        boolean isRq = Wire.bool(Wire.field(n, "IsRq", "TransferMessage"), "TransferMessage.IsRq");
        if (isRq) {
            Node r = Wire.optional(n, "Request");
            if (r == null) {
                throw Wire.bad("TransferMessage: IsRq but no Request");
            }
            return of(TransferRequest.fromNode(r));
        }
        Node r = Wire.optional(n, "Response");
        if (r == null) {
            throw Wire.bad("TransferMessage: not IsRq but no Response");
        }
        return of(TransferResponse.fromNode(r));
    }

    public static TransferMessage decode(byte[] bytes) {
        try {
            return fromNode(DagCbor.decode(bytes));
        } catch (IpldException e) {
            throw Wire.bad("TransferMessage: " + e.getMessage());
        }
    }
}
