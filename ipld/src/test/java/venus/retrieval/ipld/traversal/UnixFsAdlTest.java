package venus.retrieval.ipld.traversal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static venus.retrieval.ipld.traversal.DagTraversalTest.cids;
import static venus.retrieval.ipld.traversal.DagTraversalTest.load;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import venus.retrieval.ipld.BlockGetter;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.json.DagJson;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.ipld.pb.DagPb;
import venus.retrieval.ipld.pb.PbLink;
import venus.retrieval.ipld.pb.PbNode;
import venus.retrieval.ipld.traversal.DagTraversalTest.Loaded;
import venus.retrieval.ipld.unixfs.UnixFsData;
import venus.retrieval.ipld.unixfs.UnixFsReader;

/**
 * InterpretAs with go-unixfsnode's {@code unixfs} / {@code unixfs-preload} ADLs: the selectors
 * lassie and go-trustless-utils send, and the blocks a go-graphsync responder loads for them.
 */
class UnixFsAdlTest {
    // dag-json of the selectors as go-trustless-utils' and go-unixfsnode's own tests spell them
    static final String ENTITY = "{\"~\":{\">\":{\"|\":[{\".\":{}},{\"R\":{\":>\":{\"a\":{\">\":{\"@\":{}}}},\"l\":{\"depth\":1}}}]},\"as\":\"unixfs\"}}";
    static final String ENTITY_BYTES_100_201 =
            "{\"~\":{\">\":{\"|\":[{\".\":{\"subset\":{\"[\":100,\"]\":201}}},{\"R\":{\":>\":{\"a\":{\">\":{\"@\":{}}}},\"l\":{\"depth\":1}}}]},\"as\":\"unixfs\"}}";
    static final String MATCH_UNIXFS = "{\"~\":{\">\":{\".\":{}},\"as\":\"unixfs\"}}";
    static final String MATCH_UNIXFS_PRELOAD = "{\"~\":{\">\":{\".\":{}},\"as\":\"unixfs-preload\"}}";
    static final String EXPLORE_ALL = "{\"R\":{\":>\":{\"a\":{\">\":{\"@\":{}}}},\"l\":{\"none\":{}}}}";

    static String fields(String target, String... names) {
        StringBuilder sb = new StringBuilder();
        for (String n : names) {
            sb.append("{\"~\":{\">\":{\"f\":{\"f>\":{\"").append(n).append("\":");
        }
        sb.append(target);
        sb.append("}}},\"as\":\"unixfs\"}}".repeat(names.length));
        return sb.toString();
    }

    private static List<Cid> walk(Loaded car, Cid root, Node selector) {
        DagTraversal t = DagTraversal.over(car.getter()).withDups(true).withSelector(Selectors.parse(Selectors.encode(selector)));
        return cids(t.iterator(root));
    }

    /** Every block of the DAG under {@code cid}, depth-first (what reading the whole file loads). */
    private static List<Cid> all(Loaded car, Cid cid) {
        return cids(DagTraversal.over(car.getter()).withDups(true).iterator(cid));
    }

