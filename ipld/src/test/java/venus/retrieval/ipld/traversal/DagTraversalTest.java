package venus.retrieval.ipld.traversal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import venus.retrieval.ipld.BlockGetter;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.car.CarBlock;
import venus.retrieval.ipld.car.CarReader;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.ipld.testing.Vectors;

class DagTraversalTest {
    /** A CAR loaded into memory: its blocks in file order and a getter over them. */
    record Loaded(List<Cid> roots, List<Cid> order, Map<Cid, byte[]> blocks) {
        BlockGetter getter() {
            return blocks::get;
        }
    }

    static Loaded load(String rel) {
        Map<Cid, byte[]> blocks = new HashMap<>();
        List<Cid> order = new ArrayList<>();
        try (CarReader r = CarReader.open(Vectors.file(rel))) {
            for (CarBlock b : r) {
                order.add(b.cid());
                blocks.put(b.cid(), b.data());
            }
            return new Loaded(r.header().roots(), order, blocks);
        }
    }

    static List<Cid> cids(Iterator<Visit> it) {
        List<Cid> out = new ArrayList<>();
        it.forEachRemaining(v -> out.add(v.cid()));
        return out;
    }

    static Stream<JsonNode> unixfsVectors() {
        List<JsonNode> all = new ArrayList<>();
        Vectors.manifest().get("unixfs").forEach(all::add);
        Vectors.manifest().get("directories").forEach(all::add);
        return all.stream();
    }

    /**
     * ipfs-unixfs-importer + @ipld/car wrote every vector depth-first in link order, each block
     * once, which is exactly go-ipld-prime's walk with dups off: the walk must reproduce the file.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("unixfsVectors")
    void walkReproducesTheCarBlockOrder(JsonNode v) {
        Loaded car = load(v.get("car").asText());
        Cid root = Cid.parse(v.get("root").asText());
        assertThat(cids(DagTraversal.over(car.getter()).iterator(root))).isEqualTo(car.order());
        // the generic data-model walk (what every other selector takes) agrees with the dag-pb fast path
        Selector slowAll = new Selector() {
            @Override
            public Selector explore(Node node, String segment) {
                return this;
            }
        };
        List<Visit> fast = new ArrayList<>();
        DagTraversal.over(car.getter()).iterator(root).forEachRemaining(fast::add);
        List<Visit> slow = new ArrayList<>();
        DagTraversal.over(car.getter()).withSelector(slowAll).iterator(root).forEachRemaining(slow::add);
        assertThat(slow).extracting(Visit::cid).isEqualTo(car.order());
        assertThat(slow).extracting(Visit::path).isEqualTo(fast.stream().map(Visit::path).toList());
        assertThat(slow).extracting(Visit::depth).isEqualTo(fast.stream().map(Visit::depth).toList());
    }

    @Test
    void pathsAndDepthsOnTheSiteDirectory() {
        Loaded car = load("unixfs/dir-site.car");
        List<Visit> visits = new ArrayList<>();
        DagTraversal.over(car.getter()).iterator(car.roots().get(0)).forEachRemaining(visits::add);
        assertThat(visits.get(0).path()).isEmpty();
        assertThat(visits.get(0).depth()).isZero();
        // root -> docs -> deep -> data.bin: first link at every level
        assertThat(visits.get(1).path()).isEqualTo("Links/0/Hash");
        assertThat(visits.get(2).path()).isEqualTo("Links/0/Hash/Links/0/Hash");
        assertThat(visits.get(3).path()).isEqualTo("Links/0/Hash/Links/0/Hash/Links/0/Hash");
        assertThat(visits.get(3).depth()).isEqualTo(3);
        // then docs/readme.txt, then the root's second link (index.html)
        assertThat(visits.get(4).path()).isEqualTo("Links/0/Hash/Links/1/Hash");
        assertThat(visits.get(5).path()).isEqualTo("Links/1/Hash");
        assertThat(visits).allSatisfy(v -> assertThat(v.data()).isEqualTo(car.blocks().get(v.cid())));
    }

    @Test
    void depthLimit() {
        Loaded car = load("unixfs/dir-site.car");
        Cid root = car.roots().get(0);
        DagTraversal t = DagTraversal.over(car.getter());
        assertThat(cids(t.withMaxDepth(0).iterator(root))).containsExactly(root);
        List<Visit> one = new ArrayList<>();
        t.withMaxDepth(1).iterator(root).forEachRemaining(one::add);
        // the root and its 4 entries (docs, index.html, media, unicode-ä ö.txt), in link order
        assertThat(one).hasSize(5);
        assertThat(one).extracting(Visit::depth).containsExactly(0, 1, 1, 1, 1);
        assertThat(one).extracting(Visit::path).containsExactly("", "Links/0/Hash", "Links/1/Hash", "Links/2/Hash", "Links/3/Hash");
        assertThat(cids(t.withMaxDepth(2).iterator(root))).hasSize(8);
        assertThat(cids(t.withMaxDepth(3).iterator(root))).isEqualTo(car.order());
        assertThatThrownBy(() -> t.withMaxDepth(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * mixed-two-roots: a dag-cbor root linking (in document order) raw A, raw B, an identity CID
     * and a CIDv0 dag-pb node that links A again; the second root is B. Written with each block
     * once, so dups off reproduces the file; dups on visits A under the dag-pb node again and B
     * again as the second root.
     */
    @Test
    void dupsOnAndOffOnMixedTwoRoots() {
        Loaded car = load("car/mixed-two-roots.car");
        List<Cid> o = car.order();
        Cid root1 = o.get(0);
        Cid a = o.get(1);
        Cid b = o.get(2);
        Cid identity = o.get(3);
        Cid v0 = o.get(4);
        assertThat(identity.isIdentity()).isTrue();
        assertThat(v0.version()).isZero();
        assertThat(car.roots()).containsExactly(root1, b);

        assertThat(cids(DagTraversal.over(car.getter()).iterator(car.roots()))).isEqualTo(o);
        List<Visit> dups = new ArrayList<>();
        DagTraversal.over(car.getter()).withDups(true).iterator(car.roots()).forEachRemaining(dups::add);
        assertThat(dups).extracting(Visit::cid).containsExactly(root1, a, b, identity, v0, a, b);
        assertThat(dups).extracting(Visit::depth).containsExactly(0, 1, 1, 1, 1, 2, 0);
        assertThat(dups.get(1).path()).isEqualTo("links/0");
        assertThat(dups.get(5).path()).isEqualTo("links/3/Links/0/Hash");
        // the identity block's bytes come from the CID, never from the getter
        assertThat(dups.get(3).data()).isEqualTo(identity.identityData());
    }

