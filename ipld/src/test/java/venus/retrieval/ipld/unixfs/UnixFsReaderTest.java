package venus.retrieval.ipld.unixfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.pb.DagPb;
import venus.retrieval.ipld.pb.PbLink;
import venus.retrieval.ipld.pb.PbNode;
import venus.retrieval.ipld.testing.Vectors;

class UnixFsReaderTest {
    @Test
    void everyVectorFileReadsBackAsItsXorshiftBytes() throws IOException {
        int n = 0;
        for (JsonNode v : Vectors.manifest().get("unixfs")) {
            CarBlocks car = CarBlocks.vector(v.get("car").asText());
            Cid root = Cid.parse(v.get("root").asText());
            assertThat(car.roots).containsExactly(root);
            assertThat(car.blocks).hasSize(v.get("blocks").asInt());
            byte[] expected = Vectors.xorshift(v.get("seed").asLong(), v.get("size").asInt());
            UnixFsReader r = new UnixFsReader(car);
            UnixFsNode node = r.stat(root);
            assertThat(node.kind()).isEqualTo(UnixFsNode.Kind.FILE);
            assertThat(node.size()).as(v.get("name").asText()).isEqualTo(expected.length);
            assertThat(Arrays.equals(r.readAll(root), expected)).as(v.get("name").asText()).isTrue();
            // byte-at-a-time reads agree with bulk reads at the start
            try (InputStream in = r.open(root)) {
                for (int i = 0; i < Math.min(10, expected.length); i++) {
                    assertThat(in.read()).isEqualTo(expected[i] & 0xFF);
                }
            }
            n++;
        }
        assertThat(n).isEqualTo(27);
    }

    @Test
    void rangesAtChunkBoundariesInEveryLayout() throws IOException {
        for (String name : List.of("file-3158073-unixfs-v0-2015", "file-3158073-unixfs-v1-2025",
                "file-3158073-v1-raw-256k-trickle", "file-3158073-v1-raw-64k-balanced-11", "file-1048577-v1-raw-64k-balanced-11")) {
            JsonNode v = vector(name);
            CarBlocks car = CarBlocks.vector(v.get("car").asText());
            Cid root = Cid.parse(v.get("root").asText());
            byte[] all = Vectors.xorshift(v.get("seed").asLong(), v.get("size").asInt());
            UnixFsReader r = new UnixFsReader(car);
            long size = all.length;
            long[][] ranges = {
                {262143, 3}, {262143, 1}, {262144, 1}, {262144, 262144}, {65535, 2}, {65536, 65536},
                {1048575, 3}, {1048576, 1}, {size - 1, 1}, {size - 1, 100}, {0, 0}, {size, 10}, {size + 5, 1},
                {0, size}, {0, Long.MAX_VALUE}, {10, 0}, {3, 131072 + 7}
            };
            for (long[] rg : ranges) {
                assertRange(r, root, all, rg[0], rg[1], name);
            }
            Random rnd = new Random(7);
            for (int i = 0; i < 25; i++) {
                long off = rnd.nextInt(all.length);
                assertRange(r, root, all, off, rnd.nextInt(600_000), name);
            }
        }
    }

    @Test
    void aRangeFetchesOnlyTheBlocksOnItsPath() throws IOException {
        JsonNode v = vector("file-3158073-v1-raw-64k-balanced-11");
        CarBlocks car = CarBlocks.vector(v.get("car").asText());
        Cid root = Cid.parse(v.get("root").asText());
        UnixFsReader r = new UnixFsReader(car);
        car.gets.set(0);
        try (InputStream in = r.open(root, 3158073 - 10, 10)) {
            assertThat(in.readAllBytes()).hasSize(10);
        }
        // root (open) + one path of intermediate nodes + one leaf: far fewer than the 55 blocks
        assertThat(car.gets.get()).isLessThanOrEqualTo(5);
        car.gets.set(0);
        try (InputStream in = r.open(root, 65536 * 20, 65536)) {
            assertThat(in.readAllBytes()).hasSize(65536);
        }
        assertThat(car.gets.get()).isLessThanOrEqualTo(5);
    }