    private static List<Cid> concat(List<Cid> a, List<Cid> b) {
        List<Cid> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    @Test
    void buildersGiveTheSelectorsGoSends() {
        assertThat(DagJson.encodeToString(Selectors.matchUnixFsEntity())).isEqualTo(ENTITY);
        assertThat(DagJson.encodeToString(Selectors.matchUnixFsEntityBytes(100, 201))).isEqualTo(ENTITY_BYTES_100_201);
        assertThat(DagJson.encodeToString(Selectors.matchUnixFs())).isEqualTo(MATCH_UNIXFS);
        assertThat(DagJson.encodeToString(Selectors.matchUnixFsPreload())).isEqualTo(MATCH_UNIXFS_PRELOAD);
        assertThat(DagJson.encodeToString(Selectors.unixFsPath("foo/bar/baz", Selectors.exploreAllRecursively())))
                .isEqualTo(fields(EXPLORE_ALL, "foo", "bar", "baz"));
        assertThat(DagJson.encodeToString(Selectors.unixFsPath("/foo//bar/baz/", Selectors.matchUnixFsEntity())))
                .isEqualTo(fields(ENTITY, "foo", "bar", "baz"));
        assertThat(DagJson.encodeToString(Selectors.unixFsPath("foo/bar/baz", Selectors.matcher())))
                .isEqualTo(fields("{\".\":{}}", "foo", "bar", "baz"));
        assertThat(Selectors.unixFsPath("", Selectors.matcher())).isEqualTo(Selectors.matcher());
    }

    @Test
    void selectorsRoundTripThroughDagCbor() {
        for (String json : List.of(ENTITY, ENTITY_BYTES_100_201, MATCH_UNIXFS, MATCH_UNIXFS_PRELOAD,
                fields(ENTITY, "docs", "deep", "data.bin"), fields(EXPLORE_ALL, "a"))) {
            Node n = DagJson.decode(json);
            byte[] cbor = Selectors.encode(n);
            assertThat(DagJson.encodeToString(venus.retrieval.ipld.cbor.DagCbor.decode(cbor))).isEqualTo(json);
            assertThat(Selectors.encode(venus.retrieval.ipld.cbor.DagCbor.decode(cbor))).isEqualTo(cbor);
            assertThat(Selectors.parse(cbor)).isNotNull();
        }
        // canonical dag-cbor: ">" sorts before "as" (shorter key first)
        assertThat(java.util.HexFormat.of().formatHex(Selectors.encode(DagJson.decode(MATCH_UNIXFS))))
                .isEqualTo("a1617ea2613ea1612ea062617366756e69786673");
    }

    @Test
    void unknownAdlIsRefusedNamingIt() {
        assertThatThrownBy(() -> Selectors.parse(Selectors.interpretAs("filecoin-hamt", Selectors.matcher())))
                .isInstanceOfSatisfying(IpldException.class, e -> assertThat(e.reason()).isEqualTo(IpldException.Reason.BAD_SELECTOR))
                .hasMessageContaining("\"filecoin-hamt\" is not supported");
    }

    @Test
    void pathIntoTheSiteToAFile() {
        Loaded car = load("unixfs/dir-site.car");
        Cid root = car.roots().get(0);
        UnixFsReader r = new UnixFsReader(car.getter());
        Cid docs = r.resolve(root, "docs");
        Cid deep = r.resolve(root, "docs/deep");
        Cid file = r.resolve(root, "docs/deep/data.bin");
        List<Cid> fileBlocks = all(car, file);   // one raw block in this vector; multi-block files below
        List<Cid> path = List.of(root, docs, deep);
        // dag-scope=entity, =all: the directories on the path, then every block of the file
        assertThat(walk(car, root, Selectors.unixFsPath("docs/deep/data.bin", Selectors.matchUnixFsEntity())))
                .isEqualTo(concat(path, fileBlocks));
        assertThat(walk(car, root, Selectors.unixFsPath("docs/deep/data.bin", Selectors.exploreAllRecursively())))
                .isEqualTo(concat(path, fileBlocks));
        assertThat(walk(car, root, Selectors.unixFsPath("docs/deep/data.bin", Selectors.matchUnixFs())))
                .isEqualTo(concat(path, fileBlocks));
        // dag-scope=block: only the file's root block
        assertThat(walk(car, root, Selectors.unixFsPath("docs/deep/data.bin", Selectors.matcher())))
                .isEqualTo(concat(path, List.of(file)));
        // a name the directory does not have: the walk stops where the path breaks
        assertThat(walk(car, root, Selectors.unixFsPath("docs/nope/data.bin", Selectors.matchUnixFsEntity())))
                .isEqualTo(List.of(root, docs));
        // names with spaces and non-ASCII letters are entry names, not data-model paths
        Cid unicode = r.resolve(root, "unicode-ä ö.txt");
        assertThat(walk(car, root, Selectors.unixFsPath("unicode-ä ö.txt", Selectors.matchUnixFsEntity())))
                .isEqualTo(List.of(root, unicode));
        // paths of the visits are entry names
        DagTraversal t = DagTraversal.over(car.getter()).withDups(true)
                .withSelector(Selectors.parse(Selectors.unixFsPath("docs/deep/data.bin", Selectors.matchUnixFsEntity())));
        List<Visit> visits = new ArrayList<>();
        t.iterator(root).forEachRemaining(visits::add);
        assertThat(visits.get(3).path()).isEqualTo("docs/deep/data.bin");
        assertThat(visits.get(3).depth()).isEqualTo(3);
        assertThat(visits).hasSize(4);
    }

    @Test
    void entityOfAPlainDirectoryIsItsBlockOnly() {
        Loaded car = load("unixfs/dir-site.car");
        Cid root = car.roots().get(0);
        assertThat(walk(car, root, Selectors.matchUnixFsEntity())).containsExactly(root);
        assertThat(walk(car, root, Selectors.matchUnixFsPreload())).containsExactly(root);
        Cid docs = new UnixFsReader(car.getter()).resolve(root, "docs");
        assertThat(walk(car, root, Selectors.unixFsPath("docs", Selectors.matchUnixFsEntity()))).containsExactly(root, docs);
    }

    /** The shard blocks of the HAMT vector, depth-first, found from the CAR's structure alone. */
    private static List<Cid> shards(Loaded car, Cid root) {
        List<Cid> out = new ArrayList<>();
        for (Cid c : all(car, root)) {
            if (c.codec() == Multicodec.DAG_PB && UnixFsData.decode(DagPb.decode(car.blocks().get(c)).data()).type()
                    == UnixFsData.Type.HAMT_SHARD) {
                out.add(c);
            }
        }
        return out;
    }

    /** The chain of shards from the root to the shard whose link names {@code name}, and that link (by link names only). */
    private static List<Cid> shardPath(Loaded car, Cid root, String name, Cid[] entry) {
        Map<Cid, Cid> parent = new HashMap<>();
        Cid holder = null;
        for (Cid s : shards(car, root)) {
            for (PbLink l : DagPb.decode(car.blocks().get(s)).links()) {
                if (l.name().length() == 2) {
                    parent.put(l.cid(), s);
                } else if (l.name().substring(2).equals(name)) {
                    holder = s;
                    entry[0] = l.cid();
                }
            }
        }
        List<Cid> chain = new ArrayList<>();
        for (Cid c = holder; c != null; c = parent.get(c)) {
            chain.add(0, c);
        }
        return chain;
    }

    @Test
    void pathThroughTheHamtLoadsOnlyTheShardsOnTheWay() {
        Loaded car = load("unixfs/dir-hamt-1200.car");
        Cid root = car.roots().get(0);
        // the HAMT's structure from its link names alone: each entry's shard, each shard's parent
        Map<Cid, Cid> parent = new HashMap<>();
        Map<String, Cid> holder = new HashMap<>();
        Map<String, Cid> entry = new HashMap<>();
        for (Cid s : shards(car, root)) {
            for (PbLink l : DagPb.decode(car.blocks().get(s)).links()) {
                if (l.name().length() == 2) {
                    parent.put(l.cid(), s);
                } else {
                    holder.put(l.name().substring(2), s);
                    entry.put(l.name().substring(2), l.cid());
                }
            }
        }
        assertThat(entry).hasSize(1200);
        int deepest = 0;
        for (String name : entry.keySet()) {
            List<Cid> chain = new ArrayList<>();
            for (Cid c = holder.get(name); c != null; c = parent.get(c)) {
                chain.add(0, c);
            }
            assertThat(chain.get(0)).isEqualTo(root);
            deepest = Math.max(deepest, chain.size());
            assertThat(walk(car, root, Selectors.unixFsPath(name, Selectors.matchUnixFsEntity())))
                    .as(name).isEqualTo(concat(chain, all(car, entry.get(name))));
        }
        assertThat(deepest).as("some entries sit in sub-shards").isGreaterThan(1);
        assertThat(walk(car, root, Selectors.unixFsPath("entry-00042.txt", Selectors.exploreAllRecursively())))
                .isEqualTo(walk(car, root, Selectors.unixFsPath("entry-00042.txt", Selectors.matchUnixFsEntity())));
        // a name not in the directory: the shards its hash leads through, nothing else
        List<Cid> missing = walk(car, root, Selectors.unixFsPath("no-such-entry.txt", Selectors.matchUnixFsEntity()));
        assertThat(missing.get(0)).isEqualTo(root);
        assertThat(shards(car, root)).containsAll(missing);
    }

    @Test
    void twoNamesInOneHamtShareTheShardsAlreadyLoaded() {
        Loaded car = load("unixfs/dir-hamt-1200.car");
        Cid root = car.roots().get(0);
        Cid[] a = new Cid[1];
        Cid[] b = new Cid[1];
        List<Cid> chainA = shardPath(car, root, "entry-00001.txt", a);
        List<Cid> chainB = shardPath(car, root, "entry-00002.txt", b);
        Map<String, Node> f = new java.util.LinkedHashMap<>();
        f.put("entry-00001.txt", Selectors.matcher());
        f.put("entry-00002.txt", Selectors.matcher());
        List<Cid> expected = new ArrayList<>(chainA);
        expected.add(a[0]);
        chainB.stream().filter(c -> !chainA.contains(c)).forEach(expected::add);
        expected.add(b[0]);
        assertThat(walk(car, root, Selectors.interpretAs("unixfs", Selectors.exploreFields(f)))).isEqualTo(expected);
    }

    @Test
    void entityOfAHamtIsEveryShardButNoEntry() {
        Loaded car = load("unixfs/dir-hamt-1200.car");
        Cid root = car.roots().get(0);
        List<Cid> shards = shards(car, root);
        assertThat(shards).hasSizeGreaterThan(1);
        assertThat(walk(car, root, Selectors.matchUnixFsEntity())).isEqualTo(shards);
        assertThat(walk(car, root, Selectors.matchUnixFsPreload())).isEqualTo(shards);
        // plain "unixfs" and a matcher iterates nothing: only the root shard
        assertThat(walk(car, root, Selectors.matchUnixFs())).containsExactly(root);
    }

    @Test
    void iteratingAHamtLoadsEachShardBetweenTheEntries() {
        Loaded car = load("unixfs/dir-hamt-1200.car");
        Cid root = car.roots().get(0);
        // every entry is one block, so the lazy iteration's loads are the CAR's own DFS order
        assertThat(walk(car, root, Selectors.interpretAs("unixfs", Selectors.exploreAll(Selectors.matcher()))))
                .isEqualTo(car.order());
        // with preload every shard comes first, then the entries
        List<Cid> shards = shards(car, root);
        List<Cid> expected = new ArrayList<>(shards);
        car.order().stream().filter(c -> !shards.contains(c)).forEach(expected::add);
        assertThat(walk(car, root, Selectors.interpretAs("unixfs-preload", Selectors.exploreAll(Selectors.matcher()))))
                .isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"unixfs/file-3158073-v1-raw-64k-balanced-11.car", "unixfs/file-3158073-v1-raw-256k-trickle.car",
            "unixfs/file-3158073-unixfs-v0-2015.car", "unixfs/file-1048577-unixfs-v1-2025.car"})
    void entityOfAFileIsAllItsBlocksAndBytesOnlyThoseOfTheRange(String vector) throws IOException {
        Loaded car = load(vector);
        Cid root = car.roots().get(0);
        assertThat(walk(car, root, Selectors.matchUnixFsEntity())).isEqualTo(car.order());
        assertThat(walk(car, root, Selectors.matchUnixFs())).isEqualTo(car.order());
        assertThat(walk(car, root, Selectors.matcher())).containsExactly(root);
        // preload reads the file once when reifying it, and the match reads it again
        List<Cid> rest = car.order().subList(1, car.order().size());
        assertThat(walk(car, root, Selectors.matchUnixFsPreload())).isEqualTo(concat(concat(List.of(root), rest), rest));
        // entity-bytes: the blocks the reader fetches for the same range (leaves outside it are never read)
        long size = new UnixFsReader(car.getter()).stat(root).size();
        long[][] ranges = {{0, 1}, {100, 201}, {300_000, 900_000}, {size - 1, size}, {size - 70_000, Long.MAX_VALUE}, {-10, -1}};
        for (long[] rg : ranges) {
            long from = rg[0] < 0 ? size + rg[0] : rg[0];
            long to = rg[1] < 0 ? size + rg[1] : Math.min(rg[1], size);
            List<Cid> fetched = new ArrayList<>();
            BlockGetter recording = c -> {
                fetched.add(c);
                return car.blocks().get(c);
            };
            try (InputStream in = new UnixFsReader(recording).open(root, from, to - from)) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            assertThat(walk(car, root, Selectors.matchUnixFsEntityBytes(rg[0], rg[1])))
                    .as("range %d..%d", rg[0], rg[1]).isEqualTo(fetched);
        }
        // a range past the end matches nothing: the root alone
        assertThat(walk(car, root, Selectors.matchUnixFsEntityBytes(size + 5, size + 10))).containsExactly(root);
    }

