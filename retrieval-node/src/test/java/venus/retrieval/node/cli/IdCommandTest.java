package venus.retrieval.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.libp2p.PeerId;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.libp2p.crypto.PubKey;
import venus.retrieval.libp2p.multiaddr.Multiaddr;

class IdCommandTest {
    @TempDir
    Path tmp;

    @Test
    void printsThePeerIdOfTheKeystoreAndTheConfiguredAddresses() throws Exception {
        Path dir = tmp.resolve("r");
        assertThat(CliRun.of("init", "--repo", dir.toString()).exit()).isZero();
        PeerId expected = PeerIdentity.load(dir.resolve(PeerIdentity.KEY_FILE)).peerId();

        CliRun text = CliRun.of("id", "--repo", dir.toString());
        assertThat(text.exit()).isZero();
        assertThat(text.out()).startsWith("peer id: " + expected + System.lineSeparator());
        assertThat(text.out()).containsPattern("listen:  /ip4/.*/tcp/\\d+/p2p/" + expected);

        CliRun json = CliRun.of("id", "--repo", dir.toString(), "--json");
        assertThat(json.exit()).isZero();
        JsonNode j = new ObjectMapper().readTree(json.out());
        assertThat(j.get("peerId").asText()).isEqualTo(expected.toString());
        assertThat(PeerId.fromPublicKey(PubKey.decode(Base64.getDecoder().decode(j.get("publicKey").asText())))).isEqualTo(expected);
        assertThat(Multiaddr.parse(j.get("addresses").get(0).asText()).peerId()).isEqualTo(expected);
    }

    @Test
    void missingRepoOrKeyIsOneClearLine() throws Exception {
        CliRun none = CliRun.of("id", "--repo", tmp.resolve("nothing").toString());
        assertThat(none.exit()).isEqualTo(Vrn.EXIT_FAILURE);
        assertThat(none.err().lines().count()).isEqualTo(1);
        assertThat(none.err()).contains("vrn init");

        Path dir = tmp.resolve("r");
        assertThat(CliRun.of("init", "--repo", dir.toString()).exit()).isZero();
        Files.delete(dir.resolve(PeerIdentity.KEY_FILE));
        CliRun noKey = CliRun.of("id", "--repo", dir.toString());
        assertThat(noKey.exit()).isEqualTo(Vrn.EXIT_FAILURE);
        assertThat(noKey.err().lines().count()).isEqualTo(1);
        assertThat(noKey.err()).contains("libp2p key");
    }
}
