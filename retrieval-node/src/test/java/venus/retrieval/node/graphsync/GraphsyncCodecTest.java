package venus.retrieval.node.graphsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.Varint;
import venus.retrieval.ipld.cbor.DagCbor;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.ipld.traversal.Selectors;
import venus.retrieval.node.NodeException;

/** filecoin-retrieval.md §10.6: rs-graphsync's request/response/blocks compatibility vectors. */
class GraphsyncCodecTest {
    static final String REQUEST = "73a163677332a16372657181a462696450326a3f8c261e47ca8b4ea121ba8085676373656ca16152a2616ca1646e6f6e65a0623a3ea16161a1613ea16140a064726f6f74d82a582500017012209f35d67c4183fdfa4401b5fdc185cf26a0ec18dcf929e3cdb6cdcea09c853a786474797065616e";
    static final String RESPONSE = "ff02a163677332a16372737082a3646d6574618282d82a582500017112202375ca0c6be62f304dcfa0f801d3f33a066df39cf9dfa11097b0591634ffd02e616d82d82a58250001701220c3c4733ec8affd06cf9e9ff50ffc6bcd2ec85a6170004bb709669c31de94391a6164647374617418226572657169645023f795f246c445588a2a4cb970a525fda463657874a16f486970706974792b486f70706974795864f55ff8f12508b63ef2bfeca7557ae90df6311a5ec1631b4a1fa843310bd9c3a710eaace5a1bdd72ad0bfe049771c11e756338bd93865e645f1adec9b9c99ef407fbd4fc6859e7904c5ad7dc9bd10a5cc16973d5b28ec1a6dd43d9f82f9f18c3d03418e35646d6574618282d82a582500017112202375ca0c6be62f304dcfa0f801d3f33a066df39cf9dfa11097b0591634ffd02e617382d82a58250001701220c3c4733ec8affd06cf9e9ff50ffc6bcd2ec85a6170004bb709669c31de94391a617064737461740e657265716964508a63ea3fd29141f48ce56ef043a17c23";
    static final String BLOCKS = "e301a163677332a163626c6b828244015512205864f55ff8f12508b63ef2bfeca7557ae90df6311a5ec1631b4a1fa843310bd9c3a710eaace5a1bdd72ad0bfe049771c11e756338bd93865e645f1adec9b9c99ef407fbd4fc6859e7904c5ad7dc9bd10a5cc16973d5b28ec1a6dd43d9f82f9f18c3d03418e3582440155122058644204cb9a1e34c5f08e9b20aa76090e70020bb56c0ca3d3af7296cd1058a5112890fed218488f084d8df9e4835fb54ad045ffd936e3bf7261b0426c51352a097816ed74482bb9084b4a7ed8adc517f3371e0e0434b511625cd1a41792243dccdcfe88094b";

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    /** Strips the varint length prefix, checking it. */
    static byte[] body(byte[] framed) {
        long n = Varint.decode(framed, 0, framed.length);
        int p = Varint.size(n);
        assertThat(framed.length - p).isEqualTo(n);
        return java.util.Arrays.copyOfRange(framed, p, framed.length);
    }

    @Test
    void requestVector() {
        byte[] framed = hex(REQUEST);
        GsMessage m = GraphsyncCodec.decode(body(framed));
        assertThat(m.responses()).isEmpty();
        assertThat(m.blocks()).isEmpty();
        GsRequest r = m.requests().get(0);
        assertThat(r.type()).isEqualTo(RequestType.NEW);
        assertThat(r.priority()).isZero();
        assertThat(r.extensions()).isEmpty();
        assertThat(r.id()).isEqualTo(UUID.fromString("326a3f8c-261e-47ca-8b4e-a121ba808567"));
        assertThat(r.root().codec()).isEqualTo(Multicodec.DAG_PB);
        assertThat(DagCbor.encode(r.selector())).isEqualTo(Selectors.encode(Selectors.exploreAllRecursively()));
        assertThat(GraphsyncCodec.frame(GraphsyncCodec.encode(m))).isEqualTo(framed);
    }

    @Test
    void responseVector() {
        byte[] framed = hex(RESPONSE);
        GsMessage m = GraphsyncCodec.decode(body(framed));
        assertThat(m.responses()).hasSize(2);
        GsResponse a = m.responses().get(0);
        GsResponse b = m.responses().get(1);
        assertThat(a.status()).isEqualTo(ResponseStatus.REQUEST_FAILED_CONTENT_NOT_FOUND);
        assertThat(a.metadata()).extracting(GsResponse.Metadatum::action).containsExactly(LinkAction.MISSING, LinkAction.DUPLICATE_NOT_SENT);
        assertThat(a.extensions()).isEmpty();
        assertThat(b.status()).isEqualTo(ResponseStatus.PARTIAL_RESPONSE);
        assertThat(b.metadata()).extracting(GsResponse.Metadatum::action).containsExactly(LinkAction.DUPLICATE_DAG_SKIPPED, LinkAction.PRESENT);
        assertThat(b.extensions()).containsOnlyKeys("Hippity+Hoppity");
        assertThat(b.extensions().get("Hippity+Hoppity").asBytes()).hasSize(100);
        assertThat(a.metadata().get(0).link().codec()).isEqualTo(Multicodec.DAG_CBOR);
        assertThat(GraphsyncCodec.frame(GraphsyncCodec.encode(m))).isEqualTo(framed);
    }

