package venus.retrieval.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.pb.DagPb;
import venus.retrieval.ipld.testing.Vectors;
import venus.retrieval.ipld.unixfs.UnixFsBuilder;
import venus.retrieval.ipld.unixfs.UnixFsData;
import venus.retrieval.ipld.unixfs.UnixFsProfile;
import venus.retrieval.ipld.unixfs.UnixFsReader;

/** Trustless gateway (raw blocks and CAR) on the shared vectors: exact block sets and order, headers, status codes. */
class TrustlessGatewayTest {
    static final String SITE = "bafybeico3ftrhbglzf46qejzpogtcqsscwyrovzb2pis6ehemxsl4fcbou";
    static final String HAMT = "bafybeiawy276pj4agtln7sw7imbbr4yj34ko4i63t6n4ljwcd2ogjclug4";
    /** 1048577 bytes, seed 1006, 64 KiB raw leaves, balanced with 11 links: root, 2 inner nodes, 17 leaves. */
    static final String BALANCED = "bafybeiexeyisl73ompnkdgj5k72jmjbitl3jhjpz4zmfbm7avnl5fisxla";
    static final String MIXED = "bafyreifb2ddwo2qylh7bunghwoq2cbn42eglavadjhgiwi5o2wfvtdp6qa";
    static final String CAR_TYPE = "application/vnd.ipld.car";

    static VectorStore store;
    static GatewayServer server;
    static UnixFsReader unixfs;

