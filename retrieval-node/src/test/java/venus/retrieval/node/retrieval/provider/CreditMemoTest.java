package venus.retrieval.node.retrieval.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.cbor.DagCbor;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.node.NodeException;
import venus.retrieval.paych.TokenAmount;
import venus.retrieval.paych.VoucherStore;

/** The deal credit memo a voucher carries into the voucher store: the deal's total, keyed per transfer. */
class CreditMemoTest {
    @Test
    void theMemoHoldsTheDealsFundsWithTheVoucher() {
        VoucherStore.Memo m = CreditMemo.of(new byte[] {1, 2}, 7, -3L, new BigInteger("1000000000000000000000"), new byte[] {2, 9});
        CreditMemo back = CreditMemo.decode(m.value(TokenAmount.ofAtto(250)));
        assertThat(back.dealId()).isEqualTo(-3L); // uint64 on the wire
        assertThat(back.funds()).isEqualTo(new BigInteger("1000000000000000000250"));
        assertThat(back.channel()).containsExactly(2, 9);
        assertThat(m.key()).isEqualTo(CreditMemo.key(new byte[] {1, 2}, 7));
    }

    @Test
    void keysSetTransfersApart() {
        assertThat(CreditMemo.key(new byte[] {1, 2}, 7)).isNotEqualTo(CreditMemo.key(new byte[] {1, 2}, 8));
        assertThat(CreditMemo.key(new byte[] {1, 2}, 7)).isNotEqualTo(CreditMemo.key(new byte[] {1, 3}, 7));
        assertThat(CreditMemo.key(new byte[38], -1L).length).isLessThanOrEqualTo(VoucherStore.MAX_MEMO_KEY);
    }

    @Test
    void bytesThatAreNoMemoAreABadMessage() {
        assertThatThrownBy(() -> CreditMemo.decode(new byte[] {(byte) 0xff}))
                .isInstanceOf(NodeException.class).extracting(e -> ((NodeException) e).reason()).isEqualTo(NodeException.Reason.BAD_MESSAGE);
        byte[] noFunds = DagCbor.encode(Node.mapBuilder().put("deal", Node.unsigned(1)).put("paych", Node.bytes(new byte[] {1})).build());
        assertThatThrownBy(() -> CreditMemo.decode(noFunds)).isInstanceOf(NodeException.class).hasMessageContaining("funds");
    }
}