    @Test
    void siteDirectoryPathsSizesAndHashes() throws Exception {
        JsonNode dir = directory("site");
        CarBlocks car = CarBlocks.vector(dir.get("car").asText());
        Cid root = Cid.parse(dir.get("root").asText());
        UnixFsReader r = new UnixFsReader(car);
        assertThat(r.stat(root).kind()).isEqualTo(UnixFsNode.Kind.DIRECTORY);
        List<String> names = new ArrayList<>();
        r.entries(root).forEach(e -> names.add(e.name()));
        assertThat(names).containsExactly("docs", "index.html", "media", "unicode-ä ö.txt");
        for (JsonNode f : dir.get("files")) {
            String path = f.get("path").asText();
            Cid c = r.resolve(root, path);
            assertThat(r.stat(c).size()).as(path).isEqualTo(f.get("size").asLong());
            byte[] bytes = r.readAll(c);
            assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes))).as(path)
                    .isEqualTo(f.get("sha256").asText());
            assertThat(r.resolve(root, "/" + path + "/")).isEqualTo(c);
        }
        assertThat(r.stat(r.resolve(root, "docs/deep")).isDirectory()).isTrue();
        assertThat(r.resolve(root, "")).isEqualTo(root);
        notFound(() -> r.resolve(root, "docs/missing.txt"), "missing.txt");
        notFound(() -> r.resolve(root, "index.html/x"), "not a directory");
        assertThatThrownBy(() -> r.open(r.resolve(root, "docs"))).isInstanceOf(IpldException.class)
                .extracting(e -> ((IpldException) e).reason()).isEqualTo(IpldException.Reason.BAD_UNIXFS);
    }

    @Test
    void hamtDirectoryListsAll1200EntriesAndResolvesEachName() {
        JsonNode dir = directory("hamt-1200");
        CarBlocks car = CarBlocks.vector(dir.get("car").asText());
        Cid root = Cid.parse(dir.get("root").asText());
        UnixFsReader r = new UnixFsReader(car);
        assertThat(r.stat(root).kind()).isEqualTo(UnixFsNode.Kind.HAMT_DIRECTORY);
        Map<String, Cid> listed = new HashMap<>();
        for (DirEntry e : r.entries(root)) {
            assertThat(listed.put(e.name(), e.cid())).as("duplicate " + e.name()).isNull();
        }
        assertThat(listed).hasSize(dir.get("fileCount").asInt());
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 1200; i++) {
            expected.add(String.format("entry-%05d.txt", i));
        }
        assertThat(listed.keySet()).isEqualTo(expected);
        for (int i = 0; i < 1200; i++) {
            String name = String.format("entry-%05d.txt", i);
            DirEntry e = r.lookup(root, name);
            assertThat(e).as(name).isNotNull();
            assertThat(e.cid()).isEqualTo(listed.get(name));
            if (i % 97 == 0) {
                assertThat(new String(r.readAll(r.resolve(root, name)), StandardCharsets.UTF_8))
                        .isEqualTo("file number " + i + " seed 1000\n");
            }
        }
        assertThat(r.lookup(root, "entry-01200.txt")).isNull();
        notFound(() -> r.resolve(root, "nope"), "nope");
    }

    @Test
    void listingSummarisesEachEntryAndToleratesAbsentChildren() {
        JsonNode dir = directory("site");
        CarBlocks car = CarBlocks.vector(dir.get("car").asText());
        Cid root = Cid.parse(dir.get("root").asText());
        Cid docs = new UnixFsReader(car).resolve(root, "docs");
        car.blocks.remove(docs); // a partial DAG: the docs directory's block is missing
        UnixFsReader r = new UnixFsReader(car);
        List<String> rows = new ArrayList<>();
        for (DirListing l : r.listing(root)) {
            rows.add(l.name() + " " + (l.node() == null ? "absent" : l.node().kind()) + " " + l.size());
        }
        assertThat(rows).containsExactly("docs absent 300182", "index.html FILE 32", "media DIRECTORY 126",
                "unicode-ä ö.txt FILE 12");
        notFound(() -> r.resolve(root, "docs/readme.txt"), docs.toString());
    }

    @Test
    void symlinksAndMetadata() {
        Map<Cid, byte[]> m = new HashMap<>();
        UnixFsData link = new UnixFsData(UnixFsData.Type.SYMLINK, "../target".getBytes(StandardCharsets.UTF_8), null, null,
                null, null, 0120777, new UnixFsData.UnixTime(1_700_000_000L, 5));
        Cid sl = put(m, new PbNode(List.of(), link.encode()));
        UnixFsReader r = new UnixFsReader(m::get);
        UnixFsNode n = r.stat(sl);
        assertThat(n.kind()).isEqualTo(UnixFsNode.Kind.SYMLINK);
        assertThat(n.target()).isEqualTo("../target");
        assertThat(n.mode()).isEqualTo(0777);
        assertThat(n.mtime()).isEqualTo(new UnixFsData.UnixTime(1_700_000_000L, 5));
        assertThat(UnixFsData.decode(link.encode())).isEqualTo(link);
        // a negative mtime (10-byte varint) round-trips
        UnixFsData old = new UnixFsData(UnixFsData.Type.FILE, new byte[] {1}, 1L, null, null, null, 0644,
                new UnixFsData.UnixTime(-5, null));
        assertThat(UnixFsData.decode(old.encode())).isEqualTo(old);
    }

    @Test
    void malformedUnixFsIsBadUnixFs() {
        Map<Cid, byte[]> m = new HashMap<>();
        Cid leaf = Cid.of(Multicodec.RAW, new byte[] {1, 2, 3});
        m.put(leaf, new byte[] {1, 2, 3});
        UnixFsReader r = new UnixFsReader(m::get);
        // garbage Data, no Data, no Type, unknown Type, duplicate Type, wrong wire type
        for (byte[] data : new byte[][] {{(byte) 0xFF}, null, {0x18, 0x01}, {0x08, 0x09}, {0x08, 0x02, 0x08, 0x02}, {0x0A, 0x00}}) {
            Cid c = put(m, new PbNode(List.of(), data));
            badUnixFs(() -> r.stat(c));
        }
        // links and blocksizes disagree; filesize disagrees; child size disagrees with blocksizes
        Cid twoLinks = put(m, new PbNode(List.of(new PbLink(leaf, "", 3L), new PbLink(leaf, "", 3L)),
                UnixFsData.file(null, new long[] {3}).encode()));
        badUnixFs(() -> r.readAll(twoLinks));
        Cid lying = put(m, new PbNode(List.of(new PbLink(leaf, "", 3L)),
                new UnixFsData(UnixFsData.Type.FILE, null, 99L, new long[] {3}, null, null, null, null).encode()));
        badUnixFs(() -> r.stat(lying));
        Cid wrongChild = put(m, new PbNode(List.of(new PbLink(leaf, "", 3L)), UnixFsData.file(null, new long[] {4}).encode()));
        badUnixFs(() -> r.readAll(wrongChild));
        // Metadata nodes, HAMTs with a bad fanout or hash, non-UnixFS codecs
        badUnixFs(() -> r.stat(put(m, new PbNode(List.of(), new byte[] {0x08, 0x03}))));
        badUnixFs(() -> r.entries(put(m, new PbNode(List.of(), UnixFsData.hamtShard(new byte[] {1}, 100).encode()))));
        badUnixFs(() -> r.entries(put(m, new PbNode(List.of(),
                new UnixFsData(UnixFsData.Type.HAMT_SHARD, new byte[] {1}, null, null, 0x12L, 256L, null, null).encode()))));
        Cid shardBadName = put(m, new PbNode(List.of(new PbLink(leaf, "Z", 3L)), UnixFsData.hamtShard(new byte[] {1}, 256).encode()));
        badUnixFs(() -> r.entries(shardBadName).iterator().hasNext());
        Cid cbor = Cid.of(Multicodec.DAG_CBOR, new byte[] {(byte) 0xA0});
        m.put(cbor, new byte[] {(byte) 0xA0});
        badUnixFs(() -> r.stat(cbor));
        // missing blocks are NOT_FOUND, malformed dag-pb stays BAD_BLOCK
        Cid absent = Cid.of(Multicodec.RAW, new byte[] {9});
        notFound(() -> r.stat(absent), absent.toString());
        Cid brokenPb = Cid.of(Multicodec.DAG_PB, new byte[] {0x0A});
        m.put(brokenPb, new byte[] {0x0A});
        assertThatThrownBy(() -> r.stat(brokenPb)).isInstanceOf(IpldException.class)
                .extracting(e -> ((IpldException) e).reason()).isEqualTo(IpldException.Reason.BAD_BLOCK);
    }

    @Test
    void blocksizesThatAddUpPast2To63AreBadUnixFs() {
        // two links to one leaf whose blocksizes wrap a long: the size must not come out negative or small
        Map<Cid, byte[]> m = new HashMap<>();
        Cid leaf = Cid.of(Multicodec.RAW, new byte[] {1, 2, 3});
        m.put(leaf, new byte[] {1, 2, 3});
        UnixFsReader r = new UnixFsReader(m::get);
        byte[] wrapping = new UnixFsData(UnixFsData.Type.FILE, null, null, new long[] {Long.MAX_VALUE, 1}, null, null, null, null).encode();
        Cid c = put(m, new PbNode(List.of(new PbLink(leaf, "", 3L), new PbLink(leaf, "", 3L)), wrapping));
        badUnixFs(() -> r.stat(c));
        badUnixFs(() -> r.open(c, 0, 10));
        badUnixFs(() -> UnixFsData.decode(wrapping).fileSize());
        // wrapping all the way round to a small size is refused too
        byte[] toZero = new UnixFsData(UnixFsData.Type.FILE, new byte[] {7}, null,
                new long[] {Long.MAX_VALUE, Long.MAX_VALUE, 1}, null, null, null, null).encode();
        badUnixFs(() -> UnixFsData.decode(toZero).contentSize());
    }

    static Cid put(Map<Cid, byte[]> m, PbNode node) {
        byte[] b = DagPb.encode(node);
        Cid c = Cid.of(Multicodec.DAG_PB, b);
        m.put(c, b);
        return c;
    }

    static void badUnixFs(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(IpldException.class)
                .extracting(e -> ((IpldException) e).reason()).isEqualTo(IpldException.Reason.BAD_UNIXFS);
    }

    static void notFound(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
        assertThatThrownBy(call).isInstanceOf(IpldException.class).hasMessageContaining(message)
                .extracting(e -> ((IpldException) e).reason()).isEqualTo(IpldException.Reason.NOT_FOUND);
    }

    private static void assertRange(UnixFsReader r, Cid root, byte[] all, long off, long len, String name) throws IOException {
        int from = (int) Math.min(off, all.length);
        int to = (int) Math.min((long) all.length, from + Math.min(len, all.length));
        if (len > all.length - (long) from) {
            to = all.length;
        }
        try (InputStream in = r.open(root, off, len)) {
            byte[] got = in.readAllBytes();
            assertThat(Arrays.equals(got, Arrays.copyOfRange(all, from, to))).as(name + " [" + off + "+" + len + ")").isTrue();
        }
    }

    static JsonNode vector(String name) {
        for (JsonNode v : Vectors.manifest().get("unixfs")) {
            if (v.get("name").asText().equals(name)) {
                return v;
            }
        }
        throw new IllegalArgumentException(name);
    }

    static JsonNode directory(String name) {
        for (JsonNode v : Vectors.manifest().get("directories")) {
            if (v.get("name").asText().equals(name)) {
                return v;
            }
        }
        throw new IllegalArgumentException(name);
    }
}
