package venus.retrieval.node.retrieval.datatransfer;

import java.util.Arrays;
import java.util.Objects;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.model.Kind;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.node.retrieval.Wire;

/**
 * A data-transfer request (go-data-transfer v2 {@code TransferRequest}, filecoin-retrieval.md §3.1).
 * Every key is written (nullable ones as null), so the canonical bytes match what Go sends.
 *
 * @param baseCid      {@code BCid}, the DAG root (New/Restart), else null
 * @param type         {@code Type}, a {@link MessageType} value
 * @param paused       {@code Paus}
 * @param partial      {@code Part}
 * @param pull         {@code Pull}, true for retrieval
 * @param selector     {@code Stor}, the selector node or null
 * @param voucher      {@code Vouch}, the voucher node or null
 * @param voucherType  {@code VTyp}, "" when none
 * @param transferId   {@code XferID} (uint64 bits)
 * @param restart      {@code RestartChannel} (only meaningful for type 7; {@link ChannelRef#EMPTY} otherwise)
 */
public record TransferRequest(Cid baseCid, int type, boolean paused, boolean partial, boolean pull, Node selector,
                              Node voucher, String voucherType, long transferId, ChannelRef restart) {
    /** {@code [initiator peer id bytes, responder peer id bytes, transfer id]}; peer ids are raw bytes in CBOR text. */
    public record ChannelRef(byte[] initiator, byte[] responder, long transferId) {
        public static final ChannelRef EMPTY = new ChannelRef(new byte[0], new byte[0], 0);

        public ChannelRef {
            initiator = initiator.clone();
            responder = responder.clone();
        }

        @Override
        public byte[] initiator() {
            return initiator.clone();
        }

        @Override
        public byte[] responder() {
            return responder.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ChannelRef c && Arrays.equals(c.initiator, initiator) && Arrays.equals(c.responder, responder)
                    && c.transferId == transferId;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(initiator) * 31 + Arrays.hashCode(responder) + Long.hashCode(transferId);
        }

        Node toNode() {
            return Node.list(Node.stringBytes(initiator), Node.stringBytes(responder), Wire.uint(transferId));
        }

        static ChannelRef fromNode(Node n) {
            if (n.kind() != Kind.LIST || n.size() != 3) {
                throw Wire.bad("TransferRequest.RestartChannel: expected a 3-element list");
            }
            Node a = n.get(0);
            Node b = n.get(1);
            if (a.kind() != Kind.STRING || b.kind() != Kind.STRING) {
                throw Wire.bad("TransferRequest.RestartChannel: peer ids must be text");
            }
            return new ChannelRef(a.asStringBytes(), b.asStringBytes(), Wire.uint(n.get(2), "RestartChannel.transferID"));
        }
    }

    public TransferRequest {
        Objects.requireNonNull(voucherType, "voucherType");
        Objects.requireNonNull(restart, "restart");
        selector = selector == null || selector.isNull() ? null : selector;
        voucher = voucher == null || voucher.isNull() ? null : voucher;
    }

    /** A new pull request (retrieval) with a voucher. */
    public static TransferRequest newPull(long transferId, Cid root, Node selector, String voucherType, Node voucher) {
        return new TransferRequest(root, MessageType.NEW, false, false, true, selector, voucher, voucherType, transferId, ChannelRef.EMPTY);
    }

    /** A restart of a pull channel (type 6): the same transfer id, root, selector and voucher as its New. */
    public static TransferRequest restartPull(long transferId, Cid root, Node selector, String voucherType, Node voucher) {
        return new TransferRequest(root, MessageType.RESTART, false, false, true, selector, voucher, voucherType, transferId, ChannelRef.EMPTY);
    }

    /** A voucher on an open channel. */
    public static TransferRequest voucher(long transferId, String voucherType, Node voucher) {
        return new TransferRequest(null, MessageType.VOUCHER, false, false, false, null, voucher, voucherType, transferId, ChannelRef.EMPTY);
    }

    /** A cancel of the channel. */
    public static TransferRequest cancel(long transferId) {
        return new TransferRequest(null, MessageType.CANCEL, false, false, false, null, null, "", transferId, ChannelRef.EMPTY);
    }

    /** A pause/resume update from the requester. */
    public static TransferRequest update(long transferId, boolean paused) {
        return new TransferRequest(null, MessageType.UPDATE, paused, false, false, null, null, "", transferId, ChannelRef.EMPTY);
    }

    Node toNode() {
        return Node.mapBuilder()
                .put("BCid", baseCid == null ? Node.NULL : Node.link(baseCid))
                .put("Type", Wire.uint(type))
                .put("Paus", Node.bool(paused))
                .put("Part", Node.bool(partial))
                .put("Pull", Node.bool(pull))
                .put("Stor", selector == null ? Node.NULL : selector)
                .put("Vouch", voucher == null ? Node.NULL : voucher)
                .put("VTyp", Node.string(voucherType))
                .put("XferID", Wire.uint(transferId))
                .put("RestartChannel", restart.toNode())
                .build();
    }

    static TransferRequest fromNode(Node n) {
        String w = "TransferRequest";
        Wire.map(n, w);
        Node bcid = Wire.optional(n, "BCid");
        Node vt = Wire.optional(n, "VTyp");
        Node rc = Wire.optional(n, "RestartChannel");
        long type = Wire.uint(Wire.field(n, "Type", w), w + ".Type");
        if (type > 255) {
            throw Wire.bad(w + ".Type " + type + " out of range");
        }
        return new TransferRequest(
                bcid == null ? null : Wire.cid(bcid, w + ".BCid"),
                (int) type,
                boolOrFalse(n, "Paus"), boolOrFalse(n, "Part"), boolOrFalse(n, "Pull"),
                Wire.optional(n, "Stor"), Wire.optional(n, "Vouch"),
                vt == null ? "" : Wire.text(vt, w + ".VTyp"),
                Wire.uint(Wire.field(n, "XferID", w), w + ".XferID"),
                rc == null ? ChannelRef.EMPTY : ChannelRef.fromNode(rc));
    }

    static boolean boolOrFalse(Node n, String key) {
        Node v = Wire.optional(n, key);
        return v != null && Wire.bool(v, key);
    }
}
