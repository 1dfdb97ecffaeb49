package venus.retrieval.ipld.cbor;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.ipld.model.NodeArbitraries;

/** Round trips of generated values; random and mutated bytes only ever raise IpldException, within bounded memory. */
class DagCborPropertiesTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static {
        // Link every error path once before measuring: first-time invokedynamic linkage (string
        // concatenation in messages) allocates megabytes that have nothing to do with the input.
        java.util.Random rnd = new java.util.Random(1);
        for (int i = 0; i < 3000; i++) {
            byte[] b = new byte[1 + rnd.nextInt(24)];
            rnd.nextBytes(b);
            exercise(b);
        }
    }

    @Provide
    Arbitrary<Node> nodes() {
        return NodeArbitraries.nodes(3, true);
    }

    @Property(tries = 400, seed = "20261127")
    void encodeDecodeRoundTrips(@ForAll("nodes") Node n) {
        byte[] b = DagCbor.encode(n);
        Node back = DagCbor.decode(b);
        assertThat(back).isEqualTo(n);
        assertThat(DagCbor.encode(back)).isEqualTo(b);
        assertThat(back.links()).containsExactlyInAnyOrderElementsOf(n.links());
        // the reader's skip agrees with the decoder on where the item ends
        CborReader r = new CborReader(b);
        r.skip();
        r.expectEnd();
    }

    @Property(tries = 1000, seed = "7")
    void randomBytesOnlyRaiseIpldException(@ForAll @Size(max = 64) byte[] input) {
        decodeSafely(input);
    }

    @Property(tries = 600, seed = "11")
    void mutatedEncodingsOnlyRaiseIpldException(@ForAll("nodes") Node n, @ForAll @IntRange(min = 0, max = 10_000) int where,
            @ForAll byte value, @ForAll @IntRange(min = 0, max = 3) int how) {
        byte[] b = DagCbor.encode(n);
        int i = where % b.length;
        byte[] m;
        switch (how) {
            case 0 -> {
                m = b.clone();
                m[i] = value;
            }
            case 1 -> m = java.util.Arrays.copyOf(b, i);
            case 2 -> {
                m = new byte[b.length + 1];
                System.arraycopy(b, 0, m, 0, i);
                m[i] = value;
                System.arraycopy(b, i, m, i + 1, b.length - i);
            }
            default -> {
                m = b.clone();
                m[i] ^= (byte) (1 << (value & 7));
            }
        }
        decodeSafely(m);
    }

    @Example
    void tinyHostileInputsAllocateAlmostNothing() {
        List<String> hostile = List.of("9bffffffffffffffff", "9a0fffffff", "5a7fffffff00", "bbffffffffffffff00", "9a00100000" + "8080",
                "c2" + "5a7fffffff", "d82a5a7fffffff00");
        for (String h : hostile) {
            exercise(venus.retrieval.ipld.Multibase.unhex(h));  // warm up: first-time linkage allocates too
        }
        for (String h : hostile) {
            byte[] b = venus.retrieval.ipld.Multibase.unhex(h);
            long used = allocatedDuring(() -> decodeSafely(b));
            assertThat(used).as(h).isLessThan(1 << 20);
        }
    }

    /** Decodes and walks {@code input} every way; only IpldException may escape, and allocation stays proportional. */
    private static void decodeSafely(byte[] input) {
        long budget = 400L * input.length + (512 << 10);
        long used = allocatedDuring(() -> exercise(input));
        assertThat(used).as("bytes allocated decoding %d input bytes", input.length).isLessThan(budget);
    }

    private static void exercise(byte[] input) {
        try {
            Node n = DagCbor.decode(input);
            // whatever decodes must re-encode and decode to the same value
            assertThat(DagCbor.decode(DagCbor.encode(n))).isEqualTo(n);
        } catch (IpldException expected) {
            assertThat(expected.reason()).isIn(IpldException.Reason.BAD_BLOCK, IpldException.Reason.TRUNCATED,
                    IpldException.Reason.TOO_LARGE);
        }
        try {
            CborReader r = new CborReader(input);
            while (r.hasRemaining()) {
                r.skip();
            }
        } catch (IpldException expected) {
            // fine
        }
        CborReader r = new CborReader(input);
        for (int op = 0; op < 8 && r.hasRemaining(); op++) {
            try {
                switch ((op + input.length) % 8) {
                    case 0 -> r.readArrayHeader();
                    case 1 -> r.readMapHeader();
                    case 2 -> r.readText();
                    case 3 -> r.readCid();
                    case 4 -> r.readBigInt();
                    case 5 -> r.readFilBigInt();
                    case 6 -> r.readFloat();
                    default -> r.readNode();
                }
            } catch (IpldException e) {
                break;  // the reader's position is undefined after a failure
            }
        }
    }

    private static long allocatedDuring(Runnable r) {
        long id = Thread.currentThread().getId();
        long before = THREADS.getThreadAllocatedBytes(id);
        r.run();
        return THREADS.getThreadAllocatedBytes(id) - before;
    }
}
