package venus.retrieval.ipld.model;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Tuple;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multicodec;

/** jqwik generators of data-model values, for the codecs' property tests. */
public final class NodeArbitraries {
    private NodeArbitraries() {}

    /**
     * Values nested up to {@code depth}; with {@code rawStrings} some strings are arbitrary bytes
     * (not UTF-8), which dag-cbor carries and dag-json cannot.
     */
    public static Arbitrary<Node> nodes(int depth, boolean rawStrings) {
        BigInteger lim = BigInteger.ONE.shiftLeft(80);
        Arbitrary<Node> leaf = Arbitraries.oneOf(
                Arbitraries.just(Node.NULL),
                Arbitraries.of(true, false).map(Node::bool),
                Arbitraries.longs().map(Node::integer),
                Arbitraries.bigIntegers().between(lim.negate(), lim).map(Node::integer),
                Arbitraries.doubles().map(Node::floating),
                text().map(Node::string),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40)
                        .map(b -> rawStrings ? Node.stringBytes(b) : Node.string(new String(b, StandardCharsets.ISO_8859_1))),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40).map(Node::bytes),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(50)
                        .map(b -> Node.link(b.length % 3 == 0 ? Cid.v0(venus.retrieval.ipld.Multihash.compute(Multicodec.SHA2_256, b))
                                : Cid.of(b.length % 2 == 0 ? Multicodec.RAW : Multicodec.DAG_CBOR, b))));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<Node> child = nodes(depth - 1, rawStrings);
        return Arbitraries.frequencyOf(
                Tuple.of(3, leaf),
                Tuple.of(1, child.list().ofMaxSize(5).map(Node::list)),
                Tuple.of(1, Arbitraries.maps(text().filter(k -> !k.equals("/")), child).ofMaxSize(5).map(Node::map)));
    }

    /** Strings that survive UTF-8 (no lone surrogates). */
    public static Arbitrary<String> text() {
        return Arbitraries.strings().ofMaxLength(12)
                .filter(s -> s.equals(new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)));
    }
}
