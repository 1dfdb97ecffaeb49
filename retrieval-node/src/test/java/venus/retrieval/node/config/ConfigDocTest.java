package venus.retrieval.node.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/config.md lists exactly the registered keys (regenerate with -Dvrn.updateDocs=true). */
class ConfigDocTest {
    private static final String BEGIN = "<!-- BEGIN GENERATED KEYS -->\n";
    private static final String END = "<!-- END GENERATED KEYS -->";

    @Test
    void docsTableMatchesRegistry() throws Exception {
        Path doc = Path.of(System.getProperty("vrn.root", "..")).resolve("docs/config.md");
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        int b = text.indexOf(BEGIN);
        int e = text.indexOf(END);
        assertThat(b).as("markers in %s", doc).isGreaterThanOrEqualTo(0);
        assertThat(e).isGreaterThan(b);
        String expected = ConfigTemplate.markdownTable();
        String actual = text.substring(b + BEGIN.length(), e);
        if (!actual.equals(expected) && Boolean.getBoolean("vrn.updateDocs")) {
            Files.writeString(doc, text.substring(0, b + BEGIN.length()) + expected + text.substring(e), StandardCharsets.UTF_8);
            actual = expected;
        }
        assertThat(actual).as("docs/config.md is out of date; rerun with -Dvrn.updateDocs=true").isEqualTo(expected);
        for (ConfigKey<?> k : ConfigKeys.all()) {
            assertThat(actual).contains("`" + k.name() + "`");
        }
    }
}
