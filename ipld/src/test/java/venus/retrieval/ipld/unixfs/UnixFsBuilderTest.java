package venus.retrieval.ipld.unixfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.testing.Vectors;

class UnixFsBuilderTest {
    /** Every manifest file made with an IPIP-499 profile: our builder gives the importer's root and blocks. */
    @Test
    void reproducesTheImportersRootForBothProfilesAndAllSizes() {
        int checked = 0;
        for (JsonNode v : Vectors.manifest().get("unixfs")) {
            String profile = v.get("profile").asText();
            if (!profile.startsWith("unixfs-")) {
                continue; // trickle and 64k-balanced DAGs are for reading only
            }
            byte[] bytes = Vectors.xorshift(v.get("seed").asLong(), v.get("size").asInt());
            Map<Cid, byte[]> blocks = new HashMap<>();
            UnixFsBuilder b = new UnixFsBuilder(UnixFsProfile.of(profile), (cid, data) -> {
                assertThat(cid.multihash().matches(data)).isTrue();
                assertThat(blocks.put(cid, data)).as("block given twice").isNull();
            });
            UnixFsBuilder.Built built = b.file(bytes);
            assertThat(built.cid().toString()).as(v.get("name").asText()).isEqualTo(v.get("root").asText());
            assertThat(built.contentSize()).isEqualTo(bytes.length);
            // same block set as the importer's CAR
            assertThat(blocks.keySet()).isEqualTo(CarBlocks.vector(v.get("car").asText()).blocks.keySet());
            checked++;
        }
        assertThat(checked).isEqualTo(16);
    }

    /** The 64 KiB / 11-link vectors have two and three levels: the same layout code gives their roots. */
    @Test
    void balancedLayoutOverSeveralLevelsMatchesThe64kVectors() {
        int checked = 0;
        for (JsonNode v : Vectors.manifest().get("unixfs")) {
            if (!v.get("profile").asText().equals("v1-raw-64k-balanced-11")) {
                continue;
            }
            byte[] bytes = Vectors.xorshift(v.get("seed").asLong(), v.get("size").asInt());
            Map<Cid, byte[]> blocks = new HashMap<>();
            UnixFsBuilder b = new UnixFsBuilder(UnixFsProfile.UNIXFS_V1_2025, blocks::put,
                    UnixFsProfile.SHARD_THRESHOLD_BYTES, false, 64 * 1024, 11);
            assertThat(b.file(bytes).cid().toString()).as(v.get("name").asText()).isEqualTo(v.get("root").asText());
            assertThat(blocks.keySet()).isEqualTo(CarBlocks.vector(v.get("car").asText()).blocks.keySet());
            checked++;
        }
        assertThat(checked).isEqualTo(3);
    }

    @Test
    void rebuildsTheSiteDirectoryFromItsOwnFiles() {
        JsonNode dir = UnixFsReaderTest.directory("site");
        CarBlocks car = CarBlocks.vector(dir.get("car").asText());
        UnixFsReader r = new UnixFsReader(car);
        Cid root = Cid.parse(dir.get("root").asText());
        UnixFsBuilder b = new UnixFsBuilder(UnixFsProfile.UNIXFS_V1_2025, (cid, data) -> { });
        assertThat(rebuild(r, root, b).cid()).isEqualTo(root);
    }

