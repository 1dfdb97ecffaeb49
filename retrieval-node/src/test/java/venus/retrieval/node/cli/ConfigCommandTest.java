package venus.retrieval.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.node.config.ConfigKeys;
import venus.retrieval.node.config.ConfigTemplate;

class ConfigCommandTest {
    @TempDir
    Path tmp;

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @AfterEach
    void restore() {
        Vrn.redirect(null, null);
    }

    private int run(String... args) {
        out.reset();
        err.reset();
        Vrn.redirect(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return Vrn.commandLine().execute(args);
    }

    @Test
    void showCheckAndKeys() throws Exception {
        Path repo = tmp.resolve("r");
        assertThat(run("init", "--repo", repo.toString())).isZero();
        Files.writeString(repo.resolve("config.toml"), "network = \"calibnet\"\n");
        assertThat(run("config", "show", "--repo", repo.toString(), "--set", "api.listen=127.0.0.1:0")).isZero();
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("network = calibnet    # " + repo.resolve("config.toml"))
                .contains("api.listen = 127.0.0.1:0    # --set")
                .contains("gateway.listen = 127.0.0.1:8080    # default");
        assertThat(text.lines()).hasSize(ConfigKeys.all().size());
        assertThat(run("config", "show", "--repo", repo.toString(), "--json")).isZero();
        assertThat(Json.MAPPER.readTree(out.toByteArray()).get("network").asText()).isEqualTo("calibnet");

        assertThat(run("config", "check", "--repo", repo.toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("config ok\n");
        assertThat(run("config", "check", "--repo", repo.toString(), "--set", "api.listen=nohost")).isEqualTo(Vrn.EXIT_FAILURE);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("vrn: config: api.listen = \"nohost\" (from --set)")
                .hasLineCount(1);
        Files.writeString(repo.resolve("config.toml"), "bogus = 1\n");
        assertThat(run("config", "check", "--repo", repo.toString())).isEqualTo(Vrn.EXIT_FAILURE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown key \"bogus\"");

        assertThat(run("config", "keys")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(ConfigTemplate.markdownTable());
    }
}
