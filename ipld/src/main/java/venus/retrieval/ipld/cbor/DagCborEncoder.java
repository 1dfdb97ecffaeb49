package venus.retrieval.ipld.cbor;

import java.util.Arrays;
import java.util.Map;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.ipld.model.SortedEntries;

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
        SortedEntries sorted = SortedEntries.of(entries, DagCborEncoder::compareKeys);
        w.writeMapHeader(sorted.size());
        for (int k = 0; k < sorted.size(); k++) {
            w.writeTextBytes(sorted.key(k));
            write(w, sorted.value(k), depth + 1);
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
