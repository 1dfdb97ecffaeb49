package venus.retrieval.node.retrieval.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.Cid;
import venus.retrieval.node.NodeException;
import venus.retrieval.paych.Address;

/** filecoin-retrieval.md §10.3 vectors: struct-order bytes decode, re-encoding gives the canonical bytes. */
class QueryCodecTest {
    static final HexFormat HEX = HexFormat.of();
    static final Cid QM = Cid.parse("QmTTA2daxGqo5denp6SwLzzkLJm3fuisYEi9CoWsuHpzfb");
    static final String QUERY = "a26a5061796c6f6164434944d82a58230012204bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a6b5175657279506172616d73a1685069656365434944f6";
    static final String QUERY_PIECE = "a26a5061796c6f6164434944d82a58230012204bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a6b5175657279506172616d73a1685069656365434944d82a58230012204bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a";
    static final String RESPONSE_STRUCT = "a966537461747573006d5069656365434944466f756e64006453697a6518406e5061796d656e744164647265737355024716b023b7fe84b6e7dcda303c3d754b1a8ff2fc6f4d696e507269636550657242797465420016724d61785061796d656e74496e74657276616c1903e7781a4d61785061796d656e74496e74657276616c496e6372656173651864674d657373616765676d6573736167656b556e7365616c5072696365420021";
    static final String RESPONSE_CANONICAL = "a96453697a6518406653746174757300674d657373616765676d6573736167656b556e7365616c50726963654200216d5069656365434944466f756e64006e5061796d656e744164647265737355024716b023b7fe84b6e7dcda303c3d754b1a8ff2fc6f4d696e507269636550657242797465420016724d61785061796d656e74496e74657276616c1903e7781a4d61785061796d656e74496e74657276616c496e6372656173651864";

    @Test
    void queryVectors() {
        Query q = Query.decode(HEX.parseHex(QUERY));
        assertThat(q).isEqualTo(new Query(QM, null));
        assertThat(HEX.formatHex(q.encode())).isEqualTo(QUERY);
        Query qp = Query.decode(HEX.parseHex(QUERY_PIECE));
        assertThat(qp).isEqualTo(new Query(QM, QM));
        assertThat(HEX.formatHex(qp.encode())).isEqualTo(QUERY_PIECE);
    }

    @Test
    void responseVectorsInStructAndCanonicalOrder() {
        QueryResponse expected = new QueryResponse(0, 0, 64, Address.parse("t2i4llai5x72clnz643iydyplvjmni74x4vyme7ny"),
                BigInteger.valueOf(22), 999, 100, "message", BigInteger.valueOf(33));
        assertThat(QueryResponse.decode(HEX.parseHex(RESPONSE_STRUCT))).isEqualTo(expected);
        assertThat(QueryResponse.decode(HEX.parseHex(RESPONSE_CANONICAL))).isEqualTo(expected);
        assertThat(HEX.formatHex(expected.encode())).isEqualTo(RESPONSE_CANONICAL);
    }

    @Test
    void malformedInputIsBadMessage() {
        assertThatThrownBy(() -> Query.decode(HEX.parseHex("a0"))).isInstanceOf(NodeException.class)
                .hasMessageContaining("missing PayloadCID");
        assertThatThrownBy(() -> Query.decode(HEX.parseHex(QUERY.substring(0, 40)))).isInstanceOf(NodeException.class)
                .extracting(e -> ((NodeException) e).reason()).isEqualTo(NodeException.Reason.BAD_MESSAGE);
        // PaymentAddress empty: cbor-gen cannot produce it, we refuse it
        String emptyAddr = RESPONSE_CANONICAL.replace("5502" + "4716b023b7fe84b6e7dcda303c3d754b1a8ff2fc", "40");
        assertThatThrownBy(() -> QueryResponse.decode(HEX.parseHex(emptyAddr))).isInstanceOf(NodeException.class)
                .hasMessageContaining("PaymentAddress");
        // negative price
        String neg = RESPONSE_CANONICAL.replace("6b556e7365616c5072696365420021", "6b556e7365616c5072696365420121");
        assertThatThrownBy(() -> QueryResponse.decode(HEX.parseHex(neg))).isInstanceOf(NodeException.class)
                .hasMessageContaining("negative");
    }
}