    @Test
    void blocksVector() {
        byte[] framed = hex(BLOCKS);
        GsMessage m = GraphsyncCodec.decode(body(framed));
        assertThat(m.blocks()).hasSize(2);
        assertThat(m.blocks()).allSatisfy(b -> assertThat(b.prefix()).isEqualTo(hex("01551220")));
        assertThat(m.blocks().get(0).cid().multihash().digest())
                .isEqualTo(hex("dda79bade062de191aaa66f4228f6689b0c0b82c1675d36ebadc4c6e342cb9de"));
        assertThat(m.blocks().get(1).cid().multihash().digest())
                .isEqualTo(hex("2290367da9301f3603ba4430b96bf488c7d795ee3fcf90565fa01cbc47d69949"));
        assertThat(GsBlock.of(m.blocks().get(0).cid(), m.blocks().get(0).data()).prefix()).isEqualTo(hex("01551220"));
        assertThat(GraphsyncCodec.frame(GraphsyncCodec.encode(m))).isEqualTo(framed);
    }

    @Test
    void cancelUpdateAndStructOrderDecode() {
        UUID id = UUID.randomUUID();
        GsMessage m = new GsMessage(List.of(GsRequest.cancel(id), GsRequest.update(id, Map.of("x", Node.integer(1)))), List.of(), List.of());
        GsMessage back = GraphsyncCodec.decode(GraphsyncCodec.encode(m));
        assertThat(back).usingRecursiveComparison().isEqualTo(m);
        // keys in struct order (older senders), an unknown key, pri present: still decodes
        Cid root = Cid.of(Multicodec.RAW, new byte[] {1});
        Node req = Node.mapBuilder().put("id", Node.bytes(GraphsyncCodec.uuidBytes(id))).put("root", Node.link(root))
                .put("sel", Selectors.matcher()).put("pri", 7).put("type", "n").put("zzz", Node.NULL).build();
        byte[] body = DagCbor.encode(Node.mapBuilder().put("gs2", Node.mapBuilder().put("req", Node.list(req)).build()).build());
        GsRequest r = GraphsyncCodec.decode(body).requests().get(0);
        assertThat(r.priority()).isEqualTo(7);
        assertThat(r.root()).isEqualTo(root);
        assertThat(GraphsyncCodec.decode(GraphsyncCodec.encode(GsMessage.ofRequests(r))).requests().get(0)).isEqualTo(r);
    }

    @Test
    void malformedMessagesAreBadMessage() {
        String[] bad = {
            "a0", "a163677332a0ff", "a1636773329f", "a163677332a163726571" + "81a0",
            // id of 15 bytes
            "a163677332a16372657181a26269644f000000000000000000000000000000647479706561" + "63",
            // unknown request type "x"
            "a163677332a16372657181a2626964500000000000000000000000000000000064747970656178",
            // a new request without root/sel
            "a163677332a16372657181a262696450000000000000000000000000000000006474797065616e",
        };
        for (String h : bad) {
            assertThatThrownBy(() -> GraphsyncCodec.decode(hex(h))).as(h)
                    .isInstanceOfSatisfying(NodeException.class, e -> assertThat(e.reason()).isEqualTo(NodeException.Reason.BAD_MESSAGE));
        }
    }

    @Provide
    Arbitrary<byte[]> mutated() {
        List<byte[]> seeds = List.of(body(hex(REQUEST)), body(hex(RESPONSE)), body(hex(BLOCKS)));
        return Arbitraries.integers().between(0, 2).flatMap(i -> {
            byte[] s = seeds.get(i);
            return Arbitraries.integers().between(0, s.length - 1).tuple3().map(t -> {
                byte[] b = s.clone();
                b[t.get1()] ^= (byte) (1 << (t.get2() % 8));
                int cut = Math.max(1, b.length - (t.get3() % 3 == 0 ? t.get3() % 20 : 0));
                return java.util.Arrays.copyOf(b, cut);
            });
        });
    }

    /** Mutated vectors decode or fail with BAD_MESSAGE, never anything else. */
    @Property(tries = 3000, seed = "8")
    void fuzzedMessagesFailOnlyWithBadMessage(@ForAll("mutated") byte[] body) {
        try {
            GsMessage m = GraphsyncCodec.decode(body);
            for (GsBlock b : m.blocks()) {
                try {
                    b.cid();
                } catch (venus.retrieval.ipld.IpldException e) {
                    // a block whose prefix does not hash: the receiver rejects the message
                }
            }
        } catch (NodeException e) {
            assertThat(e.reason()).isEqualTo(NodeException.Reason.BAD_MESSAGE);
        }
    }
}