    @Test
    void hamtVectorNeedsALoweredThresholdAndThenMatches() {
        JsonNode dir = UnixFsReaderTest.directory("hamt-1200");
        Cid root = Cid.parse(dir.get("root").asText());
        Map<Cid, byte[]> blocks = new HashMap<>();
        UnixFsBuilder low = new UnixFsBuilder(UnixFsProfile.UNIXFS_V1_2025, blocks::put, 1000, false);
        List<UnixFsBuilder.Entry> entries = hamtEntries(low);
        UnixFsBuilder.Built sharded = low.directory(entries);
        assertThat(sharded.cid()).isEqualTo(root);
        assertThat(blocks.keySet()).isEqualTo(CarBlocks.vector(dir.get("car").asText()).blocks.keySet());
        // with the profile's 256 KiB threshold, 1,200 short names stay one flat directory node
        UnixFsBuilder def = new UnixFsBuilder(UnixFsProfile.UNIXFS_V1_2025, blocks::put);
        UnixFsBuilder.Built flat = def.directory(hamtEntries(def));
        UnixFsReader r = new UnixFsReader(blocks::get);
        assertThat(r.stat(flat.cid()).kind()).isEqualTo(UnixFsNode.Kind.DIRECTORY);
        assertThat(r.stat(sharded.cid()).kind()).isEqualTo(UnixFsNode.Kind.HAMT_DIRECTORY);
        // both list the same entries
        List<String> a = new ArrayList<>();
        r.entries(flat.cid()).forEach(e -> a.add(e.name() + e.cid()));
        List<String> h = new ArrayList<>();
        r.entries(sharded.cid()).forEach(e -> h.add(e.name() + e.cid()));
        assertThat(h).containsExactlyInAnyOrderElementsOf(a);
    }

    @Test
    void shardingFollowsEachProfilesEstimate() {
        UnixFsBuilder v1 = new UnixFsBuilder(UnixFsProfile.UNIXFS_V1_2025, (c, d) -> { });
        UnixFsBuilder v0 = new UnixFsBuilder(UnixFsProfile.UNIXFS_V0_2015, (c, d) -> { });
        UnixFsBuilder.Built f1 = v1.file(new byte[] {1});
        UnixFsBuilder.Built f0 = v0.file(new byte[] {1});
        // links-bytes: name + CID bytes (34 for CIDv0); block-bytes: the serialized link plus 4 bytes of Data
        List<UnixFsBuilder.Entry> one0 = List.of(new UnixFsBuilder.Entry("abc", f0));
        assertThat(v0.estimate(one0)).isEqualTo(3 + 34);
        List<UnixFsBuilder.Entry> one1 = List.of(new UnixFsBuilder.Entry("abc", f1));
        assertThat(v1.estimate(one1)).isEqualTo(4 + 2 + (2 + 36) + (2 + 3) + (2));
        // populated subdirectories count zero (they have no CID yet when the importer estimates)
        UnixFsBuilder.Built sub = v1.directory(one1);
        assertThat(v1.estimate(List.of(new UnixFsBuilder.Entry("d", sub)))).isEqualTo(4);
        UnixFsBuilder.Built empty = v1.directory(List.of());
        assertThat(v1.estimate(List.of(new UnixFsBuilder.Entry("d", empty)))).isGreaterThan(4);
        // the threshold is exclusive: exactly at it stays flat
        UnixFsBuilder at = new UnixFsBuilder(UnixFsProfile.UNIXFS_V1_2025, (c, d) -> { }, v1.estimate(one1), false);
        assertThat(at.directory(one1).cid()).isEqualTo(v1.directory(one1).cid());
        UnixFsBuilder below = new UnixFsBuilder(UnixFsProfile.UNIXFS_V1_2025, (c, d) -> { }, v1.estimate(one1) - 1, false);
        assertThat(below.directory(one1).cid()).isNotEqualTo(v1.directory(one1).cid());
    }

