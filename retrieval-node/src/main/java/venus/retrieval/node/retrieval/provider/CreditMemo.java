package venus.retrieval.node.retrieval.provider;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import venus.retrieval.ipld.cbor.DagCbor;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.node.NodeException;
import venus.retrieval.node.retrieval.Wire;
import venus.retrieval.paych.TokenAmount;
import venus.retrieval.paych.VoucherStore;

/**
 * What a deal's funds became with a voucher, committed in the voucher's own transaction in the
 * voucher store ({@link VoucherStore.Memo}), under the deal's key. The deal record's update after
 * the voucher is written in the background; should the node stop before it lands, the memo is
 * newer than the record, and the record's funds are raised to it. It holds the deal's total, not
 * the voucher's credit, so settling from it twice (or after the record's update did land) adds
 * nothing: the funds become {@code max(record, memo)}. It names its deal, so a memo left by an
 * earlier deal on the same transfer id never credits a later one.
 *
 * @param dealId  the deal the voucher paid (the proposal's id)
 * @param funds   the deal's funds with the voucher credited (attoFIL)
 * @param channel the channel that paid it (address bytes)
 */
record CreditMemo(long dealId, BigInteger funds, byte[] channel) {
    /** Sets the deal store's and the gateway's keys apart should another user write memos. */
    private static final byte[] PREFIX = "retrieval-deal/".getBytes(StandardCharsets.US_ASCII);

    CreditMemo {
        Objects.requireNonNull(funds, "funds");
        Objects.requireNonNull(channel, "channel");
    }

    /** The memo key of {@code client}'s transfer {@code transferId}. */
    static byte[] key(byte[] client, long transferId) {
        return ByteBuffer.allocate(PREFIX.length + client.length + 8).put(PREFIX).put(client).putLong(transferId).array();
    }

    /** The memo a voucher paying {@code channel} on deal {@code dealId} holding {@code fundsBefore} writes. */
    static VoucherStore.Memo of(byte[] client, long transferId, long dealId, BigInteger fundsBefore, byte[] channel) {
        byte[] k = key(client, transferId);
        return new VoucherStore.Memo() {
            @Override
            public byte[] key() {
                return k;
            }

            @Override
            public byte[] value(TokenAmount credit) {
                return new CreditMemo(dealId, fundsBefore.add(credit.atto()), channel).encode();
            }
        };
    }

    byte[] encode() {
        return DagCbor.encode(Node.mapBuilder().put("deal", Wire.uint(dealId)).put("funds", Wire.bigInt(funds))
                .put("paych", Node.bytes(channel)).build());
    }

    /** Decodes a memo; BAD_MESSAGE when the bytes are not one. */
    static CreditMemo decode(byte[] b) {
        try {
            Node n = DagCbor.decode(b);
            return new CreditMemo(Wire.uint(n.require("deal"), "deal"), Wire.bigInt(n.require("funds"), "funds"),
                    n.require("paych").asBytes());
        } catch (RuntimeException e) { // IpldException from the codec, NodeException from Wire
            throw new NodeException(NodeException.Reason.BAD_MESSAGE, "unreadable deal credit memo: " + e.getMessage(), e);
        }
    }
}
