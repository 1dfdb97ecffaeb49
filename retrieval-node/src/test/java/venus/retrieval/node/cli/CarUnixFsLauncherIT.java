package venus.retrieval.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.ipld.testing.Vectors;

/** {@code car pack}, {@code car cat} (raw bytes on the real stdout) and {@code demo} through bin/vrn. */
class CarUnixFsLauncherIT {
    @TempDir
    Path tmp;

    record Run(int exit, byte[] out, String err) {}

    static Run vrn(Path cwd, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Vectors.root().resolve("bin/vrn").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).start();
        p.getOutputStream().close();
        // stderr is small; read stdout fully first (cat may write megabytes)
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out, err);
    }

    @Test
    void packThenCatGivesTheSameBytesOnStdout() throws Exception {
        byte[] data = Vectors.xorshift(1007, 3158073);
        Path in = tmp.resolve("data.bin");
        Files.write(in, data);
        Path car = tmp.resolve("data.car");
        Run pack = vrn(tmp, "car", "pack", in.toString(), "-o", car.toString(), "--profile", "unixfs-v0-2015");
        assertThat(pack.exit()).as(pack.err()).isZero();
        assertThat(new String(pack.out(), StandardCharsets.UTF_8)).isEqualTo("QmZVjKibqd3B2y1443ttwcGtv4SAdiJnczM2n2GYxd65PE\n");
        Run cat = vrn(tmp, "car", "cat", car.toString());
        assertThat(cat.exit()).as(cat.err()).isZero();
        assertThat(cat.out()).isEqualTo(data);
        Run missing = vrn(tmp, "car", "cat", car.toString(), "no/such");
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.err().lines()).hasSize(1);
        assertThat(missing.err()).doesNotContain("Exception");
    }

    @Test
    void demoExitsZero() throws Exception {
        Run demo = vrn(tmp, "demo", "--offline");
        assertThat(demo.exit()).as(demo.err()).isZero();
        assertThat(new String(demo.out(), StandardCharsets.UTF_8)).contains("every step passed");
        assertThat(tmp.resolve(".vrn-demo/demo.car")).exists();
        // The README's command: init a throwaway repo, start the daemon, import through the API,
        // print the gateway URL (--check fetches it once and stops instead of serving until Ctrl-C).
        for (int i = 0; i < 2; i++) { // a second run reuses the repository and finds the piece present
            Run daemon = vrn(tmp, "demo", "--check");
            String out = new String(daemon.out(), StandardCharsets.UTF_8);
            assertThat(daemon.exit()).as(daemon.err() + out).isZero();
            assertThat(out).containsPattern("demo file: +http://127\\.0\\.0\\.1:[1-9]\\d*/ipfs/bafy\\w+/data/random\\.bin")
                    .contains("ok: fetched").contains(i == 0 ? "initialised the demo repository" : "reusing the demo repository");
            assertThat(tmp.resolve(".vrn-demo/repo/daemon.json")).doesNotExist();
        }
    }
}
