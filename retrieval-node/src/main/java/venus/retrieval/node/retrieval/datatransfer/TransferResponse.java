package venus.retrieval.node.retrieval.datatransfer;

import java.util.Objects;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.node.retrieval.Wire;

/**
 * A data-transfer response (go-data-transfer v2 {@code TransferResponse}, filecoin-retrieval.md §3.1).
 *
 * @param type              {@code Type}, a {@link MessageType} value
 * @param accepted          {@code Acpt}
 * @param paused            {@code Paus} (responder paused; on Complete: waiting for settlement)
 * @param transferId        {@code XferID}
 * @param voucherResult     {@code VRes}, or null
 * @param voucherResultType {@code VTyp}, "" when none
 */
public record TransferResponse(int type, boolean accepted, boolean paused, long transferId, Node voucherResult,
                               String voucherResultType) {
    public TransferResponse {
        Objects.requireNonNull(voucherResultType, "voucherResultType");
        voucherResult = voucherResult == null || voucherResult.isNull() ? null : voucherResult;
    }

    /** Whether this type carries a validation result (0, 3, 5, 6): {@code Acpt=false} fails the channel. */
    public boolean isValidationResult() {
        return type == MessageType.NEW || type == MessageType.COMPLETE || type == MessageType.VOUCHER_RESULT
                || type == MessageType.RESTART;
    }

    Node toNode() {
        return Node.mapBuilder()
                .put("Type", Wire.uint(type))
                .put("Acpt", Node.bool(accepted))
                .put("Paus", Node.bool(paused))
                .put("XferID", Wire.uint(transferId))
                .put("VRes", voucherResult == null ? Node.NULL : voucherResult)
                .put("VTyp", Node.string(voucherResultType))
                .build();
    }

    static TransferResponse fromNode(Node n) {
        String w = "TransferResponse";
        Wire.map(n, w);
        long type = Wire.uint(Wire.field(n, "Type", w), w + ".Type");
        if (type > 255) {
            throw Wire.bad(w + ".Type " + type + " out of range");
        }
        Node vt = Wire.optional(n, "VTyp");
        return new TransferResponse((int) type, TransferRequest.boolOrFalse(n, "Acpt"), TransferRequest.boolOrFalse(n, "Paus"),
                Wire.uint(Wire.field(n, "XferID", w), w + ".XferID"), Wire.optional(n, "VRes"),
                vt == null ? "" : Wire.text(vt, w + ".VTyp"));
    }
}
