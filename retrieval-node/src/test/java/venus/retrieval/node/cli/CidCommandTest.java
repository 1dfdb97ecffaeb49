package venus.retrieval.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.Cid;

class CidCommandTest {
    @Test
    void inspectV1Json() throws Exception {
        CliRun r = CliRun.of("cid", "inspect", "--json", "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
        assertThat(r.exit()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("version").asInt()).isEqualTo(1);
        assertThat(j.get("codec").asText()).isEqualTo("raw");
        assertThat(j.get("codecCode").asInt()).isEqualTo(0x55);
        assertThat(j.get("multihash").get("name").asText()).isEqualTo("sha2-256");
        // sha2-256 of the empty string
        assertThat(j.get("multihash").get("digest").asText()).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        JsonNode bases = j.get("bases");
        assertThat(bases.get("base32").asText()).isEqualTo("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
        assertThat(bases.get("base58btc").asText()).startsWith("z");
        assertThat(bases.get("base36").asText()).startsWith("k");
        assertThat(bases.get("base64url").asText()).startsWith("u");
        assertThat(bases.get("base16").asText()).isEqualTo("f01551220e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        for (var e : bases.properties()) {
            assertThat(Cid.parse(e.getValue().asText())).as(e.getKey()).isEqualTo(Cid.parse(j.get("cid").asText()));
        }
    }

    @Test
    void inspectV0Human() {
        CliRun r = CliRun.of("cid", "inspect", "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("cid:        QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH", "version:    0",
                "codec:      dag-pb (0x70)", "multihash:  sha2-256 (0x12), 32 bytes", "base32:     bafybei");
    }

    @Test
    void badCidIsOneLine() {
        CliRun r = CliRun.of("cid", "inspect", "bafy!!");
        assertThat(r.exit()).isEqualTo(Vrn.EXIT_FAILURE);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).startsWith("vrn: invalid CID \"bafy!!\"");
    }
}
