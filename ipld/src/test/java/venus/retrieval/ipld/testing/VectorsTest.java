package venus.retrieval.ipld.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.Multibase;

class VectorsTest {
    @Test
    void everyManifestCarIsPresentWithItsRecordedSha256() throws Exception {
        int n = 0;
        for (var u : Vectors.manifest().get("unixfs")) {
            byte[] car = Files.readAllBytes(Vectors.file(u.get("car").asText()));
            String sha = Multibase.hex(MessageDigest.getInstance("SHA-256").digest(car));
            assertThat(sha).as(u.get("name").asText()).isEqualTo(u.get("carSha256").asText());
            n++;
        }
        assertThat(n).isEqualTo(27);
    }

    @Test
    void xorshiftMatchesTheReferenceSequence() {
        // x = 1: 1<<13 ^ 1 = 8193; 8193 >>> 17 = 0; 8193 ^ (8193 << 5) = 270369 -> low byte 0x21
        assertThat(Vectors.xorshift(1, 1)[0]).isEqualTo((byte) 0x21);
    }
}
