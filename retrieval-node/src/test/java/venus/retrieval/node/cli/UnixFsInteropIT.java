package venus.retrieval.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.testing.Interop;
import venus.retrieval.ipld.testing.Vectors;
import venus.retrieval.ipld.unixfs.UnixFsProfile;

/**
 * CARs made by {@code vrn car pack} read by the JS reference stack (@ipld/car, ipfs-unixfs-exporter)
 * with the same bytes, and ipfs-unixfs-importer under the same profile gives the same root.
 */
class UnixFsInteropIT {
    @TempDir
    static Path tmp;
    static Path tree;

    @BeforeAll
    static void makeTree() throws Exception {
        tree = tmp.resolve("site");
        Files.createDirectories(tree.resolve("docs/deep"));
        Files.createDirectories(tree.resolve("empty"));
        Files.createDirectories(tree.resolve("wide"));
        Files.writeString(tree.resolve("index.html"), "<h1>hi</h1>\n");
        Files.writeString(tree.resolve("unicode-ä ö.txt"), "grüße\n");
        Files.write(tree.resolve("docs/deep/data.bin"), Vectors.xorshift(99, 2_500_000));
        Files.writeString(tree.resolve(".hidden"), "not packed");
        Files.createSymbolicLink(tree.resolve("docs/link"), Path.of("deep/data.bin"));
        // 6,000 entries: over the 256 KiB threshold under both profiles' estimates, so a HAMT
        for (int i = 0; i < 6000; i++) {
            Files.writeString(tree.resolve(String.format("wide/entry-%06d.txt", i)), "n" + i);
        }
    }

    @Test
    void directoryBothProfiles() throws Exception {
        for (UnixFsProfile p : UnixFsProfile.values()) {
            check(tree, p);
        }
    }

    @Test
    void fileBothProfiles() throws Exception {
        Path f = tmp.resolve("file.bin");
        Files.write(f, Vectors.xorshift(1007, 3158073));
        for (UnixFsProfile p : UnixFsProfile.values()) {
            check(f, p);
        }
    }

    private static void check(Path source, UnixFsProfile p) throws Exception {
        Path car = tmp.resolve(source.getFileName() + "-" + p.id() + ".car");
        Cid root = CarPack.pack(source, car, p, false);
        Interop.Result r = Interop.run(Duration.ofMinutes(3), "unixfs-check.mjs", car.toString(), source.toString(), p.id()).assertOk();
        assertThat(r.stdout()).as(p.id()).contains("\"carRoot\":\"" + root + "\"", "\"importerRoot\":\"" + root + "\"");
    }
}
