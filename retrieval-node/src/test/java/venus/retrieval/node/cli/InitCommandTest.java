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
}
