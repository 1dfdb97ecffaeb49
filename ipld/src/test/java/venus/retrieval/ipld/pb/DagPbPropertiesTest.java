package venus.retrieval.ipld.pb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.Multihash;

class DagPbPropertiesTest {
    @Property(seed = "20261127", tries = 400)
    void roundTrips(@ForAll("nodes") PbNode node) {
        byte[] b = DagPb.encode(node);
        assertThat(DagPb.decode(b)).isEqualTo(node);
        assertThat(DagPb.encode(DagPb.decode(b))).isEqualTo(b);
        assertThat(DagPb.links(b)).containsExactlyElementsOf(node.links().stream().map(PbLink::cid).toList());
    }

    /** Flipped bytes, truncation and garbage either decode or fail with BAD_BLOCK — nothing else. */
    @Property(seed = "424242", tries = 1000)
    void mutatedBlocksFailOnlyWithBadBlock(@ForAll("nodes") PbNode node, @ForAll("mutations") List<int[]> mutations) {
        byte[] b = DagPb.encode(node);
        for (int[] m : mutations) {
            if (b.length == 0) {
                break;
            }
            int at = Math.floorMod(m[1], b.length);
            switch (m[0]) {
                case 0 -> b[at] = (byte) m[2];
                case 1 -> b = java.util.Arrays.copyOf(b, at);
                default -> b[at] ^= (byte) (1 << (m[2] & 7));
            }
        }
        try {
            PbNode n = DagPb.decode(b);
            DagPb.links(b);
            // whatever decoded re-encodes and decodes to itself
            assertThat(DagPb.decode(DagPb.encode(n))).isEqualTo(n);
        } catch (IpldException e) {
            assertThat(e.reason()).isEqualTo(IpldException.Reason.BAD_BLOCK);
        }
    }

    @Provide
    Arbitrary<List<int[]>> mutations() {
        Arbitrary<int[]> one = Combinators.combine(Arbitraries.integers().between(0, 2), Arbitraries.integers(),
                Arbitraries.integers().between(0, 255)).as((k, at, v) -> new int[] {k, at, v});
        return one.list().ofMinSize(1).ofMaxSize(4);
    }

    @Provide
    Arbitrary<PbNode> nodes() {
        Arbitrary<Cid> cids = Arbitraries.bytes().array(byte[].class).ofMaxSize(8).flatMap(seed ->
                Arbitraries.of(0, 1, 2).map(kind -> switch (kind) {
                    case 0 -> Cid.v0(Multihash.compute(Multicodec.SHA2_256, seed));
                    case 1 -> Cid.of(Multicodec.RAW, seed);
                    default -> Cid.v1(Multicodec.DAG_PB, Multihash.of(Multicodec.IDENTITY, seed));
                }));
        Arbitrary<String> names = Arbitraries.strings().ofMaxLength(12).injectNull(0.3);
        Arbitrary<Long> sizes = Arbitraries.longs().between(0, Long.MAX_VALUE).injectNull(0.3);
        Arbitrary<PbLink> links = Combinators.combine(cids, names, sizes).as(PbLink::new);
        Arbitrary<byte[]> data = Arbitraries.bytes().array(byte[].class).ofMaxSize(40).injectNull(0.3);
        return Combinators.combine(links.list().ofMaxSize(6), data).as((l, d) -> new PbNode(new ArrayList<>(l), d));
    }
}