    @BeforeAll
    static void start() {
        store = VectorStore.of("unixfs/dir-site.car", "unixfs/dir-hamt-1200.car", "car/mixed-two-roots.car",
                "unixfs/file-1048577-v1-raw-64k-balanced-11.car", "unixfs/file-3158073-unixfs-v0-2015.car",
                "unixfs/file-1000-unixfs-v1-2025.car", "unixfs/file-0-unixfs-v1-2025.car");
        unixfs = new UnixFsReader(store::get);
        server = GatewayServer.forBackend(GatewayConfig.defaults().withListen("127.0.0.1", 0),
                new IpldGatewayBackend(store::get), FreePaymentGate.INSTANCE).start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static RawHttp.Response get(String path, String... headers) throws Exception {
        try (RawHttp c = new RawHttp(server.port())) {
            return c.get(path, headers);
        }
    }

    static Cid cid(String s) {
        return Cid.parse(s);
    }

    static Cid at(String root, String path) {
        return unixfs.resolve(cid(root), path);
    }

    static VectorStore.Car car(String path, String... headers) throws Exception {
        RawHttp.Response r = get(path, headers);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith(CAR_TYPE);
        assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(r.header("Accept-Ranges")).isEqualTo("none");
        assertThat(r.header("Content-Disposition")).matches("attachment; filename=\".*\\.car\".*");
        assertThat(r.header("Etag")).startsWith("W/\"");
        assertThat(r.header("Cache-Control")).isEqualTo("public, max-age=29030400, immutable");
        return VectorStore.parse(r.body());
    }

    // ------------------------------------------------------------------ raw

    @Test
    void rawBlockByFormatParamAndByAccept() throws Exception {
        Cid root = cid(SITE);
        for (RawHttp.Response r : List.of(get("/ipfs/" + SITE + "?format=raw"), get("/ipfs/" + SITE, "Accept: application/vnd.ipld.raw"))) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(store.get(root));
            assertThat(r.header("Content-Type")).isEqualTo("application/vnd.ipld.raw");
            assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(store.get(root).length));
            assertThat(r.header("Content-Disposition")).startsWith("attachment; filename=\"" + SITE + ".bin\"");
            assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(r.header("Etag")).isEqualTo("\"" + SITE + ".raw\"");
            assertThat(r.header("Cache-Control")).isEqualTo("public, max-age=29030400, immutable");
            assertThat(r.header("X-Ipfs-Path")).isEqualTo("/ipfs/" + SITE);
            assertThat(r.header("X-Ipfs-Roots")).isEqualTo(SITE);
            assertThat(r.header("Vary")).isEqualTo("Accept");
            assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("*");
        }
        assertThat(get("/ipfs/" + SITE, "Accept: application/vnd.ipld.raw").header("Content-Location"))
                .isEqualTo("/ipfs/" + SITE + "?format=raw");
        assertThat(get("/ipfs/" + SITE + "?format=raw&filename=foobar.bin").header("Content-Disposition"))
                .startsWith("attachment; filename=\"foobar.bin\"");
    }

    @Test
    void rawBlockOnAPathIsTheTerminalBlock() throws Exception {
        Cid readme = at(SITE, "docs/readme.txt");
        RawHttp.Response r = get("/ipfs/" + SITE + "/docs/readme.txt?format=raw");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(store.get(readme));
        assertThat(r.header("X-Ipfs-Path")).isEqualTo("/ipfs/" + SITE + "/docs/readme.txt");
        assertThat(r.header("X-Ipfs-Roots")).isEqualTo(SITE + "," + at(SITE, "docs") + "," + readme);
    }

    @Test
    void rawBlockRangesAndHead() throws Exception {
        byte[] block = store.get(cid(SITE));
        RawHttp.Response r = get("/ipfs/" + SITE + "?format=raw", "Range: bytes=6-16");
        assertThat(r.status()).isEqualTo(206);
        assertThat(r.header("Content-Range")).isEqualTo("bytes 6-16/" + block.length);
        assertThat(r.body()).isEqualTo(java.util.Arrays.copyOfRange(block, 6, 17));
        try (RawHttp c = new RawHttp(server.port())) {
            RawHttp.Response h = c.request("HEAD", "/ipfs/" + SITE + "?format=raw");
            assertThat(h.status()).isEqualTo(200);
            assertThat(h.header("Content-Length")).isEqualTo(String.valueOf(block.length));
            assertThat(h.body()).isEmpty();
            assertThat(c.get("/ipfs/" + SITE + "?format=raw").body()).isEqualTo(block); // same connection still in sync
        }
    }

    @Test
    void probeAndIdentityCids() throws Exception {
        RawHttp.Response probe = get("/ipfs/bafkqaaa?format=raw");
        assertThat(probe.status()).isEqualTo(200);
        assertThat(probe.body()).isEmpty();
        VectorStore.Car c = car("/ipfs/bafkqaaa?format=car");
        assertThat(c.roots()).containsExactly(cid("bafkqaaa"));
        assertThat(c.order()).isEmpty();
        // Identity blocks never appear in a CAR, even with dups=y.
        RawHttp.Response id = get("/ipfs/bafkqaf3imvwgy3zaneqgc3janfxgy2lomvscay3jmqfa", "Accept: application/vnd.ipld.car; version=1; order=dfs; dups=y");
        assertThat(id.status()).isEqualTo(200);
        assertThat(id.header("Content-Type")).contains("dups=y");
        assertThat(VectorStore.parse(id.body()).order()).isEmpty();
    }

    @Test
    void notHeldIs404AndNeverFetched() throws Exception {
        String absent = Cid.of(Multicodec.RAW, "not here".getBytes(StandardCharsets.UTF_8)).toString();
        assertThat(get("/ipfs/" + absent + "?format=raw").status()).isEqualTo(404);
        assertThat(get("/ipfs/" + absent + "?format=car").status()).isEqualTo(404);
        assertThat(get("/ipfs/" + absent).status()).isEqualTo(404);
        try (RawHttp c = new RawHttp(server.port())) {
            assertThat(c.request("HEAD", "/ipfs/" + absent + "?format=raw").status()).isEqualTo(404);
        }
        assertThat(get("/ipfs/" + SITE + "/no-such-file?format=car").status()).isEqualTo(404);
        assertThat(get("/ipfs/" + SITE + "/no-such-file?format=raw").status()).isEqualTo(404);
        assertThat(get("/ipfs/" + absent, "Cache-Control: only-if-cached").status()).isEqualTo(412);
        assertThat(get("/ipfs/" + SITE + "?format=raw", "Cache-Control: only-if-cached").status()).isEqualTo(200);
    }

    @Test
    void badCidsFormatsAndParametersAre400() throws Exception {
        for (String bad : List.of("/ipfs/not-a-cid", "/ipfs/bafy", "/ipfs/Qm123", "/ipfs/%ZZ", "/ipfs/zzzzzzzzzz?format=raw",
                "/ipfs/" + SITE + "?format=nonsense", "/ipfs/" + SITE + "?format=tar",
                "/ipfs/" + SITE + "?format=car&dag-scope=everything", "/ipfs/" + SITE + "?format=car&entity-bytes=abc",
                "/ipfs/" + SITE + "?format=car&entity-bytes=10:5", "/ipfs/" + SITE + "?format=car&car-version=2",
                "/ipfs/" + SITE + "?format=car&car-order=bfs", "/ipfs/" + SITE + "?format=car&car-dups=maybe")) {
            RawHttp.Response r = get(bad);
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.text()).as(bad).startsWith("400 Bad Request: ");
        }
        assertThat(get("/ipfs/" + SITE, "Accept: application/vnd.ipld.car; version=2").status()).isEqualTo(400);
        assertThat(get("/ipfs/" + SITE, "Accept: application/vnd.ipld.unknown").status()).isEqualTo(400);
        // A file whose bytes are outside entity-bytes.
        assertThat(get("/ipfs/" + BALANCED + "?format=car&entity-bytes=2000000:*").status()).isEqualTo(400);
    }

    @Test
    void formatParamBeatsAccept() throws Exception {
        RawHttp.Response r = get("/ipfs/" + SITE + "?format=raw", "Accept: application/vnd.ipld.car");
        assertThat(r.header("Content-Type")).isEqualTo("application/vnd.ipld.raw");
        RawHttp.Response c = get("/ipfs/" + SITE + "?format=car", "Accept: application/vnd.ipld.raw");
        assertThat(c.header("Content-Type")).startsWith(CAR_TYPE);
        assertThat(c.header("Content-Location")).isNull();
        RawHttp.Response a = get("/ipfs/" + SITE, "Accept: application/vnd.ipld.car");
        assertThat(a.header("Content-Location")).isEqualTo("/ipfs/" + SITE + "?format=car");
    }

    // ------------------------------------------------------------------ CAR: order and scopes

    /** dir-site in DFS link order: directory links are sorted by name. */
    static List<Cid> siteDfs() {
        return List.of(cid(SITE), at(SITE, "docs"), at(SITE, "docs/deep"), at(SITE, "docs/deep/data.bin"),
                at(SITE, "docs/readme.txt"), at(SITE, "index.html"), at(SITE, "media"), at(SITE, "media/picture.png"),
                at(SITE, "unicode-ä ö.txt"));
    }

    @Test
    void carOfADirectoryIsTheWholeDagInDfsOrder() throws Exception {
        RawHttp.Response r = get("/ipfs/" + SITE + "?format=car");
        assertThat(r.header("Content-Type")).isEqualTo("application/vnd.ipld.car; version=1; order=dfs; dups=n");
        assertThat(r.header("X-Ipfs-Path")).isEqualTo("/ipfs/" + SITE);
        assertThat(r.header("Vary")).isEqualTo("Accept");
        VectorStore.Car c = VectorStore.parse(r.body());
        assertThat(c.roots()).containsExactly(cid(SITE));
        assertThat(c.order()).containsExactlyElementsOf(siteDfs());
        assertThat(c.order()).hasSize(Vectors.manifest().get("directories").get(0).get("blocks").asInt());
        // dag-scope=all is the default.
        assertThat(car("/ipfs/" + SITE + "?format=car&dag-scope=all").order()).containsExactlyElementsOf(siteDfs());
    }

    @Test
    void dagScopeBlockAndEntityOnDirectoriesAndPaths() throws Exception {
        assertThat(car("/ipfs/" + SITE + "?format=car&dag-scope=block").order()).containsExactly(cid(SITE));
        assertThat(car("/ipfs/" + SITE + "?format=car&dag-scope=entity").order()).containsExactly(cid(SITE));
        // A path: the blocks on the way, then the scope at the terminal.
        VectorStore.Car c = car("/ipfs/" + SITE + "/docs?format=car&dag-scope=entity");
        assertThat(c.roots()).containsExactly(at(SITE, "docs"));
        assertThat(c.order()).containsExactly(cid(SITE), at(SITE, "docs"));
        assertThat(car("/ipfs/" + SITE + "/docs/deep/data.bin?format=car&dag-scope=block").order())
                .containsExactly(cid(SITE), at(SITE, "docs"), at(SITE, "docs/deep"), at(SITE, "docs/deep/data.bin"));
        assertThat(car("/ipfs/" + SITE + "/docs?format=car").order())
                .containsExactly(cid(SITE), at(SITE, "docs"), at(SITE, "docs/deep"), at(SITE, "docs/deep/data.bin"), at(SITE, "docs/readme.txt"));
        // entity-bytes on a directory is the same as entity.
        assertThat(car("/ipfs/" + SITE + "?format=car&entity-bytes=0:*").order()).containsExactly(cid(SITE));
    }

    @Test
    void carOfAChunkedFileCarriesEveryLeafInFileOrder() throws Exception {
        for (String[] v : new String[][] {{BALANCED, "1006", "1048577", "20"},
                {"QmZVjKibqd3B2y1443ttwcGtv4SAdiJnczM2n2GYxd65PE", "1007", "3158073", "14"}}) {
            for (String scope : List.of("all", "entity")) {
                VectorStore.Car c = car("/ipfs/" + v[0] + "?format=car&dag-scope=" + scope);
                assertThat(c.order().get(0)).isEqualTo(cid(v[0]));
                assertThat(c.order()).hasSize(Integer.parseInt(v[3]));
                assertThat(new HashSet<>(c.order())).hasSize(c.order().size());
                assertThat(fileBytes(c)).isEqualTo(Vectors.xorshift(Long.parseLong(v[1]), Integer.parseInt(v[2])));
                assertParentsFirst(c);
            }
            assertThat(car("/ipfs/" + v[0] + "?format=car&dag-scope=block").order()).containsExactly(cid(v[0]));
        }
    }

    /** The file's bytes from its leaves in CAR order (a leaf out of order would scramble them). */
    static byte[] fileBytes(VectorStore.Car c) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Cid x : c.order()) {
            byte[] d = c.data().get(x);
            if (x.codec() == Multicodec.RAW) {
                out.writeBytes(d);
            } else {
                UnixFsData u = UnixFsData.decode(DagPb.decode(d).data());
                if (u.data() != null) {
                    out.writeBytes(u.data());
                }
            }
        }
        return out.toByteArray();
    }

    /** Pre-order: every block after the block that links to it. */
    static void assertParentsFirst(VectorStore.Car c) {
        Set<Cid> before = new HashSet<>();
        Set<Cid> linked = new HashSet<>();
        for (Cid x : c.order()) {
            if (!before.isEmpty()) {
                assertThat(linked).as("parent of " + x + " comes first").contains(x);
            }
            before.add(x);
            if (x.codec() == Multicodec.DAG_PB) {
                linked.addAll(DagPb.links(c.data().get(x)));
            }
        }
    }

    /** The balanced file's structure read from its two top levels: the root's inner nodes and their leaves. */
    static List<List<Cid>> balancedLevels() {
        List<List<Cid>> inner = new ArrayList<>();
        for (Cid n : DagPb.links(store.get(cid(BALANCED)))) {
            List<Cid> level = new ArrayList<>();
            level.add(n);
            level.addAll(DagPb.links(store.get(n)));
            inner.add(level);
        }
        return inner;
    }

    /** Expected CAR for entity-bytes over the balanced file: root, then each inner node with its overlapping leaves. */
    static List<Cid> expectRange(long from, long to) {
        List<Cid> out = new ArrayList<>();
        out.add(cid(BALANCED));
        int leaf = 0;
        for (List<Cid> level : balancedLevels()) {
            List<Cid> leaves = new ArrayList<>();
            for (Cid l : level.subList(1, level.size())) {
                long start = leaf * 65536L;
                long end = Math.min(start + 65536, 1048577) - 1;
                if (start <= to && end >= from) {
                    leaves.add(l);
                }
                leaf++;
            }
            if (!leaves.isEmpty()) {
                out.add(level.get(0));
                out.addAll(leaves);
            }
        }
        return out;
    }

    @Test
    void entityBytesSendsOnlyTheOverlappingBlocks() throws Exception {
        long size = 1048577;
        Map<String, long[]> cases = new java.util.LinkedHashMap<>();
        cases.put("0:0", new long[] {0, 0});
        cases.put("0:65535", new long[] {0, 65535});
        cases.put("65535:65536", new long[] {65535, 65536});
        cases.put("131072:*", new long[] {131072, size - 1});
        cases.put("720896:720896", new long[] {720896, 720896}); // first byte of leaf 11, under the second inner node
        cases.put("-1:*", new long[] {size - 1, size - 1});
        cases.put("-65537:*", new long[] {size - 65537, size - 1});
        cases.put("100000:-900000", new long[] {100000, size - 900000});
        cases.put("-99999999:*", new long[] {0, size - 1});
        cases.put("-99999999:-1048570", new long[] {0, 7});
        cases.put("1000000:99999999", new long[] {1000000, size - 1});
        for (Map.Entry<String, long[]> e : cases.entrySet()) {
            VectorStore.Car c = car("/ipfs/" + BALANCED + "?format=car&entity-bytes=" + e.getKey());
            assertThat(c.order()).as(e.getKey()).containsExactlyElementsOf(expectRange(e.getValue()[0], e.getValue()[1]));
        }
        // entity-bytes changes the Etag.
        assertThat(get("/ipfs/" + BALANCED + "?format=car&entity-bytes=0:0").header("Etag"))
                .isNotEqualTo(get("/ipfs/" + BALANCED + "?format=car&entity-bytes=0:1").header("Etag"))
                .isNotEqualTo(get("/ipfs/" + BALANCED + "?format=car").header("Etag"));
    }

    @Test
    void hamtDirectoryScopesAndPathing() throws Exception {
        Map<Cid, byte[]> hamtBlocks = VectorStore.read(Vectors.file("unixfs/dir-hamt-1200.car"));
        Set<Cid> shards = new LinkedHashSet<>();
        for (Map.Entry<Cid, byte[]> e : hamtBlocks.entrySet()) {
            if (e.getKey().codec() == Multicodec.DAG_PB) {
                byte[] d = DagPb.decode(e.getValue()).data();
                if (d != null && UnixFsData.decode(d).type() == UnixFsData.Type.HAMT_SHARD) {
                    shards.add(e.getKey());
                }
            }
        }
        assertThat(shards).hasSize(hamtBlocks.size() - 1200);
        VectorStore.Car entity = car("/ipfs/" + HAMT + "?format=car&dag-scope=entity");
        assertThat(entity.order().get(0)).isEqualTo(cid(HAMT));
        assertThat(entity.order()).containsExactlyInAnyOrderElementsOf(shards);
        assertParentsFirst(entity);
        VectorStore.Car all = car("/ipfs/" + HAMT + "?format=car");
        assertThat(all.order()).containsExactlyInAnyOrderElementsOf(hamtBlocks.keySet());
        assertParentsFirst(all);
        assertThat(car("/ipfs/" + HAMT + "?format=car&dag-scope=block").order()).containsExactly(cid(HAMT));
        // A file behind the HAMT: root, the shards on its way (each linking the next), then the file.
        Cid file = at(HAMT, "entry-00042.txt");
        VectorStore.Car path = car("/ipfs/" + HAMT + "/entry-00042.txt?format=car");
        assertThat(path.roots()).containsExactly(file);
        assertThat(path.order().get(0)).isEqualTo(cid(HAMT));
        assertThat(path.order().get(path.order().size() - 1)).isEqualTo(file);
        for (int i = 0; i + 1 < path.order().size(); i++) {
            assertThat(shards).contains(path.order().get(i));
            assertThat(DagPb.links(path.data().get(path.order().get(i)))).contains(path.order().get(i + 1));
        }
        assertThat(new String(path.data().get(file), StandardCharsets.UTF_8)).isEqualTo("file number 42 seed 1000\n");
    }

    @Test
    void dupsYRepeatsAndDupsNDoesNot() throws Exception {
        // mixed-two-roots: a dag-cbor root linking raw, identity and a dag-pb block.
        VectorStore.Car n = car("/ipfs/" + MIXED + "?format=car");
        VectorStore.Car y = car("/ipfs/" + MIXED + "?format=car&car-dups=y");
        assertThat(new HashSet<>(n.order())).hasSize(n.order().size());
        assertThat(new HashSet<>(y.order())).isEqualTo(new HashSet<>(n.order()));
        assertThat(n.order().get(0)).isEqualTo(cid(MIXED));
        assertThat(n.order()).noneMatch(Cid::isIdentity);
        // Accept parameters, and the URL beating them.
        RawHttp.Response accept = get("/ipfs/" + MIXED, "Accept: application/vnd.ipld.car; version=1; order=dfs; dups=y");
        assertThat(accept.header("Content-Type")).isEqualTo("application/vnd.ipld.car; version=1; order=dfs; dups=y");
        RawHttp.Response url = get("/ipfs/" + MIXED + "?format=car&car-dups=n", "Accept: application/vnd.ipld.car; dups=y");
        assertThat(url.header("Content-Type")).endsWith("dups=n");
        RawHttp.Response unk = get("/ipfs/" + MIXED, "Accept: application/vnd.ipld.car; order=unk");
        assertThat(unk.header("Content-Type")).contains("order=");
    }

    @Test
    void duplicateBlocksAreRepeatedOnlyWithDupsY() throws Exception {
        // A directory holding the same file twice, and a sub-directory holding it once more.
        UnixFsBuilder b = new UnixFsBuilder(UnixFsProfile.UNIXFS_V1_2025, store.blocks::put);
        UnixFsBuilder.Built same = b.file("same bytes\n".getBytes(StandardCharsets.UTF_8));
        UnixFsBuilder.Built other = b.file("other\n".getBytes(StandardCharsets.UTF_8));
        UnixFsBuilder.Built sub = b.directory(List.of(new UnixFsBuilder.Entry("copy.txt", same)));
        UnixFsBuilder.Built dir = b.directory(List.of(new UnixFsBuilder.Entry("a.txt", same),
                new UnixFsBuilder.Entry("b.txt", same), new UnixFsBuilder.Entry("c.txt", other), new UnixFsBuilder.Entry("d", sub)));
        VectorStore.Car y = car("/ipfs/" + dir.cid() + "?format=car&car-dups=y");
        assertThat(y.order()).containsExactly(dir.cid(), same.cid(), same.cid(), other.cid(), sub.cid(), same.cid());
        VectorStore.Car n = car("/ipfs/" + dir.cid() + "?format=car&car-dups=n");
        assertThat(n.order()).containsExactly(dir.cid(), same.cid(), other.cid(), sub.cid());
        assertThat(get("/ipfs/" + dir.cid() + "?format=car&car-dups=y").header("Content-Type")).endsWith("dups=y");
        VectorStore.Car path = car("/ipfs/" + dir.cid() + "/d?format=car");
        assertThat(path.order()).containsExactly(dir.cid(), sub.cid(), same.cid());
    }

    @Test
    void dagCborPathing() throws Exception {
        Cid second = cid("bafkreibqdllqd53acoq7dehjzhljkus2zcfplkqj7rcmmat2vrqh6wv3nu");
        VectorStore.Car c = car("/ipfs/" + MIXED + "/links/1?format=car");
        assertThat(c.roots()).containsExactly(second);
        assertThat(c.order()).containsExactly(cid(MIXED), second);
        RawHttp.Response raw = get("/ipfs/" + MIXED + "/links/1?format=raw");
        assertThat(raw.body()).isEqualTo(store.get(second));
        assertThat(raw.header("X-Ipfs-Roots")).isEqualTo(MIXED + "," + second);
        // Through the dag-cbor block into the dag-pb block it links.
        assertThat(car("/ipfs/" + MIXED + "/links/3?format=car&dag-scope=block").order())
                .containsExactly(cid(MIXED), cid("QmeMPMWEmwA9SahxZNoX8hK3QWSCRF48C6JoNoTWFapPqs"));
        assertThat(get("/ipfs/" + MIXED + "/links/9?format=car").status()).isEqualTo(404);
        assertThat(get("/ipfs/" + MIXED + "/no-such-key?format=car").status()).isEqualTo(404);
        assertThat(get("/ipfs/" + MIXED + "/nested/s?format=raw").status()).isEqualTo(501);
        assertThat(get("/ipfs/" + MIXED + "/name/x?format=raw").status()).isEqualTo(501);
        assertThat(get("/ipfs/" + MIXED + "/links/1/deeper?format=raw").status()).isEqualTo(404);
        // The dag-cbor root's CAR: the document, then its links in document order (identity skipped).
        assertThat(car("/ipfs/" + MIXED + "?format=car").order()).containsExactly(cid(MIXED),
                cid("bafkreidztbl6tolfc3paaobnckffq4prwwlstzbe4umqy4mreamfa73f4i"), second,
                cid("QmeMPMWEmwA9SahxZNoX8hK3QWSCRF48C6JoNoTWFapPqs"));
        assertThat(car("/ipfs/" + MIXED + "?format=car&dag-scope=entity").order()).containsExactly(cid(MIXED));
    }

    @Test
    void ifNoneMatchGives304() throws Exception {
        String etag = get("/ipfs/" + SITE + "?format=car").header("Etag");
        for (String inm : List.of(etag, "\"a\", " + etag, "*", etag.substring(2))) {
            RawHttp.Response r = get("/ipfs/" + SITE + "?format=car", "If-None-Match: " + inm);
            assertThat(r.status()).as(inm).isEqualTo(304);
            assertThat(r.header("Etag")).isEqualTo(etag);
            assertThat(r.body()).isEmpty();
            assertThat(r.header("Content-Length")).isNull();
        }
        assertThat(get("/ipfs/" + SITE + "?format=raw", "If-None-Match: \"" + SITE + ".raw\"").status()).isEqualTo(304);
        assertThat(get("/ipfs/" + SITE + "?format=raw", "If-None-Match: W/\"" + SITE + ".raw\"").status()).isEqualTo(304);
        assertThat(get("/ipfs/" + SITE + "?format=raw", "If-None-Match: \"other\"").status()).isEqualTo(200);
    }

    @Test
    void headOfACarSendsNoBody() throws Exception {
        try (RawHttp c = new RawHttp(server.port())) {
            RawHttp.Response h = c.request("HEAD", "/ipfs/" + SITE + "?format=car");
            assertThat(h.status()).isEqualTo(200);
            assertThat(h.header("Content-Type")).startsWith(CAR_TYPE);
            assertThat(h.body()).isEmpty();
            assertThat(VectorStore.parse(c.get("/ipfs/" + SITE + "?format=car").body()).order()).containsExactlyElementsOf(siteDfs());
        }
    }

    @Test
    void carsOverHttp2AreIdentical() throws Exception {
        byte[] h1 = get("/ipfs/" + BALANCED + "?format=car").body();
        try (H2Client h2 = new H2Client(server.port())) {
            H2Client.Response r = h2.request("GET", "/ipfs/" + BALANCED + "?format=car", Map.of());
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.headers().get("content-type")).isEqualTo("application/vnd.ipld.car; version=1; order=dfs; dups=n");
            assertThat(r.body()).isEqualTo(h1);
        }
    }
}
