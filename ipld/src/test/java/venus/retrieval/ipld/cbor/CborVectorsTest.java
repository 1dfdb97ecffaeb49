package venus.retrieval.ipld.cbor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multibase;
import venus.retrieval.ipld.model.Kind;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.ipld.testing.Vectors;

/** Wire vectors of Filecoin retrieval messages (shared/specs/filecoin-retrieval.md §10) and the manifest's vouchers. */
class CborVectorsTest {
    private static final String PAYLOAD_CID = "QmTTA2daxGqo5denp6SwLzzkLJm3fuisYEi9CoWsuHpzfb";

    /** Found bytes that are already canonical: decoding and re-encoding must give the same bytes. */
    private static final List<String> CANONICAL = List.of(
            // 10.2 signed vouchers V1..V4
            "8b4300f207000040f6000144000186a000805842016b24666104026adac42c1736af07eed23264d04995afe79571c0ec4e1b4cd5957392b0b9ddaeaa560ae016407c387a2265294d996fe798253b1b63ce8447a8da01",
            "8b5502e004981c649895f446556374ff25f4b35d4ca6f4000040f60101430027100080584201510ffddad5fb3273b4cb45481e4390403e1075ac3b95b75aaf0eec1c71338358227e3807b847ff872061fda600588eb821840e0976026e81359fcc57e56ce19200",
            "8b5502e69d512597d48b5a5f19ca033703d74d14e58342000040f6000245003b9aca00008058420187695b1729214a2ce6e7c8e0c0cbaaf8d5e521f02ae38e11f07eb9a0dea882473ed9e1d80f5d437a902fb1ac0d0c4c0cff0c5f43cdcbd17a471a0bd00a82413e00",
            "8b5502e69d512597d48b5a5f19ca033703d74d14e58342000040f600034500773594000080584201afa6c82519104b3ed14aec6939fb9cb7ba6beb83aef309c0eadcf98d17f1227007d5ca68ede9893235377ed6120d4df927c61c2b76823cbaaabdfb189911d1f201",
            // signing bytes (last element null) of V1..V4
            "8b4300f207000040f6000144000186a00080f6",
            "8b5502e004981c649895f446556374ff25f4b35d4ca6f4000040f60101430027100080f6",
            "8b5502e69d512597d48b5a5f19ca033703d74d14e58342000040f6000245003b9aca000080f6",
            "8b5502e69d512597d48b5a5f19ca033703d74d14e58342000040f600034500773594000080f6",
            // 10.3 queries (already canonical) and the legacy tuple
            "a26a5061796c6f6164434944d82a58230012204bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a6b5175657279506172616d73a1685069656365434944f6",
            "a26a5061796c6f6164434944d82a58230012204bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a6b5175657279506172616d73a1685069656365434944d82a58230012204bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a",
            "84060c4200de676d657373616765",
            // 10.5 payment messages
            "a36249440c6e5061796d656e744368616e6e656c4300f2076e5061796d656e74566f75636865728b4300f207000040f6000144000186a000805842016b24666104026adac42c1736af07eed23264d04995afe79571c0ec4e1b4cd5957392b0b9ddaeaa560ae016407c387a2265294d996fe798253b1b63ce8447a8da01",
            "a36449735271f56752657175657374aa6442436964f66450617274f46450617573f46450756c6cf46453746f72f664547970650464565479707652657472696576616c4465616c5061796d656e742f3165566f756368a36249440c6e5061796d656e744368616e6e656c4300f2076e5061796d656e74566f75636865728b4300f207000040f6000144000186a000805842016b24666104026adac42c1736af07eed23264d04995afe79571c0ec4e1b4cd5957392b0b9ddaeaa560ae016407c387a2265294d996fe798253b1b63ce8447a8da0166586665724944016e526573746172744368616e6e656c8360600068526573706f6e7365f6",
            "a36449735271f46752657175657374f668526573706f6e7365a66441637074f56450617573f56454797065006456526573a46249440c6653746174757306674d657373616765606b5061796d656e744f7765644064565479707752657472696576616c4465616c526573706f6e73652f316658666572494401",
            "828b4300f207000040f6000144000186a000805842016b24666104026adac42c1736af07eed23264d04995afe79571c0ec4e1b4cd5957392b0b9ddaeaa560ae016407c387a2265294d996fe798253b1b63ce8447a8da0140",
            // 10.6 graphsync messages without their varint length prefix
            "a163677332a16372657181a462696450326a3f8c261e47ca8b4ea121ba8085676373656ca16152a2616ca1646e6f6e65a0623a3ea16161a1613ea16140a064726f6f74d82a582500017012209f35d67c4183fdfa4401b5fdc185cf26a0ec18dcf929e3cdb6cdcea09c853a786474797065616e",
            "a163677332a16372737082a3646d6574618282d82a582500017112202375ca0c6be62f304dcfa0f801d3f33a066df39cf9dfa11097b0591634ffd02e616d82d82a58250001701220c3c4733ec8affd06cf9e9ff50ffc6bcd2ec85a6170004bb709669c31de94391a6164647374617418226572657169645023f795f246c445588a2a4cb970a525fda463657874a16f486970706974792b486f70706974795864f55ff8f12508b63ef2bfeca7557ae90df6311a5ec1631b4a1fa843310bd9c3a710eaace5a1bdd72ad0bfe049771c11e756338bd93865e645f1adec9b9c99ef407fbd4fc6859e7904c5ad7dc9bd10a5cc16973d5b28ec1a6dd43d9f82f9f18c3d03418e35646d6574618282d82a582500017112202375ca0c6be62f304dcfa0f801d3f33a066df39cf9dfa11097b0591634ffd02e617382d82a58250001701220c3c4733ec8affd06cf9e9ff50ffc6bcd2ec85a6170004bb709669c31de94391a617064737461740e657265716964508a63ea3fd29141f48ce56ef043a17c23",
            "a163677332a163626c6b828244015512205864f55ff8f12508b63ef2bfeca7557ae90df6311a5ec1631b4a1fa843310bd9c3a710eaace5a1bdd72ad0bfe049771c11e756338bd93865e645f1adec9b9c99ef407fbd4fc6859e7904c5ad7dc9bd10a5cc16973d5b28ec1a6dd43d9f82f9f18c3d03418e3582440155122058644204cb9a1e34c5f08e9b20aa76090e70020bb56c0ca3d3af7296cd1058a5112890fed218488f084d8df9e4835fb54ad045ffd936e3bf7261b0426c51352a097816ed74482bb9084b4a7ed8adc517f3371e0e0434b511625cd1a41792243dccdcfe88094b",
            // 10.7 ExploreAllRecursively selector
            "a16152a2616ca1646e6f6e65a0623a3ea16161a1613ea16140a0");

