package venus.retrieval.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitCommandTest {
    @TempDir
    Path tmp;

    @Test
    void initExitCodes() throws Exception {
        Path dir = tmp.resolve("r");
        assertThat(Vrn.commandLine().execute("init", "--repo", dir.toString())).isZero();
        assertThat(dir.resolve("version")).exists();
        assertThat(Vrn.commandLine().execute("init", "--repo", dir.toString(), "--json")).isZero();
        Path other = Files.createDirectory(tmp.resolve("other"));
        Files.writeString(other.resolve("x"), "x");
        assertThat(Vrn.commandLine().execute("init", "--repo", other.toString())).isEqualTo(Vrn.EXIT_FAILURE);
    }

    @Test
    void networkSetsTheAddressPrefixAndTheConfig() throws Exception {
        CliRun main = CliRun.of("init", "--repo", tmp.resolve("m").toString(), "--json");
        assertThat(main.exit()).isZero();
        assertThat(main.out()).contains("\"paymentAddress\":\"f1").contains("\"network\":\"mainnet\"");
        CliRun calib = CliRun.of("init", "--repo", tmp.resolve("c").toString(), "--network", "calibnet");
        assertThat(calib.exit()).isZero();
        assertThat(calib.out()).contains("network: calibnet").containsPattern("payment address: t1[a-z2-7]+");
        assertThat(Files.readString(tmp.resolve("c/config.toml"))).contains("\nnetwork = \"calibnet\"\n");
        // Re-running reports the configured network, whatever --network says now.
        CliRun again = CliRun.of("init", "--repo", tmp.resolve("c").toString(), "--json");
        assertThat(again.out()).contains("\"created\":false").contains("\"paymentAddress\":\"t1");
        CliRun bad = CliRun.of("init", "--repo", tmp.resolve("b").toString(), "--network", "moonnet");
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.err()).isEqualTo("vrn: --network \"moonnet\": expected one of mainnet, calibnet, devnet\n");
        assertThat(tmp.resolve("b/config.toml")).doesNotExist();
    }
}