    @Test
    void aRawLeafOrAOneBlockFileIsItsBlock() {
        Loaded raw = load("unixfs/file-1000-unixfs-v1-2025.car");
        assertThat(walk(raw, raw.roots().get(0), Selectors.matchUnixFsEntity())).containsExactly(raw.roots().get(0));
        Loaded v0 = load("unixfs/file-1000-unixfs-v0-2015.car");
        assertThat(walk(v0, v0.roots().get(0), Selectors.matchUnixFsPreload())).containsExactly(v0.roots().get(0));
    }

    @Test
    void nonUnixFsBlocksAreLeftAsTheyAre() {
        Loaded car = load("car/mixed-two-roots.car");
        Cid root = car.roots().get(0);
        Node plain = Selectors.exploreAllRecursively();
        assertThat(walk(car, root, Selectors.interpretAs("unixfs", plain))).isEqualTo(walk(car, root, plain));
        Node nested = Selectors.exploreAll(Selectors.interpretAs("unixfs", Selectors.matcher()));
        assertThat(walk(car, root, nested)).isEqualTo(walk(car, root, Selectors.exploreAll(Selectors.matcher())));
        // a dag-pb node without UnixFS Data is a map of its link names
        Map<Cid, byte[]> blocks = new HashMap<>(car.blocks());
        Cid leaf = Cid.parse("bafkreibqdllqd53acoq7dehjzhljkus2zcfplkqj7rcmmat2vrqh6wv3nu");
        byte[] pb = DagPb.encode(PbNode.ofLinks(List.of(new PbLink(leaf, "x", 3L))));
        Cid pbCid = Cid.of(Multicodec.DAG_PB, pb);
        blocks.put(pbCid, pb);
        DagTraversal t = DagTraversal.over(blocks::get).withSelector(Selectors.parse(Selectors.unixFsPath("x", Selectors.matcher())));
        assertThat(cids(t.iterator(pbCid))).containsExactly(pbCid, leaf);
    }

