package venus.retrieval.ipld.traversal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static venus.retrieval.ipld.traversal.DagTraversalTest.cids;
import static venus.retrieval.ipld.traversal.DagTraversalTest.load;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.cbor.DagCbor;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.ipld.model.NodeArbitraries;
import venus.retrieval.ipld.testing.Vectors;

class SelectorsTest {
    /** filecoin-retrieval.md §10.7 (rs-graphsync and cpp-filecoin): ExploreAllRecursively. */
    static final String ALL_HEX = "a16152a2616ca1646e6f6e65a0623a3ea16161a1613ea16140a0";

    static Node json(String dagJson) {
        return venus.retrieval.ipld.json.DagJson.decode(dagJson.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void allSelectorBytesAreCanonical() {
        byte[] all = Selectors.encode(Selectors.exploreAllRecursively());
        assertThat(HexFormat.of().formatHex(all)).isEqualTo(ALL_HEX);
        assertThat(Selectors.encode(json("{\"R\":{\"l\":{\"none\":{}},\":>\":{\"a\":{\">\":{\"@\":{}}}}}}"))).isEqualTo(all);
        assertThat(Selectors.parse(HexFormat.of().parseHex(ALL_HEX))).isSameAs(Selector.all());
        assertThat(HexFormat.of().formatHex(Selectors.encode(Selectors.matcher()))).isEqualTo("a1612ea0");
        assertThat(HexFormat.of().formatHex(Selectors.encode(Selectors.exploreAllToDepth(5))))
                .isEqualTo("a16152a2616ca165646570746805623a3ea16161a1613ea16140a0");
    }

    static Stream<JsonNode> unixfsVectors() {
        return DagTraversalTest.unixfsVectors();
    }

    /** The generic ExploreRecursive (a huge depth limit) takes the same walk as the dag-pb fast path. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("unixfsVectors")
    void recursiveSelectorVisitsTheCarInOrder(JsonNode v) {
        DagTraversalTest.Loaded car = load(v.get("car").asText());
        Cid root = Cid.parse(v.get("root").asText());
        Selector deep = Selectors.parse(Selectors.exploreAllToDepth(1_000_000));
        assertThat(deep).isNotSameAs(Selector.all());
        assertThat(cids(DagTraversal.over(car.getter()).withSelector(deep).iterator(root))).isEqualTo(car.order());
        Selector all = Selectors.parse(Selectors.exploreAllRecursively());
        assertThat(cids(DagTraversal.over(car.getter()).withSelector(all).iterator(root))).isEqualTo(car.order());
    }

    /**
     * go-ipld-prime counts recursion depth in data-model steps: a dag-pb child is reached by
     * Links, index, Hash (3 steps), and a step needs 2 or more remaining. So depth d loads the
     * blocks at most (d-1)/3 link hops down.
     */
    @Test
    void depthLimitCountsDataModelSteps() {
        DagTraversalTest.Loaded car = load("unixfs/dir-site.car");
        Cid root = car.roots().get(0);
        DagTraversal t = DagTraversal.over(car.getter());
        for (int d = 0; d <= 12; d++) {
            int hops = d == 0 ? 0 : (d - 1) / 3;
            List<Cid> expected = cids(t.withMaxDepth(hops).iterator(root));
            List<Cid> got = cids(t.withSelector(Selectors.parse(Selectors.exploreAllToDepth(d))).iterator(root));
            assertThat(got).as("depth %d", d).isEqualTo(expected);
        }
        assertThat(cids(t.withSelector(Selectors.parse(Selectors.exploreAllToDepth(4))).iterator(root))).hasSize(5);
    }

    @Test
    void fieldsIndexRangeAndUnionOnMixedTwoRoots() {
        DagTraversalTest.Loaded car = load("car/mixed-two-roots.car");
        List<Cid> o = car.order(); // root, A, B, identity, v0 dag-pb (which links A)
        Cid root = o.get(0);
        DagTraversal t = DagTraversal.over(car.getter()).withDups(true);
        Node m = Selectors.matcher();
        assertThat(walk(t, root, Selectors.exploreField("links", Selectors.exploreIndex(1, m)))).containsExactly(root, o.get(2));
        assertThat(walk(t, root, Selectors.exploreField("links", Selectors.exploreRange(2, 4, m))))
                .containsExactly(root, o.get(3), o.get(4));
        assertThat(walk(t, root, Selectors.exploreField("links", Selectors.exploreRange(3, 1000, m)))).containsExactly(root, o.get(4));
        // a union's interests come in member order: index 3 before index 0
        assertThat(walk(t, root, Selectors.exploreField("links",
                Selectors.exploreUnion(Selectors.exploreIndex(3, m), Selectors.exploreIndex(0, m))))).containsExactly(root, o.get(4), o.get(1));
        // a child two members name is walked twice (go-ipld-prime concatenates interests)
        assertThat(walk(t, root, Selectors.exploreField("links",
                Selectors.exploreUnion(Selectors.exploreIndex(1, m), Selectors.exploreIndex(1, m))))).containsExactly(root, o.get(2), o.get(2));
        // fields in the selector's order, not the node's: "nested" (no links) then "links"
        Map<String, Node> f = new LinkedHashMap<>();
        f.put("links", Selectors.exploreIndex(0, m));
        f.put("nested", Selectors.exploreAll(m));
        f.put("absent", m);
        assertThat(walk(t, root, Selectors.exploreFields(f))).containsExactly(root, o.get(1));
        // ExploreAll over the links list then into the dag-pb node's Links: A is reached twice
        Node deep = Selectors.exploreField("links", Selectors.exploreAll(Selectors.exploreAllToDepth(10)));
        assertThat(walk(t, root, deep)).containsExactly(root, o.get(1), o.get(2), o.get(3), o.get(4), o.get(1));
        assertThat(walk(t.withDups(false), root, deep)).containsExactly(root, o.get(1), o.get(2), o.get(3), o.get(4));
        // index and range do nothing on maps; fields on a list by index
        assertThat(walk(t, root, Selectors.exploreIndex(0, m))).containsExactly(root);
        assertThat(walk(t, root, Selectors.explorePath("links/1", m))).containsExactly(root, o.get(2));
        // the matcher alone: the root only
        assertThat(walk(t, root, m)).containsExactly(root);
    }

    @Test
    void stopAtPrunesALinkAndItsSubtree() {
        DagTraversalTest.Loaded car = load("unixfs/dir-site.car");
        Cid root = car.roots().get(0);
        DagTraversal t = DagTraversal.over(car.getter());
        List<Cid> all = cids(t.iterator(root));
        Cid docs = all.get(1);
        List<Cid> docsTree = cids(t.iterator(docs));
        List<Cid> expected = new ArrayList<>(all);
        expected.removeAll(docsTree);
        Node stop = Selectors.exploreRecursive(-1, Selectors.exploreAll(Selectors.recursiveEdge()), docs);
        assertThat(walk(t, root, stop)).isEqualTo(expected);
        // the bytes round-trip through dag-cbor
        assertThat(DagCbor.decode(Selectors.encode(stop))).isEqualTo(DagCbor.decode(Selectors.encode(stop)));
        assertThat(cids(t.withSelector(Selectors.parse(Selectors.encode(stop))).iterator(root))).isEqualTo(expected);
    }

    @Test
    void nestedRecursionAndUnionsWithEdges() {
        DagTraversalTest.Loaded car = load("unixfs/dir-site.car");
        Cid root = car.roots().get(0);
        DagTraversal t = DagTraversal.over(car.getter());
        // lassie's "entity" shape: union(matcher, ExploreAll(edge)) recursing without limit = everything
        Node u = Selectors.exploreRecursive(-1, Selectors.exploreUnion(Selectors.matcher(), Selectors.exploreAll(Selectors.recursiveEdge())));
        assertThat(walk(t, root, u)).isEqualTo(car.order());
        // a recursion nested in a path: only the docs subtree (Links/0/Hash) below the root
        Node path = Selectors.explorePath("Links/0/Hash", Selectors.exploreAllRecursively());
        List<Cid> docs = cids(t.iterator(car.order().get(1)));
        List<Cid> expected = new ArrayList<>(List.of(root));
        expected.addAll(docs);
        assertThat(walk(t, root, path)).isEqualTo(expected);
    }

    @Test
    void badSelectorsAreRejectedWithBadSelector() {
        String[] bad = {
            "1", "{}", "{\"a\":{},\"f\":{}}", "{\"x\":{}}", "{\"a\":{}}", "{\"a\":1}", "{\"@\":{}}",
            "{\"R\":{\"l\":{\"none\":{}},\":>\":{\".\":{}}}}", "{\"R\":{\":>\":{\"@\":{}}}}",
            "{\"R\":{\"l\":{\"depth\":\"x\"},\":>\":{\"@\":{}}}}", "{\"R\":{\"l\":{\"deep\":1},\":>\":{\"@\":{}}}}",
            "{\"R\":{\"l\":{\"none\":{},\"depth\":1},\":>\":{\"@\":{}}}}",
            "{\"R\":{\"l\":{\"none\":{}},\":>\":{\"@\":{}},\"!\":{\"/\":1}}}", "{\"r\":{\"^\":3,\"$\":3,\">\":{\".\":{}}}}",
            "{\"i\":{\">\":{\".\":{}}}}", "{\"f\":{\"f>\":[]}}", "{\"|\":{}}", "{\".\":{\"subset\":{\"[\":5,\"]\":2}}}",
            // ADLs other than go-unixfsnode's two, and malformed InterpretAs bodies
            "{\"~\":{\"as\":\"hamt\",\">\":{\".\":{}}}}", "{\"~\":{\"as\":1,\">\":{\".\":{}}}}",
            "{\"~\":{\">\":{\".\":{}}}}", "{\"~\":{\"as\":\"unixfs\"}}", "{\"~\":{\"as\":\"unixfs\",\">\":{\"@\":{}}}}",
            "{\"&\":{\">\":{\".\":{}}}}",
            "{\"i\":{\"i\":18446744073709551615,\">\":{\".\":{}}}}",
        };
        for (String s : bad) {
            assertThatThrownBy(() -> Selectors.parse(json(s))).as(s)
                    .isInstanceOfSatisfying(IpldException.class, e -> assertThat(e.reason()).isEqualTo(IpldException.Reason.BAD_SELECTOR));
        }
        assertThatThrownBy(() -> Selectors.parse(new byte[] {(byte) 0xa1}))
                .isInstanceOfSatisfying(IpldException.class, e -> assertThat(e.reason()).isEqualTo(IpldException.Reason.BAD_SELECTOR));
        Node deep = Selectors.matcher();
        for (int i = 0; i < 300; i++) {
            deep = Selectors.exploreAll(deep);
        }
        Node tooDeep = deep;
        assertThatThrownBy(() -> Selectors.parse(tooDeep)).isInstanceOf(IpldException.class);
    }

    /** Recursive unions double at every step; the walk stops with BAD_SELECTOR instead of exhausting memory. */
    @Test
    void exponentialUnionsFailCleanly() {
        Map<Cid, byte[]> blocks = new java.util.HashMap<>();
        Cid root = chain(40, blocks);
        Node edgeAll = Selectors.exploreAll(Selectors.recursiveEdge());
        Node bomb = Selectors.exploreRecursive(-1, Selectors.exploreUnion(edgeAll, edgeAll));
        DagTraversal t = DagTraversal.over(blocks::get).withDups(true).withSelector(Selectors.parse(bomb));
        assertThatThrownBy(() -> cids(t.iterator(root)))
                .isInstanceOfSatisfying(IpldException.class, e -> assertThat(e.reason()).isEqualTo(IpldException.Reason.BAD_SELECTOR));
    }

    /** A chain of {@code n} dag-cbor blocks {@code {"i":k,"next":link}}; returns its head. */
    static Cid chain(int n, Map<Cid, byte[]> into) {
        Cid prev = null;
        for (int k = n - 1; k >= 0; k--) {
            Node.MapBuilder b = Node.mapBuilder().put("i", k);
            if (prev != null) {
                b.put("next", Node.link(prev));
            }
            byte[] data = DagCbor.encode(b.build());
            prev = Cid.of(venus.retrieval.ipld.Multicodec.DAG_CBOR, data);
            into.put(prev, data);
        }
        return prev;
    }

    /** A 100k-block chain: walked whole without deep recursion, and cut exactly by a depth limit. */
    @Test
    void hundredThousandBlockChain() {
        Map<Cid, byte[]> blocks = new java.util.HashMap<>();
        Cid head = chain(100_000, blocks);
        DagTraversal t = DagTraversal.over(blocks::get).withDups(true);
        long[] n = {0};
        t.withSelector(Selectors.parse(Selectors.exploreAllRecursively())).walk(List.of(head), v -> ++n[0] > 0);
        assertThat(n[0]).isEqualTo(100_000);
        n[0] = 0;
        // one step per hop ("next" is a link): depth d loads d blocks below the head... minus the last step
        t.withSelector(Selectors.parse(Selectors.exploreAllToDepth(5000))).walk(List.of(head), v -> ++n[0] > 0);
        assertThat(n[0]).isEqualTo(5000);
        n[0] = 0;
        t.withSelector(Selectors.parse(Selectors.exploreAllToDepth(150_000))).walk(List.of(head), v -> ++n[0] > 0);
        assertThat(n[0]).isEqualTo(100_000);
    }

    static List<Cid> walk(DagTraversal t, Cid root, Node selector) {
        Selector s = Selectors.parse(DagCbor.decode(Selectors.encode(selector)));
        List<Cid> out = new ArrayList<>();
        t.withSelector(s).iterator(root).forEachRemaining(v -> out.add(v.cid()));
        return out;
    }

    // ---- fuzzing: parse and walk never fail with anything but IpldException ----

    @Provide
    Arbitrary<Node> selectorish() {
        Arbitrary<String> keys = Arbitraries.of(".", "a", "f", "i", "r", "R", "@", "|", "&", "~", ">", "f>", "l", ":>", "!",
                "^", "$", "none", "depth", "/", "subset", "[", "]", "x");
        return Arbitraries.recursive(
                () -> Arbitraries.oneOf(NodeArbitraries.nodes(0, false), Arbitraries.just(Node.map(Map.of()))),
                inner -> Arbitraries.oneOf(
                        Arbitraries.maps(keys, inner).ofMaxSize(3).map(mp -> Node.map(new LinkedHashMap<>(mp))),
                        inner.list().ofMaxSize(3).map(Node::list),
                        Arbitraries.integers().between(-2, 5).map(i -> Node.integer(i))),
                6);
    }

    @Property(tries = 3000, seed = "20261127")
    void fuzzedSelectorsFailOnlyWithBadSelector(@ForAll("selectorish") Node spec) {
        DagTraversalTest.Loaded car = load("car/mixed-two-roots.car");
        Selector s;
        try {
            s = Selectors.parse(spec);
        } catch (IpldException e) {
            assertThat(e.reason()).isEqualTo(IpldException.Reason.BAD_SELECTOR);
            return;
        }
        try {
            var it = DagTraversal.over(car.getter()).withDups(true).withSelector(s).iterator(car.roots().get(0));
            for (int i = 0; i < 1000 && it.hasNext(); i++) {
                it.next();
            }
        } catch (IpldException e) {
            assertThat(e.reason()).isEqualTo(IpldException.Reason.BAD_SELECTOR);
        }
    }

    @Property(tries = 2000, seed = "42")
    void fuzzedSelectorBytesFailOnlyWithBadSelector(@ForAll("mutations") byte[] bytes) {
        try {
            Selectors.parse(bytes);
        } catch (IpldException e) {
            assertThat(e.reason()).isEqualTo(IpldException.Reason.BAD_SELECTOR);
        }
    }

    @Provide
    Arbitrary<byte[]> mutations() {
        byte[] all = HexFormat.of().parseHex(ALL_HEX);
        return Arbitraries.integers().between(0, all.length - 1).tuple3().map(tp -> {
            byte[] b = all.clone();
            b[tp.get1()] = (byte) (b[tp.get1()] ^ (1 << (tp.get2() % 8)));
            b[tp.get3()] ^= (byte) tp.get2().intValue();
            return b;
        });
    }
}