    @Test
    void identityCidsNeverReachTheGetter() {
        Loaded car = load("car/mixed-two-roots.car");
        List<Cid> asked = new ArrayList<>();
        BlockGetter recording = cid -> {
            asked.add(cid);
            return car.blocks().get(cid);
        };
        assertThat(cids(DagTraversal.over(recording).iterator(car.roots()))).hasSize(5);
        assertThat(asked).hasSize(4).noneMatch(Cid::isIdentity);
    }

    @Test
    void missingBlocksFailOrAreReported() {
        Loaded car = load("unixfs/dir-site.car");
        Cid docs = car.order().get(1);
        Map<Cid, byte[]> partial = new HashMap<>(car.blocks());
        partial.remove(docs);
        Cid root = car.roots().get(0);
        assertThatThrownBy(() -> cids(DagTraversal.over(partial::get).iterator(root)))
                .isInstanceOf(IpldException.class)
                .hasFieldOrPropertyWithValue("reason", IpldException.Reason.NOT_FOUND)
                .hasMessageContaining(docs.toString()).hasMessageContaining("path Links/0/Hash");
        List<Visit> visits = new ArrayList<>();
        DagTraversal.over(partial::get).withMissing(DagTraversal.MissingBlocks.SKIP).iterator(root).forEachRemaining(visits::add);
        // root, the missing docs (its subtree of 3 blocks unreachable), then the other 5
        assertThat(visits).hasSize(9 - 3);
        assertThat(visits.get(1).missing()).isTrue();
        assertThat(visits.get(1).cid()).isEqualTo(docs);
        assertThat(visits).filteredOn(Visit::missing).hasSize(1);
    }

    @Test
    void walkIsLazy() {
        Loaded car = load("unixfs/dir-hamt-1200.car");
        AtomicInteger gets = new AtomicInteger();
        BlockGetter counting = cid -> {
            gets.incrementAndGet();
            return car.blocks().get(cid);
        };
        Iterator<Visit> it = DagTraversal.over(counting).iterator(car.roots().get(0));
        assertThat(gets.get()).isZero();
        it.next();
        it.next();
        assertThat(gets.get()).isEqualTo(2);
        long n = DagTraversal.over(counting).walk(List.of(car.roots().get(0)), v -> v.depth() < 2);
        assertThat(n).isLessThan(1454);
    }

