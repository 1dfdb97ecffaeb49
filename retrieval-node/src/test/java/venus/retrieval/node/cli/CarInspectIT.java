package venus.retrieval.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.testing.Vectors;

/** The real launcher, as scripts call it. */
class CarInspectIT {
    @Test
    void launcherPrintsThePinnedJson() throws Exception {
        Path car = Vectors.file("unixfs/dir-site.car");
        Process p = new ProcessBuilder(Vectors.root().resolve("bin/vrn").toString(), "car", "inspect", car.toString(), "--json")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(new String(out, StandardCharsets.UTF_8)).isEqualTo(
                "{\"version\":1,\"roots\":[\"bafybeico3ftrhbglzf46qejzpogtcqsscwyrovzb2pis6ehemxsl4fcbou\"],"
                + "\"blocks\":9,\"codecs\":{\"dag-pb\":4,\"raw\":5},\"size\":" + Files.size(car) + "}\n");
    }

    @Test
    void launcherVerifyFailsWithOneLine() throws Exception {
        Path car = Vectors.file("car/bad-hash-mismatch.car");
        Process p = new ProcessBuilder(Vectors.root().resolve("bin/vrn").toString(), "car", "verify", car.toString()).start();
        p.getOutputStream().close();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isNotZero();
        String line = new String(err, StandardCharsets.UTF_8);
        assertThat(line.lines()).hasSize(1);
        assertThat(line).contains("does not hash to its CID");
    }
}
