package venus.retrieval.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.car.CarWriter;
import venus.retrieval.ipld.testing.Interop;
import venus.retrieval.ipld.testing.Vectors;
import venus.retrieval.ipld.unixfs.UnixFsBuilder;
import venus.retrieval.ipld.unixfs.UnixFsNode;
import venus.retrieval.ipld.unixfs.UnixFsProfile;
import venus.retrieval.ipld.unixfs.UnixFsReader;

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
        // HAMTs at the real threshold are checked in memory (shardingThresholdBoundaryMatchesTheImporter)
        for (int i = 0; i < 300; i++) {
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

    /**
     * Directories one entry either side of the 256 KiB sharding threshold, per profile, built in
     * memory (the script generates the same "gen:N" tree for the importer): 7-byte names of 1-byte
     * files. v1 (block-bytes): 4 + 51 n bytes, so 5,140 entries (exactly 262,144) stay flat and
     * 5,141 shard; v0 (links-bytes): 41 n bytes, so 6,393 stay flat and 6,394 shard. The exporter
     * reads the sharded ones entry by entry.
     */
    @Test
    void shardingThresholdBoundaryMatchesTheImporter() throws Exception {
        Object[][] cases = {
            {UnixFsProfile.UNIXFS_V1_2025, 5140, false}, {UnixFsProfile.UNIXFS_V1_2025, 5141, true},
            {UnixFsProfile.UNIXFS_V0_2015, 6393, false}, {UnixFsProfile.UNIXFS_V0_2015, 6394, true},
        };
        for (Object[] c : cases) {
            UnixFsProfile p = (UnixFsProfile) c[0];
            int n = (Integer) c[1];
            boolean sharded = (Boolean) c[2];
            Map<Cid, byte[]> blocks = new LinkedHashMap<>();
            UnixFsBuilder b = new UnixFsBuilder(p, blocks::put);
            List<UnixFsBuilder.Entry> entries = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                entries.add(new UnixFsBuilder.Entry(String.format("f-%05d", i), b.file(new byte[] {'x'})));
            }
            Cid root = b.directory(entries).cid();
            assertThat(new UnixFsReader(blocks::get).stat(root).kind()).as(p.id() + " " + n)
                    .isEqualTo(sharded ? UnixFsNode.Kind.HAMT_DIRECTORY : UnixFsNode.Kind.DIRECTORY);
            Path car = tmp.resolve("gen-" + p.id() + "-" + n + ".car");
            try (CarWriter w = new CarWriter(Files.newOutputStream(car), List.of(root))) {
                blocks.forEach(w::put);
            }
            Interop.Result r = Interop.run(Duration.ofMinutes(3), "unixfs-check.mjs", car.toString(), "gen:" + n, p.id(),
                    sharded ? "full" : "roots-only").assertOk();
            assertThat(r.stdout()).as(p.id() + " " + n).contains("\"importerRoot\":\"" + root + "\"");
        }
    }

    private static void check(Path source, UnixFsProfile p) throws Exception {
        Path car = tmp.resolve(source.getFileName() + "-" + p.id() + ".car");
        Cid root = CarPack.pack(source, car, p, false);
        Interop.Result r = Interop.run(Duration.ofMinutes(3), "unixfs-check.mjs", car.toString(), source.toString(), p.id()).assertOk();
        assertThat(r.stdout()).as(p.id()).contains("\"carRoot\":\"" + root + "\"", "\"importerRoot\":\"" + root + "\"");
    }
}
