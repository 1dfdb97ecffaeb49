package venus.retrieval.ipld.cbor;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.model.Node;

/** Writes data-model values in canonical dag-cbor form. */
final class DagCborEncoder {
    private DagCborEncoder() {}

    static void write(CborWriter w, Node n, int depth) {
        if (depth > DagCbor.Limits.DEFAULT.maxDepth()) {
            throw new IpldException(IpldException.Reason.TOO_LARGE, "nesting deeper than " + DagCbor.Limits.DEFAULT.maxDepth());
        }
        switch (n.kind()) {
            case NULL -> w.writeNull();
            case BOOL -> w.writeBool(n.asBoolean());
            case INT -> {
                if (n.fitsLong()) {
                    w.writeInt(n.asLong());
                } else {
                    w.writeBigInt(n.asBigInteger());
                }
            }
            case FLOAT -> w.writeFloat64(n.asDouble());
            case STRING -> w.writeTextBytes(n.asStringBytes());
            case BYTES -> w.writeBytes(n.asBytes());
            case LINK -> w.writeCid(n.asCid());
            case LIST -> {
                w.writeArrayHeader(n.size());
                for (Node e : n.elements()) {
                    write(w, e, depth + 1);
                }
            }
            case MAP -> writeMap(w, n.entries(), depth);
            default -> throw new IllegalStateException("unknown kind " + n.kind());
        }
    }

    private static void writeMap(CborWriter w, Map<String, Node> entries, int depth) {
        int size = entries.size();
        byte[][] keys = new byte[size][];
        Node[] values = new Node[size];
        Integer[] order = new Integer[size];
        int i = 0;
        for (Map.Entry<String, Node> e : entries.entrySet()) {
            keys[i] = e.getKey().getBytes(StandardCharsets.UTF_8);
            values[i] = e.getValue();
            order[i] = i;
            i++;
        }
        Arrays.sort(order, (a, b) -> compareKeys(keys[a], keys[b]));
        w.writeMapHeader(size);
        for (int k : order) {
            w.writeTextBytes(keys[k]);
            write(w, values[k], depth + 1);
        }
    }

    /** dag-cbor key order (RFC 7049 canonical): shorter first, then bytewise unsigned. */
    static int compareKeys(byte[] a, byte[] b) {
        if (a.length != b.length) {
            return Integer.compare(a.length, b.length);
        }
        return Arrays.compareUnsigned(a, b);
    }
}
