package venus.retrieval.ipld.car;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.cbor.DagCbor;
import venus.retrieval.ipld.model.Kind;
import venus.retrieval.ipld.model.Node;

/**
 * The CAR header's dag-cbor form, {@code {"roots": [CID...], "version": N}} (a CARv2 pragma is the
 * same map with only {@code version: 2}), through the project's one dag-cbor codec.
 */
final class CarHeaderCodec {
    /** A decoded header map; {@code roots} is null when the key is absent. */
    record Decoded(long version, List<Cid> roots) {}

    private CarHeaderCodec() {}

    /** Decodes a header whose bytes start at absolute {@code offset} (for error messages). */
    static Decoded decode(byte[] b, long offset) {
        Node n;
        try {
            n = DagCbor.decode(b, 0, b.length, new DagCbor.Limits(4, b.length));
        } catch (IpldException e) {
            throw bad(offset, e.getMessage());
        }
        if (n.kind() != Kind.MAP) {
            throw bad(offset, "header is a " + n.kind() + ", not a map");
        }
        long version = -1;
        List<Cid> roots = null;
        for (Map.Entry<String, Node> e : n.entries().entrySet()) {
            Node v = e.getValue();
            switch (e.getKey()) {
                case "version" -> {
                    if (v.kind() != Kind.INT || !v.fitsLong() || v.asLong() < 0) {
                        throw bad(offset, "version is not a non-negative integer");
                    }
                    version = v.asLong();
                }
                case "roots" -> {
                    if (v.kind() != Kind.LIST) {
                        throw bad(offset, "roots is not a list");
                    }
                    roots = new ArrayList<>(v.size());
                    for (Node r : v.elements()) {
                        if (r.kind() != Kind.LINK) {
                            throw bad(offset, "a root is not a CID");
                        }
                        roots.add(r.asCid());
                    }
                }
                default -> throw bad(offset, "unexpected header key \"" + e.getKey() + "\"");
            }
        }
        if (version < 0) {
            throw bad(offset, "header has no version");
        }
        return new Decoded(version, roots);
    }

    private static IpldException bad(long offset, String what) {
        return new IpldException(IpldException.Reason.BAD_CAR, "bad CAR header at offset " + offset + ": " + what);
    }

    /** Encodes a CARv1 header (canonical dag-cbor: "roots" sorts before "version"). */
    static byte[] encodeV1(List<Cid> roots) {
        List<Node> links = new ArrayList<>(roots.size());
        for (Cid c : roots) {
            links.add(Node.link(c));
        }
        return DagCbor.encode(Node.mapBuilder().put("roots", Node.list(links)).put("version", 1).build());
    }
}
