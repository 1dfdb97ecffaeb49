package venus.retrieval.ipld.model;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;

/**
 * A map's entries with their keys as UTF-8 bytes, sorted in the order a codec's canonical form
 * wants (dag-cbor: shorter keys first; dag-json: bytewise). The one place both encoders sort keys.
 */
public final class SortedEntries {
    private final byte[][] keys;
    private final Node[] values;

    private SortedEntries(byte[][] keys, Node[] values) {
        this.keys = keys;
        this.values = values;
    }

    /** The entries of {@code entries}, their UTF-8 keys sorted by {@code keyOrder}. */
    public static SortedEntries of(Map<String, Node> entries, Comparator<byte[]> keyOrder) {
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
        Arrays.sort(order, (a, b) -> keyOrder.compare(keys[a], keys[b]));
        byte[][] sortedKeys = new byte[size][];
        Node[] sortedValues = new Node[size];
        for (int k = 0; k < size; k++) {
            sortedKeys[k] = keys[order[k]];
            sortedValues[k] = values[order[k]];
        }
        return new SortedEntries(sortedKeys, sortedValues);
    }

    /** How many entries. */
    public int size() {
        return keys.length;
    }

    /** The UTF-8 key of the {@code i}-th entry in sorted order (the caller must not modify it). */
    public byte[] key(int i) {
        return keys[i];
    }

    /** The value of the {@code i}-th entry in sorted order. */
    public Node value(int i) {
        return values[i];
    }
}
