package venus.retrieval.node.retrieval.datatransfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.cbor.DagCbor;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.ipld.traversal.Selectors;
import venus.retrieval.node.NodeException;
import venus.retrieval.paych.Address;

/** filecoin-retrieval.md §10.3–§10.5 data-transfer and voucher vectors. */
public class TransferMessageTest {
    static final HexFormat HEX = HexFormat.of();
    static final Cid QM = Cid.parse("QmTTA2daxGqo5denp6SwLzzkLJm3fuisYEi9CoWsuHpzfb");
    static final String ALL = "a16152a2616ca1646e6f6e65a0623a3ea16161a1613ea16140a0";

    // §10.4 go-data-transfer cbor-gen compat (struct order, decode only)
    static final String RESTART_EXISTING = "a36449735271f56752657175657374aa6442436964f66454797065076450617573f46450617274f46450756c6cf46453746f72f665566f756368f664565479706066586665724944006e526573746172744368616e6e656c83613161320168526573706f6e7365f6";
    // §10.4 rs-graphsync DT New pull request with RetrievalDealProposal/1 (struct order)
    static final String RS_NEW = "a36449735271f56752657175657374aa6442436964d82a5827000171a0e402200a2439495cfb5eafbb79669f644ca2c5a3d31b28e96c424cde5dd0e540a7d9486454797065006450617573f46450617274f46450756c6cf56453746f72a16152a2616ca1646e6f6e65a0623a3ea16161a1613ea16140a065566f756368a36a5061796c6f6164434944d82a5827000171a0e402200a2439495cfb5eafbb79669f644ca2c5a3d31b28e96c424cde5dd0e540a7d9486249440166506172616d73a66853656c6563746f72a16152a2616ca1646e6f6e65a0623a3ea16161a1613ea16140a0685069656365434944f66c5072696365506572427974654200646f5061796d656e74496e74657276616c192710775061796d656e74496e74657276616c496e6372656173651903e86b556e7365616c50726963654064565479707752657472696576616c4465616c50726f706f73616c2f3166586665724944016e526573746172744368616e6e656c8360600068526573706f6e7365f6";
    // §10.5 (canonical)
    static final String DEAL_PAYMENT = "a36249440c6e5061796d656e744368616e6e656c4300f2076e5061796d656e74566f75636865728b4300f207000040f6000144000186a000805842016b24666104026adac42c1736af07eed23264d04995afe79571c0ec4e1b4cd5957392b0b9ddaeaa560ae016407c387a2265294d996fe798253b1b63ce8447a8da01";
    public static final String DT_VOUCHER = "a36449735271f56752657175657374aa6442436964f66450617274f46450617573f46450756c6cf46453746f72f664547970650464565479707652657472696576616c4465616c5061796d656e742f3165566f756368a36249440c6e5061796d656e744368616e6e656c4300f2076e5061796d656e74566f75636865728b4300f207000040f6000144000186a000805842016b24666104026adac42c1736af07eed23264d04995afe79571c0ec4e1b4cd5957392b0b9ddaeaa560ae016407c387a2265294d996fe798253b1b63ce8447a8da0166586665724944016e526573746172744368616e6e656c8360600068526573706f6e7365f6";
    static final String DT_NEW_RESPONSE = "a36449735271f46752657175657374f668526573706f6e7365a66441637074f56450617573f56454797065006456526573a46249440c6653746174757306674d657373616765606b5061796d656e744f7765644064565479707752657472696576616c4465616c526573706f6e73652f316658666572494401";
    // §10.3 (cpp-filecoin: struct order, and the canonical re-encoding)
    static final String PROPOSAL_STRUCT = "a36a5061796c6f6164434944d82a58230012204bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a6249440c66506172616d73a66853656c6563746f72a16152a2616ca1646e6f6e65a0623a3ea16161a1613ea16140a0685069656365434944d82a58230012204bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a6c50726963655065724279746542000c6f5061796d656e74496e74657276616c18de775061796d656e74496e74657276616c496e63726561736518216b556e7365616c5072696365420017";
    static final String PROPOSAL_CANONICAL = "a36249440c66506172616d73a6685069656365434944d82a58230012204bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a6853656c6563746f72a16152a2616ca1646e6f6e65a0623a3ea16161a1613ea16140a06b556e7365616c50726963654200176c50726963655065724279746542000c6f5061796d656e74496e74657276616c18de775061796d656e74496e74657276616c496e63726561736518216a5061796c6f6164434944d82a58230012204bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a";
    static final String RESPONSE_STRUCT = "a466537461747573066249440c6b5061796d656e744f7765644200de674d657373616765676d657373616765";
    static final String RESPONSE_CANONICAL = "a46249440c6653746174757306674d657373616765676d6573736167656b5061796d656e744f7765644200de";

    @Test
    void restartExistingChannelRequestInStructOrder() {
        TransferMessage m = TransferMessage.decode(HEX.parseHex(RESTART_EXISTING));
        TransferRequest r = m.request();
        assertThat(r.type()).isEqualTo(MessageType.RESTART_EXISTING_CHANNEL);
        assertThat(r.baseCid()).isNull();
        assertThat(r.restart()).isEqualTo(new TransferRequest.ChannelRef("1".getBytes(), "2".getBytes(), 1));
        // canonical re-encoding decodes to the same message
        assertThat(TransferMessage.decode(m.encode())).isEqualTo(m);
    }

