package venus.retrieval.ipld.json;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.ipld.model.NodeArbitraries;

class DagJsonPropertiesTest {
    @Provide
    Arbitrary<Node> nodes() {
        return NodeArbitraries.nodes(3, false);
    }

    @Property(tries = 400, seed = "20261127")
    void encodeDecodeRoundTrips(@ForAll("nodes") Node n) {
        if (!Double.isFinite(firstNonFinite(n))) {
            return;  // NaN/Infinity have no dag-json form; tested separately
        }
        byte[] b = DagJson.encode(n);
        Node back = DagJson.decode(b);
        assertThat(back).isEqualTo(n);
        assertThat(DagJson.encode(back)).isEqualTo(b);
    }

    @Property(tries = 800, seed = "5")
    void randomAndMutatedInputOnlyRaisesIpldException(@ForAll("nodes") Node n, @ForAll @Size(max = 40) byte[] noise,
            @ForAll @IntRange(min = 0, max = 10_000) int where, @ForAll @IntRange(min = 0, max = 2) int how) {
        byte[] b;
        try {
            b = DagJson.encode(n);
        } catch (IpldException e) {
            b = noise;
        }
        int i = b.length == 0 ? 0 : where % b.length;
        byte[] m = switch (how) {
            case 0 -> noise;
            case 1 -> java.util.Arrays.copyOf(b, i);
            default -> {
                byte[] c = b.clone();
                if (c.length > 0) {
                    c[i] = noise.length > 0 ? noise[0] : (byte) '}';
                }
                yield c;
            }
        };
        try {
            Node d = DagJson.decode(m);
            assertThat(DagJson.decode(DagJson.encode(d))).isEqualTo(d);
        } catch (IpldException expected) {
            assertThat(expected.reason()).isIn(IpldException.Reason.BAD_BLOCK, IpldException.Reason.TRUNCATED,
                    IpldException.Reason.TOO_LARGE, IpldException.Reason.UNSUPPORTED);
        }
    }

    /** NaN when the value holds a non-finite float, else 0. */
    private static double firstNonFinite(Node n) {
        switch (n.kind()) {
            case FLOAT:
                return Double.isFinite(n.asDouble()) ? 0 : Double.NaN;
            case LIST:
                for (Node e : n.elements()) {
                    if (!Double.isFinite(firstNonFinite(e))) {
                        return Double.NaN;
                    }
                }
                return 0;
            case MAP:
                for (Node e : n.entries().values()) {
                    if (!Double.isFinite(firstNonFinite(e))) {
                        return Double.NaN;
                    }
                }
                return 0;
            default:
                return 0;
        }
    }
}