    /** The requester side checks each block against the response as the walk asks for it: one load per step. */
    @Test
    void eachStepLoadsExactlyOneBlock() {
        Loaded car = load("unixfs/dir-hamt-1200.car");
        Cid root = car.roots().get(0);
        List<Cid> loads = new ArrayList<>();
        BlockGetter recording = c -> {
            loads.add(c);
            return car.blocks().get(c);
        };
        for (Node sel : List.of(Selectors.matchUnixFsEntity(), Selectors.unixFsPath("entry-00777.txt", Selectors.matchUnixFsEntity()),
                Selectors.interpretAs("unixfs", Selectors.exploreAll(Selectors.matcher())))) {
            loads.clear();
            Iterator<Visit> it = DagTraversal.over(recording).withDups(true).withSelector(Selectors.parse(sel)).iterator(root);
            while (it.hasNext()) {
                Visit v = it.next();
                assertThat(loads).last().isEqualTo(v.cid());
                loads.clear();
            }
        }
        Loaded file = load("unixfs/file-3158073-v1-raw-64k-balanced-11.car");
        loads.clear();
        BlockGetter fileRecording = c -> {
            loads.add(c);
            return file.blocks().get(c);
        };
        Iterator<Visit> it = DagTraversal.over(fileRecording).withSelector(Selectors.parse(Selectors.matchUnixFsEntity()))
                .iterator(file.roots().get(0));
        List<Visit> visits = new ArrayList<>();
        while (it.hasNext()) {
            Visit v = it.next();
            assertThat(loads).containsExactly(v.cid());
            loads.clear();
            visits.add(v);
        }
        // paths and depths of a file's blocks below the matched root: its dag-pb links
        assertThat(visits.get(1).path()).isEqualTo("Links/0/Hash");
        assertThat(visits.get(1).depth()).isEqualTo(1);
        assertThat(visits.get(2).path()).isEqualTo("Links/0/Hash/Links/0/Hash");
        assertThat(visits.get(2).depth()).isEqualTo(2);
    }

