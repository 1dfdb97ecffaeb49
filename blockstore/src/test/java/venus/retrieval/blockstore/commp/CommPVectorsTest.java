package venus.retrieval.blockstore.commp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import venus.retrieval.ipld.testing.Vectors;

/** Every {@code pieces} case of the shared vectors (made by @web3-storage/data-segment). */
class CommPVectorsTest {

    static List<Arguments> pieces() throws Exception {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode p : Vectors.manifest().get("pieces")) {
            out.add(Arguments.of(p.get("name").asText(), p));
        }
        assertThat(out).hasSizeGreaterThanOrEqualTo(7);
        return out;
    }

    static byte[] payload(JsonNode p) throws Exception {
        if (p.hasNonNull("source")) {
            String source = p.get("source").asText();
            for (JsonNode u : Vectors.manifest().get("unixfs")) {
                if (u.get("name").asText().equals(source)) {
                    return Files.readAllBytes(Vectors.file(u.get("car").asText()));
                }
            }
            throw new AssertionError("no vector named " + source);
        }
        return Vectors.xorshift(p.get("seed").asLong(), p.get("payloadSize").asInt());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pieces")
    void reproducesVector(String name, JsonNode p) throws Exception {
        byte[] data = payload(p);
        assertThat((long) data.length).isEqualTo(p.get("payloadSize").asLong());
        for (int threads = 0; threads <= 2; threads++) {
            PieceCommitment c = CommPHasher.compute(new OddChunks(data), threads);
            assertThat(c.commPHex()).as("commP, %d threads", threads).isEqualTo(p.get("commP").asText());
            assertThat(c.paddedSize()).isEqualTo(p.get("paddedPieceSize").asLong());
            assertThat(c.payloadSize()).isEqualTo(data.length);
            assertThat(c.height()).isEqualTo(p.get("height").asInt());
            assertThat(c.padding()).isEqualTo(p.get("padding").asLong());
            assertThat(c.cidV1().toString()).isEqualTo(p.get("pieceCidV1").asText());
            assertThat(c.cidV2().toString()).isEqualTo(p.get("pieceCidV2").asText());
        }
        assertThat(Fr32.paddedPieceSize(data.length)).isEqualTo(p.get("paddedPieceSize").asLong());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pieces")
    void parsesBothCidForms(String name, JsonNode p) {
        PieceCids.Parsed v1 = PieceCids.parse(p.get("pieceCidV1").asText());
        assertThat(v1.hasSize()).isFalse();
        assertThat(venus.retrieval.ipld.Multibase.hex(v1.commP())).isEqualTo(p.get("commP").asText());
        PieceCids.Parsed v2 = PieceCids.parse(p.get("pieceCidV2").asText());
        assertThat(v2.v1()).isEqualTo(v1.v1());
        assertThat(v2.paddedSize()).isEqualTo(p.get("paddedPieceSize").asLong());
        assertThat(v2.payloadSize()).isEqualTo(p.get("payloadSize").asLong());
    }

    /** Delivers the bytes in irregular reads, so segment and chunk boundaries fall mid-read. */
    static final class OddChunks extends ByteArrayInputStream {
        private int step = 1;

        OddChunks(byte[] data) {
            super(data);
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            step = step * 7 % 100_003 + 1;
            return super.read(b, off, Math.min(len, step));
        }
    }
}
