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
 * @param paymentInterval          agreed first payment interval (bytes)
 * @param paymentIntervalIncrease  agreed interval increase (bytes)
 * @param dataLimit     the current interval's end: bytes sent may reach it before a payment is asked (0 = none)
 * @param progress      the highest traversal index counted in {@code bytesSent} (restarts count only beyond it)
 * @param proposal      the DealProposal node as dag-cbor (a restart must carry the same), or null in records
 *                      written before restarts were supported (such a deal cannot restart)
 * @param payee         the payment address vouchers must pay, or null (free deals, older records)
 * @param pendingVoucher a voucher that was being stored (SignedVoucher CBOR), written ahead of the
 *                      voucher store's commit by versions before the credit memo ({@link CreditMemo});
 *                      start-up still credits it if the store has it. This version writes null
 * @param pendingBaseline what its lane held in the voucher store before it (its credit = amount − this)
 */
public record DealRecord(byte[] client, long transferId, long dealId, Cid payloadCid, Cid pieceCid,
                         ProviderFsm.State state, BigInteger pricePerByte, BigInteger unsealPrice, BigInteger funds,
                         long bytesSent, byte[] paymentChannel, String message, long paymentInterval,
                         long paymentIntervalIncrease, long dataLimit, long progress, byte[] proposal, byte[] payee,
                         byte[] pendingVoucher, BigInteger pendingBaseline) {
    public DealRecord {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(state, "state");
        pendingBaseline = pendingBaseline == null ? BigInteger.ZERO : pendingBaseline;
    }

    /** The same record in another state with another message. */
    public DealRecord with(ProviderFsm.State newState, String newMessage) {
        return new DealRecord(client, transferId, dealId, payloadCid, pieceCid, newState, pricePerByte, unsealPrice, funds, bytesSent,
                paymentChannel, newMessage, paymentInterval, paymentIntervalIncrease, dataLimit, progress, proposal, payee,
                pendingVoucher, pendingBaseline);
    }

    /** The same record with {@code newFunds}, {@code channel} and no pending voucher (start-up recovery). */
    public DealRecord settled(BigInteger newFunds, byte[] channel) {
        return new DealRecord(client, transferId, dealId, payloadCid, pieceCid, state, pricePerByte, unsealPrice, newFunds, bytesSent,
                channel, message, paymentInterval, paymentIntervalIncrease, dataLimit, progress, proposal, payee, null, BigInteger.ZERO);
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
                .put("interval", Wire.uint(paymentInterval))
                .put("increase", Wire.uint(paymentIntervalIncrease))
                .put("limit", Wire.uint(dataLimit))
                .put("progress", Wire.uint(progress))
                .put("proposal", proposal == null ? Node.NULL : Node.bytes(proposal))
                .put("payee", payee == null ? Node.NULL : Node.bytes(payee))
                .put("pending", pendingVoucher == null ? Node.NULL : Node.bytes(pendingVoucher))
                .put("pendingBase", Wire.bigInt(pendingBaseline))
                .build());
    }

    /** Decodes a record; keys added later (interval … payee) default to 0 / null, so older repositories still open. */
    static DealRecord decode(byte[] b) {
        Node n = DagCbor.decode(b);
        Node piece = Wire.optional(n, "piece");
        Node ch = Wire.optional(n, "paych");
        Node proposal = Wire.optional(n, "proposal");
        Node payee = Wire.optional(n, "payee");
        Node pending = Wire.optional(n, "pending");
        Node pendingBase = Wire.optional(n, "pendingBase");
        return new DealRecord(n.require("client").asBytes(), Wire.uint(n.require("xfer"), "xfer"), Wire.uint(n.require("deal"), "deal"),
                n.require("payload").asCid(), piece == null ? null : piece.asCid(), ProviderFsm.State.valueOf(n.require("state").asString()),
                Wire.bigInt(n.require("price"), "price"), Wire.bigInt(n.require("unseal"), "unseal"), Wire.bigInt(n.require("funds"), "funds"),
                Wire.uint(n.require("sent"), "sent"), ch == null ? null : ch.asBytes(), n.require("msg").asString(),
                uintOrZero(n, "interval"), uintOrZero(n, "increase"), uintOrZero(n, "limit"), uintOrZero(n, "progress"),
                proposal == null ? null : proposal.asBytes(), payee == null ? null : payee.asBytes(),
                pending == null ? null : pending.asBytes(), pendingBase == null ? BigInteger.ZERO : Wire.bigInt(pendingBase, "pendingBase"));
    }

    private static long uintOrZero(Node n, String key) {
        Node v = Wire.optional(n, key);
        return v == null ? 0 : Wire.uint(v, key);
    }
}