    @Test
    void rsGraphsyncNewPullRequestWithDealProposal() {
        TransferMessage m = TransferMessage.decode(HEX.parseHex(RS_NEW));
        TransferRequest r = m.request();
        Cid root = Cid.parse("bafy2bzaceafciokjlt5v5l53pftj6zcmulc2huy3fduwyqsm3zo5bzkau7muq");
        assertThat(r.type()).isEqualTo(MessageType.NEW);
        assertThat(r.pull()).isTrue();
        assertThat(r.baseCid()).isEqualTo(root);
        assertThat(HEX.formatHex(DagCbor.encode(r.selector()))).isEqualTo(ALL);
        assertThat(r.voucherType()).isEqualTo(DealProposal.TYPE);
        assertThat(r.transferId()).isEqualTo(1);
        assertThat(r.restart()).isEqualTo(TransferRequest.ChannelRef.EMPTY);
        DealProposal p = DealProposal.fromNode(r.voucher());
        assertThat(p).isEqualTo(new DealProposal(1, root, null, Selectors.exploreAllRecursively(),
                BigInteger.valueOf(100), 10000, 1000, BigInteger.ZERO));
        assertThat(TransferMessage.decode(m.encode())).isEqualTo(m);
    }

    @Test
    void paymentAndResponseVectorsAreCanonical() {
        DealPayment pay = DealPayment.fromNode(DagCbor.decode(HEX.parseHex(DEAL_PAYMENT)));
        assertThat(pay.id()).isEqualTo(12);
        assertThat(pay.paymentChannel()).isEqualTo(Address.id(1010));
        assertThat(pay.voucher().amount().atto()).isEqualTo(100000);
        assertThat(HEX.formatHex(DagCbor.encode(pay.toNode()))).isEqualTo(DEAL_PAYMENT);

        TransferMessage v = TransferMessage.decode(HEX.parseHex(DT_VOUCHER));
        assertThat(v).isEqualTo(TransferMessage.of(TransferRequest.voucher(1, DealPayment.TYPE, pay.toNode())));
        assertThat(HEX.formatHex(v.encode())).isEqualTo(DT_VOUCHER);

        TransferMessage resp = TransferMessage.decode(HEX.parseHex(DT_NEW_RESPONSE));
        TransferMessage expected = TransferMessage.of(new TransferResponse(MessageType.NEW, true, true, 1,
                DealResponse.of(12, DealStatus.ACCEPTED).toNode(), DealResponse.TYPE));
        assertThat(resp).isEqualTo(expected);
        assertThat(HEX.formatHex(expected.encode())).isEqualTo(DT_NEW_RESPONSE);
    }

    @Test
    void proposalAndDealResponseStructOrderDecodeAndReencodeCanonically() {
        DealProposal p = DealProposal.fromNode(DagCbor.decode(HEX.parseHex(PROPOSAL_STRUCT)));
        assertThat(p).isEqualTo(new DealProposal(12, QM, QM, Selectors.exploreAllRecursively(), BigInteger.valueOf(12), 222, 33,
                BigInteger.valueOf(23)));
        assertThat(HEX.formatHex(DagCbor.encode(p.toNode()))).isEqualTo(PROPOSAL_CANONICAL);
        assertThat(DealProposal.fromNode(DagCbor.decode(HEX.parseHex(PROPOSAL_CANONICAL)))).isEqualTo(p);

        DealResponse r = DealResponse.fromNode(DagCbor.decode(HEX.parseHex(RESPONSE_STRUCT)));
        assertThat(r).isEqualTo(new DealResponse(12, 6, "message", BigInteger.valueOf(222)));
        assertThat(HEX.formatHex(DagCbor.encode(r.toNode()))).isEqualTo(RESPONSE_CANONICAL);
    }

    @Test
    void nonUtf8PeerIdsSurviveARoundTrip() {
        byte[] peer = {0x00, 0x24, 0x08, 0x01, 0x12, 0x20, (byte) 0xff, (byte) 0xfe, (byte) 0xc3};
        TransferRequest r = new TransferRequest(null, MessageType.RESTART_EXISTING_CHANNEL, false, false, false, null, null, "",
                5, new TransferRequest.ChannelRef(peer, peer, 9));
        TransferMessage m = TransferMessage.of(r);
        assertThat(TransferMessage.decode(m.encode())).isEqualTo(m);
    }

    @Test
    void fuzzedMessagesFailWithBadMessageOnly() {
        Random rnd = new Random(20260);
        byte[][] seeds = {HEX.parseHex(DT_VOUCHER), HEX.parseHex(RS_NEW), HEX.parseHex(DT_NEW_RESPONSE)};
        int bad = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] b = seeds[i % seeds.length].clone();
            int flips = 1 + rnd.nextInt(4);
            for (int f = 0; f < flips; f++) {
                b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            }
            if (rnd.nextInt(4) == 0) {
                b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
            }
            try {
                TransferMessage m = TransferMessage.decode(b);
                if (m.request() != null && m.request().voucher() != null) {
                    String t = m.request().voucherType();
                    if (t.equals(DealProposal.TYPE)) DealProposal.fromNode(m.request().voucher());
                    if (t.equals(DealPayment.TYPE)) DealPayment.fromNode(m.request().voucher());
                }
            } catch (NodeException e) {
                assertThat(e.reason()).isEqualTo(NodeException.Reason.BAD_MESSAGE);
                bad++;
            }
        }
        assertThat(bad).isGreaterThan(1000);
    }

    @Test
    void exactlyOneOfRequestAndResponse() {
        Node both = Node.mapBuilder().put("IsRq", Node.TRUE).put("Request", Node.NULL).put("Response", Node.NULL).build();
        assertThatThrownBy(() -> TransferMessage.fromNode(both)).isInstanceOf(NodeException.class).hasMessageContaining("no Request");
    }
}