    /** Found bytes in struct order and the canonical bytes that current Go emits for them (§10.3). */
    private static final String[][] STRUCT_ORDER = {
        {"a966537461747573006d5069656365434944466f756e64006453697a6518406e5061796d656e744164647265737355024716b023b7fe84b6e7dcda303c3d754b1a8ff2fc6f4d696e507269636550657242797465420016724d61785061796d656e74496e74657276616c1903e7781a4d61785061796d656e74496e74657276616c496e6372656173651864674d657373616765676d6573736167656b556e7365616c5072696365420021",
         "a96453697a6518406653746174757300674d657373616765676d6573736167656b556e7365616c50726963654200216d5069656365434944466f756e64006e5061796d656e744164647265737355024716b023b7fe84b6e7dcda303c3d754b1a8ff2fc6f4d696e507269636550657242797465420016724d61785061796d656e74496e74657276616c1903e7781a4d61785061796d656e74496e74657276616c496e6372656173651864"},
        {"a36a5061796c6f6164434944d82a58230012204bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a6249440c66506172616d73a66853656c6563746f72a16152a2616ca1646e6f6e65a0623a3ea16161a1613ea16140a0685069656365434944d82a58230012204bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a6c50726963655065724279746542000c6f5061796d656e74496e74657276616c18de775061796d656e74496e74657276616c496e63726561736518216b556e7365616c5072696365420017",
         "a36249440c66506172616d73a6685069656365434944d82a58230012204bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a6853656c6563746f72a16152a2616ca1646e6f6e65a0623a3ea16161a1613ea16140a06b556e7365616c50726963654200176c50726963655065724279746542000c6f5061796d656e74496e74657276616c18de775061796d656e74496e74657276616c496e63726561736518216a5061796c6f6164434944d82a58230012204bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a"},
        {"a466537461747573066249440c6b5061796d656e744f7765644200de674d657373616765676d657373616765",
         "a46249440c6653746174757306674d657373616765676d6573736167656b5061796d656e744f7765644200de"},
    };