    @Test
    void packsAFilesystemTreeAndReadsItBack(@TempDir Path tmp) throws IOException {
        Path root = tmp.resolve("tree");
        Files.createDirectories(root.resolve("sub/empty"));
        Files.write(root.resolve("a.bin"), Vectors.xorshift(5, 3 * (256 << 10) + 17));
        Files.writeString(root.resolve("sub/b.txt"), "bee");
        Files.writeString(root.resolve(".hidden"), "secret");
        Files.createSymbolicLink(root.resolve("link"), Path.of("sub/b.txt"));
        for (UnixFsProfile p : UnixFsProfile.values()) {
            Map<Cid, byte[]> blocks = new HashMap<>();
            UnixFsBuilder.Built built = new UnixFsBuilder(p, blocks::put).add(root);
            assertThat(built.cid().version()).isEqualTo(p.cidVersion());
            UnixFsReader r = new UnixFsReader(blocks::get);
            List<String> names = new ArrayList<>();
            r.entries(built.cid()).forEach(e -> names.add(e.name()));
            assertThat(names).containsExactly("a.bin", "link", "sub");
            assertThat(r.readAll(r.resolve(built.cid(), "a.bin"))).isEqualTo(Vectors.xorshift(5, 3 * (256 << 10) + 17));
            assertThat(r.readAll(r.resolve(built.cid(), "sub/b.txt"))).isEqualTo("bee".getBytes(StandardCharsets.UTF_8));
            assertThat(r.stat(r.resolve(built.cid(), "link")).target()).isEqualTo("sub/b.txt");
            assertThat(r.entries(r.resolve(built.cid(), "sub/empty"))).isEmpty();
            // the DAG size the root reports is the sum of all blocks (no block repeated here)
            long total = blocks.values().stream().mapToLong(b -> b.length).sum();
            assertThat(built.dagSize()).isEqualTo(total);
        }
        Map<Cid, byte[]> withHidden = new HashMap<>();
        UnixFsBuilder.Built h = new UnixFsBuilder(UnixFsProfile.UNIXFS_V1_2025, withHidden::put, UnixFsProfile.SHARD_THRESHOLD_BYTES, true).add(root);
        assertThat(new UnixFsReader(withHidden::get).lookup(h.cid(), ".hidden")).isNotNull();
    }

    @Test
    void rejectsDuplicateAndInvalidNamesAndUnknownProfiles() {
        UnixFsBuilder b = new UnixFsBuilder(UnixFsProfile.UNIXFS_V1_2025, (c, d) -> { });
        UnixFsBuilder.Built f = b.file(new byte[] {1});
        assertThatThrownBy(() -> b.directory(List.of(new UnixFsBuilder.Entry("x", f), new UnixFsBuilder.Entry("x", f))))
                .isInstanceOf(IpldException.class).hasMessageContaining("duplicate");
        assertThatThrownBy(() -> b.directory(List.of(new UnixFsBuilder.Entry("a/b", f)))).isInstanceOf(IpldException.class);
        assertThatThrownBy(() -> UnixFsProfile.of("unixfs-v2")).isInstanceOf(IpldException.class).hasMessageContaining("unixfs-v2");
    }

    private static List<UnixFsBuilder.Entry> hamtEntries(UnixFsBuilder b) {
        List<UnixFsBuilder.Entry> entries = new ArrayList<>();
        for (int i = 0; i < 1200; i++) {
            entries.add(new UnixFsBuilder.Entry(String.format("entry-%05d.txt", i),
                    b.file(("file number " + i + " seed 1000\n").getBytes(StandardCharsets.UTF_8))));
        }
        return entries;
    }

    /** Rebuilds a directory tree read from a CAR (files from their bytes, directories from entries). */
    private static UnixFsBuilder.Built rebuild(UnixFsReader r, Cid cid, UnixFsBuilder b) {
        UnixFsNode n = r.stat(cid);
        if (n.kind() == UnixFsNode.Kind.FILE) {
            return b.file(r.readAll(cid));
        }
        if (n.kind() == UnixFsNode.Kind.SYMLINK) {
            return b.symlink(n.target());
        }
        List<UnixFsBuilder.Entry> entries = new ArrayList<>();
        for (DirEntry e : r.entries(cid)) {
            entries.add(new UnixFsBuilder.Entry(e.name(), rebuild(r, e.cid(), b)));
        }
        return b.directory(entries);
    }

    static Cid raw(byte[] b) {
        return Cid.of(Multicodec.RAW, b);
    }
}
