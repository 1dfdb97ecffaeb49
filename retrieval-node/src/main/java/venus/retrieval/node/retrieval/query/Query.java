package venus.retrieval.node.retrieval.query;

import java.util.Objects;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.cbor.DagCbor;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.node.retrieval.Wire;

/**
 * A retrieval query (filecoin-retrieval.md §2.1): {@code {PayloadCID, QueryParams: {PieceCID}}}.
 *
 * @param payloadCid the root of the wanted DAG
 * @param pieceCid   restrict the answer to this piece, or null
 */
public record Query(Cid payloadCid, Cid pieceCid) {
    public Query {
        Objects.requireNonNull(payloadCid, "payloadCid");
    }

    /** The data-model form (canonical key order comes from the encoder). */
    public Node toNode() {
        return Node.mapBuilder()
                .put("PayloadCID", Node.link(payloadCid))
                .put("QueryParams", Node.mapBuilder().put("PieceCID", pieceCid == null ? Node.NULL : Node.link(pieceCid)).build())
                .build();
    }

    /** Canonical dag-cbor bytes. */
    public byte[] encode() {
        return DagCbor.encode(toNode());
    }

    /** Reads a query in any key order; unknown keys are ignored. */
    public static Query fromNode(Node n) {
        Wire.map(n, "Query");
        Cid payload = Wire.cid(Wire.field(n, "PayloadCID", "Query"), "Query.PayloadCID");
        Node params = Wire.optional(n, "QueryParams");
        Cid piece = null;
        if (params != null) {
            Wire.map(params, "Query.QueryParams");
            Node p = Wire.optional(params, "PieceCID");
            piece = p == null ? null : Wire.cid(p, "Query.QueryParams.PieceCID");
        }
        return new Query(payload, piece);
    }

    /** Decodes one query. */
    public static Query decode(byte[] bytes) {
        return fromNode(QueryProtocol.decodeNode(bytes, "Query"));
    }
}