    /** Decode-only captures in struct order (§10.4). */
    static final String DT_RESTART =
            "a36449735271f56752657175657374aa6442436964f66454797065076450617573f46450617274f46450756c6cf46453746f72f665566f756368f664565479706066586665724944006e526573746172744368616e6e656c83613161320168526573706f6e7365f6";
    static final String DT_PULL_REQUEST =
            "a36449735271f56752657175657374aa6442436964d82a5827000171a0e402200a2439495cfb5eafbb79669f644ca2c5a3d31b28e96c424cde5dd0e540a7d9486454797065006450617573f46450617274f46450756c6cf56453746f72a16152a2616ca1646e6f6e65a0623a3ea16161a1613ea16140a065566f756368a36a5061796c6f6164434944d82a5827000171a0e402200a2439495cfb5eafbb79669f644ca2c5a3d31b28e96c424cde5dd0e540a7d9486249440166506172616d73a66853656c6563746f72a16152a2616ca1646e6f6e65a0623a3ea16161a1613ea16140a0685069656365434944f66c5072696365506572427974654200646f5061796d656e74496e74657276616c192710775061796d656e74496e74657276616c496e6372656173651903e86b556e7365616c50726963654064565479707752657472696576616c4465616c50726f706f73616c2f3166586665724944016e526573746172744368616e6e656c8360600068526573706f6e7365f6";

    /** Zondax payment_channel.json update params: a shape example (its 67-byte signature does not verify). */
    static final String ZONDAX_UPDATE_PARAMS_BASE64 =
            "gotVAnASWJkpWtoqhvfkj5DfG2tIaUWtAABA9gABQgABAIBYQwEBchH8MsS6EHe1a9/gW2lb30YbwD++F+2BRIUTUykZz9U6nt+nGfb41Yf0sy2NfaToz8Il/GmDtnGCepu/ns7nNwFA";

    static byte[] hex(String s) {
        return Multibase.unhex(s);
    }

    @Test
    void canonicalVectorsReEncodeByteIdentically() {
        for (String h : CANONICAL) {
            byte[] b = hex(h);
            Node n = DagCbor.decode(b);
            assertThat(Multibase.hex(DagCbor.encode(n))).as(h).isEqualTo(h);
        }
    }

    @Test
    void zondaxUpdateParamsHaveTheEnvelopeShape() {
        byte[] b = Base64.getDecoder().decode(ZONDAX_UPDATE_PARAMS_BASE64);
        Node n = DagCbor.decode(b);
        assertThat(DagCbor.encode(n)).isEqualTo(b);
        assertThat(n.size()).isEqualTo(2);
        assertThat(n.get(0).size()).isEqualTo(11);
        assertThat(n.get(0).get(10).asBytes()).hasSize(67);
        assertThat(n.get(1).asBytes()).isEmpty();
        assertThat(Multibase.hex(n.get(0).get(0).asBytes())).startsWith("02");
    }

    @Test
    void structOrderVectorsDecodeAndReEncodeCanonically() {
        for (String[] v : STRUCT_ORDER) {
            Node n = DagCbor.decode(hex(v[0]));
            assertThat(Multibase.hex(DagCbor.encode(n))).isEqualTo(v[1]);
            assertThat(DagCbor.decode(hex(v[1]))).isEqualTo(n);
        }
    }

