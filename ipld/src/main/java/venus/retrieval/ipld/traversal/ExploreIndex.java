package venus.retrieval.ipld.traversal;

import java.util.List;
import venus.retrieval.ipld.model.Kind;
import venus.retrieval.ipld.model.Node;

/** {@code i}: one list element. */
record ExploreIndex(long index, Selector next) implements Selector {
    @Override
    public List<String> interests(Node node) {
        return List.of(Long.toString(index));
    }

    @Override
    public Selector explore(Node node, String segment) {
        return node.kind() == Kind.LIST && DagTraversal.index(segment) == index ? next : null;
    }
}
