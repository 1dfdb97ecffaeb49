package venus.retrieval.ipld.traversal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.cbor.DagCbor;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.ipld.pb.DagPb;
import venus.retrieval.ipld.pb.PbLink;
import venus.retrieval.ipld.pb.PbNode;

/** The traversal against a plain recursive reference walk on random DAGs (shared subtrees included). */
class DagTraversalPropertyTest {
    /** A random DAG: node i links only to nodes with larger indices, so it is acyclic; node 0 is the root. */
    record Dag(Cid root, Map<Cid, byte[]> blocks, Map<Cid, List<Cid>> links) {}

    static Dag randomDag(long seed, int size) {
        Random rnd = new Random(seed);
        Cid[] cids = new Cid[size];
        Map<Cid, byte[]> blocks = new HashMap<>();
        Map<Cid, List<Cid>> links = new HashMap<>();
        for (int i = size - 1; i >= 0; i--) {
            List<Cid> out = new ArrayList<>();
            int fanout = i == size - 1 ? 0 : rnd.nextInt(4);
            for (int k = 0; k < fanout; k++) {
                out.add(cids[i + 1 + rnd.nextInt(size - i - 1)]);
            }
            byte[] block;
            Cid cid;
            if (out.isEmpty() && rnd.nextBoolean()) {
                block = new byte[] {(byte) i, (byte) (i >> 8), 7};
                cid = Cid.of(Multicodec.RAW, block);
            } else if (rnd.nextBoolean()) {
                List<PbLink> pl = new ArrayList<>();
                for (Cid c : out) {
                    pl.add(PbLink.of(c, "", 1));
                }
                block = DagPb.encode(new PbNode(pl, new byte[] {(byte) i, (byte) (i >> 8)}));
                cid = Cid.of(Multicodec.DAG_PB, block);
            } else {
                List<Node> ln = new ArrayList<>();
                for (Cid c : out) {
                    ln.add(Node.link(c));
                }
                block = DagCbor.encode(Node.mapBuilder().put("i", i).put("links", Node.list(ln)).build());
                cid = Cid.of(Multicodec.DAG_CBOR, block);
            }
            cids[i] = cid;
            blocks.put(cid, block);
            links.put(cid, out);
        }
        return new Dag(cids[0], blocks, links);
    }

    static void reference(Dag dag, Cid c, int depth, int maxDepth, Set<Cid> seen, List<String> out) {
        if (seen != null && !seen.add(c)) {
            return;
        }
        out.add(c + "@" + depth);
        if (depth == maxDepth) {
            return;
        }
        for (Cid child : dag.links().get(c)) {
            reference(dag, child, depth + 1, maxDepth, seen, out);
        }
    }

    @Property(tries = 200, seed = "7")
    void matchesTheRecursiveReference(@ForAll long seed, @ForAll @IntRange(min = 1, max = 40) int size,
                                      @ForAll boolean dups, @ForAll @IntRange(min = 0, max = 8) int maxDepth) {
        Dag dag = randomDag(seed, size);
        List<String> expected = new ArrayList<>();
        reference(dag, dag.root(), 0, maxDepth, dups ? null : new HashSet<>(), expected);
        List<String> got = new ArrayList<>();
        DagTraversal.over(dag.blocks()::get).withDups(dups).withMaxDepth(maxDepth).iterator(dag.root())
                .forEachRemaining(v -> got.add(v.cid() + "@" + v.depth()));
        assertThat(got).isEqualTo(expected);
    }

    /** The walk keeps its own stack: a chain far deeper than the JVM stack allows recursively. */
    @Test
    void deepChainDoesNotOverflowTheStack() {
        int n = 100_000;
        Map<Cid, byte[]> blocks = new HashMap<>();
        byte[] leaf = {1};
        Cid next = Cid.of(Multicodec.RAW, leaf);
        blocks.put(next, leaf);
        for (int i = 0; i < n; i++) {
            byte[] b = DagPb.encode(PbNode.ofLinks(List.of(new PbLink(next, null, null))));
            next = Cid.of(Multicodec.DAG_PB, b);
            blocks.put(next, b);
        }
        long count = DagTraversal.over(blocks::get).walk(List.of(next), v -> true);
        assertThat(count).isEqualTo(n + 1);
    }
}
