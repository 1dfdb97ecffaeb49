package venus.retrieval.node.retrieval.provider;

import java.math.BigInteger;
import java.util.Objects;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.cbor.DagCbor;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.node.retrieval.Wire;

/**
 * What the provider persists about one deal, on every transition.
 *
 * @param client        the client's peer id bytes
 * @param transferId    data-transfer XferID (with the client: the channel key)
 * @param dealId        the proposal's deal id
 * @param payloadCid    the DAG root
 * @param pieceCid      the piece served from
 * @param state         FSM state
 * @param pricePerByte  agreed price
 * @param unsealPrice   agreed unseal price
 * @param funds         attoFIL credited from stored vouchers
 * @param bytesSent     block bytes sent (first sends)
 * @param paymentChannel the channel paying, or null before the first voucher
 * @param message       last error or note
 */
public record DealRecord(byte[] client, long transferId, long dealId, Cid payloadCid, Cid pieceCid,
                         ProviderFsm.State state, BigInteger pricePerByte, BigInteger unsealPrice, BigInteger funds,
                         long bytesSent, byte[] paymentChannel, String message) {
    public DealRecord {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(state, "state");
    }

    byte[] encode() {
        return DagCbor.encode(Node.mapBuilder()
                .put("client", Node.bytes(client))
                .put("xfer", Wire.uint(transferId))
                .put("deal", Wire.uint(dealId))
                .put("payload", Node.link(payloadCid))
                .put("piece", pieceCid == null ? Node.NULL : Node.link(pieceCid))
                .put("state", Node.string(state.name()))
                .put("price", Wire.bigInt(pricePerByte))
                .put("unseal", Wire.bigInt(unsealPrice))
                .put("funds", Wire.bigInt(funds))
                .put("sent", Wire.uint(bytesSent))
                .put("paych", paymentChannel == null ? Node.NULL : Node.bytes(paymentChannel))
                .put("msg", Node.string(message))
                .build());
    }

    static DealRecord decode(byte[] b) {
        Node n = DagCbor.decode(b);
        Node piece = Wire.optional(n, "piece");
        Node ch = Wire.optional(n, "paych");
        return new DealRecord(n.require("client").asBytes(), Wire.uint(n.require("xfer"), "xfer"), Wire.uint(n.require("deal"), "deal"),
                n.require("payload").asCid(), piece == null ? null : piece.asCid(), ProviderFsm.State.valueOf(n.require("state").asString()),
                Wire.bigInt(n.require("price"), "price"), Wire.bigInt(n.require("unseal"), "unseal"), Wire.bigInt(n.require("funds"), "funds"),
                Wire.uint(n.require("sent"), "sent"), ch == null ? null : ch.asBytes(), n.require("msg").asString());
    }
}
