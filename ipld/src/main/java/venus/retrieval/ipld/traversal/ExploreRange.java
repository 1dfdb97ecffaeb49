package venus.retrieval.ipld.traversal;

import java.util.AbstractList;
import java.util.List;
import venus.retrieval.ipld.model.Kind;
import venus.retrieval.ipld.model.Node;

/**
 * {@code r}: list elements {@code [start, end)}. The interests are clipped to the list's length
 * (go-ipld-prime lists every index of the range and skips the absent ones: the same walk, without
 * letting a range of 2^62 cost memory).
 */
record ExploreRange(long start, long end, Selector next) implements Selector {
    @Override
    public List<String> interests(Node node) {
        if (node.kind() != Kind.LIST) {
            return List.of();
        }
        long from = Math.max(start, 0);
        long to = Math.min(end, node.size());
        int n = (int) Math.max(0, to - from);
        return new AbstractList<>() {
            @Override
            public String get(int i) {
                return Long.toString(from + i);
            }

            @Override
            public int size() {
                return n;
            }
        };
    }

    @Override
    public Selector explore(Node node, String segment) {
        if (node.kind() != Kind.LIST) {
            return null;
        }
        int i = DagTraversal.index(segment);
        return i >= 0 && i >= start && i < end ? next : null;
    }
}