    @Test
    void missingShardsAreReportedOrFail() {
        Loaded car = load("unixfs/dir-hamt-1200.car");
        Cid root = car.roots().get(0);
        Cid[] entry = new Cid[1];
        List<Cid> chain = shardPath(car, root, "entry-00777.txt", entry);
        assertThat(chain).hasSizeGreaterThan(1);
        Map<Cid, byte[]> blocks = new HashMap<>(car.blocks());
        blocks.remove(chain.get(1));
        Selector sel = Selectors.parse(Selectors.unixFsPath("entry-00777.txt", Selectors.matchUnixFsEntity()));
        List<Visit> visits = new ArrayList<>();
        DagTraversal.over(blocks::get).withSelector(sel).withMissing(DagTraversal.MissingBlocks.SKIP).iterator(root)
                .forEachRemaining(visits::add);
        assertThat(visits).extracting(Visit::cid).containsExactly(root, chain.get(1));
        assertThat(visits.get(1).missing()).isTrue();
        assertThatThrownBy(() -> cids(DagTraversal.over(blocks::get).withSelector(sel).iterator(root)))
                .isInstanceOfSatisfying(IpldException.class, e -> assertThat(e.reason()).isEqualTo(IpldException.Reason.NOT_FOUND))
                .hasMessageContaining(chain.get(1).toString());
    }