    @Test
    void selectorDecidesWhichLinksToFollow() {
        Loaded car = load("unixfs/dir-site.car");
        // follow only the first link of every block: the leftmost path root/docs/deep/data.bin
        Selector firstOnly = new Selector() {
            @Override
            public Selector explore(Node node, String segment) {
                return node.kind() == venus.retrieval.ipld.model.Kind.LIST && !segment.equals("0") ? null : this;
            }
        };
        List<Cid> got = cids(DagTraversal.over(car.getter()).withSelector(firstOnly).iterator(car.roots().get(0)));
        assertThat(got).isEqualTo(car.order().subList(0, 4));
        // a selector that explores nothing visits only the root
        Selector none = (node, segment) -> null;
        assertThat(cids(DagTraversal.over(car.getter()).withSelector(none).iterator(car.roots().get(0))))
                .containsExactly(car.roots().get(0));
    }

    @Test
    void corruptBlocksFailWithTheirCid() {
        Loaded car = load("unixfs/dir-site.car");
        Map<Cid, byte[]> bad = new HashMap<>(car.blocks());
        Cid docs = car.order().get(1);
        bad.put(docs, new byte[] {(byte) 0xff, 0x01});
        assertThatThrownBy(() -> cids(DagTraversal.over(bad::get).iterator(car.roots().get(0))))
                .isInstanceOf(IpldException.class)
                .hasFieldOrPropertyWithValue("reason", IpldException.Reason.BAD_BLOCK)
                .hasMessageContaining(docs.toString());
    }

    /** Map entries are walked in the order the block encodes them, even when that is not canonical. */
    @Test
    void dagCborAndDagJsonLinksInDocumentOrder() {
        byte[] x = {1};
        byte[] y = {2};
        byte[] z = {3};
        Cid cx = Cid.of(Multicodec.RAW, x);
        Cid cy = Cid.of(Multicodec.RAW, y);
        Cid cz = Cid.of(Multicodec.RAW, z);
        // dag-cbor {"zz": [x, y], "a": z}: "zz" first although canonical order would put "a" first
        java.io.ByteArrayOutputStream cbor = new java.io.ByteArrayOutputStream();
        cbor.write(0xa2);
        cbor.writeBytes(new byte[] {0x62, 'z', 'z', (byte) 0x82});
        cbor.writeBytes(cborLink(cx));
        cbor.writeBytes(cborLink(cy));
        cbor.writeBytes(new byte[] {0x61, 'a'});
        cbor.writeBytes(cborLink(cz));
        byte[] cborBlock = cbor.toByteArray();
        Cid cborRoot = Cid.of(Multicodec.DAG_CBOR, cborBlock);
        // dag-json {"b": {"/": z}, "a": [{"/": y}, {"/": x}]}
        byte[] jsonBlock = ("{\"b\":{\"/\":\"" + cz + "\"},\"a\":[{\"/\":\"" + cy + "\"},{\"/\":\"" + cx + "\"}]}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Cid jsonRoot = Cid.of(Multicodec.DAG_JSON, jsonBlock);
        Map<Cid, byte[]> blocks = Map.of(cx, x, cy, y, cz, z, cborRoot, cborBlock, jsonRoot, jsonBlock);
        List<Visit> visits = new ArrayList<>();
        DagTraversal.over(blocks::get).withDups(true).iterator(List.of(cborRoot, jsonRoot)).forEachRemaining(visits::add);
        assertThat(visits).extracting(Visit::cid).containsExactly(cborRoot, cx, cy, cz, jsonRoot, cz, cy, cx);
        assertThat(visits).extracting(Visit::path).containsExactly("", "zz/0", "zz/1", "a", "", "b", "a/0", "a/1");
    }

    private static byte[] cborLink(Cid c) {
        byte[] b = c.bytes();
        byte[] out = new byte[4 + 1 + b.length];
        out[0] = (byte) 0xd8;
        out[1] = 42;
        out[2] = 0x58;
        out[3] = (byte) (b.length + 1);
        System.arraycopy(b, 0, out, 5, b.length);
        return out;
    }
}