    @Test
    void queryFieldsAreReadable() {
        Node q = DagCbor.decode(hex(CANONICAL.stream().filter(h -> h.startsWith("a2") && h.endsWith("59a")).findFirst().orElseThrow()));
        assertThat(q.get("PayloadCID").asCid()).isEqualTo(Cid.parse(PAYLOAD_CID));
        assertThat(q.get("QueryParams").get("PieceCID").asCid().toString()).isEqualTo(PAYLOAD_CID);
        assertThat(q.links()).containsExactly(Cid.parse(PAYLOAD_CID), Cid.parse(PAYLOAD_CID));

        Node resp = DagCbor.decode(hex(STRUCT_ORDER[0][0]));
        // insertion order is the order read (struct order), not the canonical one
        assertThat(resp.entries().keySet()).startsWith("Status", "PieceCIDFound", "Size");
        assertThat(resp.get("MaxPaymentInterval").asLong()).isEqualTo(999);
        assertThat(new CborReader(DagCbor.encode(resp.get("MinPricePerByte"))).readFilBigInt())
                .isEqualTo(BigInteger.valueOf(22));
        assertThat(resp.get("Message").asString()).isEqualTo("message");
    }

    @Test
    void dataTransferCapturesDecode() {
        Node restart = DagCbor.decode(hex(DT_RESTART));
        Node req = restart.get("Request");
        assertThat(req.get("Type").asLong()).isEqualTo(7);
        assertThat(req.get("Vouch").isNull()).isTrue();
        assertThat(req.get("RestartChannel").get(2).asLong()).isEqualTo(1);
        assertThat(req.get("RestartChannel").get(0).asString()).isEqualTo("1");
        assertThat(restart.get("Response").kind()).isEqualTo(Kind.NULL);

        Node pull = DagCbor.decode(hex(DT_PULL_REQUEST));
        Node voucher = pull.get("Request").get("Vouch");
        assertThat(voucher.get("PayloadCID").asCid().toString()).isEqualTo("bafy2bzaceafciokjlt5v5l53pftj6zcmulc2huy3fduwyqsm3zo5bzkau7muq");
        assertThat(voucher.get("Params").get("PaymentInterval").asLong()).isEqualTo(10000);
        assertThat(pull.get("Request").get("VTyp").asString()).isEqualTo("RetrievalDealProposal/1");
        // BCid and PayloadCID, depth-first in document order
        assertThat(pull.links()).hasSize(2).allMatch(c -> c.toString().equals("bafy2bzaceafciokjlt5v5l53pftj6zcmulc2huy3fduwyqsm3zo5bzkau7muq"));
        // re-encoding the struct-order capture gives canonical bytes that decode to the same value
        byte[] canon = DagCbor.encode(pull);
        assertThat(DagCbor.decode(canon)).isEqualTo(pull);
        assertThat(DagCbor.encode(DagCbor.decode(canon))).isEqualTo(canon);
    }

    @Test
    void manifestVouchersRoundTripByteIdentically() {
        JsonNode vouchers = Vectors.manifest().get("vouchers");
        assertThat(vouchers.size()).isGreaterThan(0);
        for (JsonNode v : vouchers) {
            for (String field : List.of("unsignedCborBase64", "signedCborBase64")) {
                if (!v.has(field)) {
                    continue;  // the tampered voucher has only its signed form
                }
                byte[] b = Base64.getDecoder().decode(v.get(field).asText());
                Node n = DagCbor.decode(b);
                assertThat(DagCbor.encode(n)).as(v.get("name").asText() + " " + field).isEqualTo(b);
                assertThat(n.size()).isEqualTo(11);
                if (!v.has("lane")) {
                    continue;
                }
                // fields 5 (lane), 6 (nonce) and 7 (amount) as the manifest states them
                CborReader r = new CborReader(b);
                assertThat(r.readArrayHeader()).isEqualTo(11);
                r.skip();
                r.skip();
                r.skip();
                r.skip();
                r.skip();
                assertThat(Long.toUnsignedString(r.readUint())).isEqualTo(v.get("lane").asText());
                assertThat(r.readUint()).isEqualTo(v.get("nonce").asLong());
                assertThat(r.readFilBigInt()).isEqualTo(new BigInteger(v.get("amount").asText()));
            }
        }
    }
}