    @Test
    void aBrokenHamtFailsWithBadUnixFs() {
        Loaded car = load("unixfs/dir-hamt-1200.car");
        Cid root = car.roots().get(0);
        Cid[] entry = new Cid[1];
        List<Cid> chain = shardPath(car, root, "entry-00777.txt", entry);
        Map<Cid, byte[]> blocks = new HashMap<>(car.blocks());
        blocks.put(chain.get(1), car.blocks().get(entry[0]));   // a sub-shard whose bytes are a file (hash not checked here)
        Selector sel = Selectors.parse(Selectors.unixFsPath("entry-00777.txt", Selectors.matchUnixFsEntity()));
        assertThatThrownBy(() -> cids(DagTraversal.over(blocks::get).withSelector(sel).iterator(root)))
                .isInstanceOfSatisfying(IpldException.class, e -> assertThat(e.reason()).isIn(
                        IpldException.Reason.BAD_UNIXFS, IpldException.Reason.BAD_BLOCK));
    }

    /**
     * Blocks corrupted in place (as a malicious or broken store would serve them) under the ADL
     * selectors: the walk ends or fails with an IpldException, never anything else.
     */
    @net.jqwik.api.Property(seed = "4242", tries = 200)
    void corruptedBlocksUnderTheAdlFailCleanly(@net.jqwik.api.ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 1) int vector,
            @net.jqwik.api.ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 10_000) int which,
            @net.jqwik.api.ForAll int at, @net.jqwik.api.ForAll byte value,
            @net.jqwik.api.ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 4) int selector) {
        Loaded car = vector == 0 ? hamtVector() : fileVector();
        Cid root = car.roots().get(0);
        List<Cid> dagPb = car.order().stream().filter(c -> c.codec() == Multicodec.DAG_PB).toList();
        Cid victim = dagPb.get(which % dagPb.size());
        Map<Cid, byte[]> blocks = new HashMap<>(car.blocks());
        byte[] b = blocks.get(victim).clone();
        b[Math.floorMod(at, b.length)] = value;
        blocks.put(victim, b);
        Node sel = switch (selector) {
            case 0 -> Selectors.matchUnixFsEntity();
            case 1 -> Selectors.matchUnixFsPreload();
            case 2 -> Selectors.unixFsPath("entry-00" + (100 + which % 900) + ".txt", Selectors.matchUnixFsEntity());
            case 3 -> Selectors.matchUnixFsEntityBytes(which * 97L, which * 97L + 70_000);
            default -> Selectors.interpretAs("unixfs", Selectors.exploreAll(Selectors.matcher()));
        };
        try {
            cids(DagTraversal.over(blocks::get).withDups(true).withMissing(DagTraversal.MissingBlocks.SKIP)
                    .withSelector(Selectors.parse(sel)).iterator(root));
        } catch (IpldException e) {
            assertThat(e.reason()).isIn(IpldException.Reason.BAD_UNIXFS, IpldException.Reason.BAD_BLOCK, IpldException.Reason.NOT_FOUND);
        }
    }

    private static Loaded hamt;
    private static Loaded file;

    private static synchronized Loaded hamtVector() {
        if (hamt == null) {
            hamt = load("unixfs/dir-hamt-1200.car");
        }
        return hamt;
    }

    private static synchronized Loaded fileVector() {
        if (file == null) {
            file = load("unixfs/file-3158073-v1-raw-64k-balanced-11.car");
        }
        return file;
    }
}
