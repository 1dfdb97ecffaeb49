package venus.retrieval.ipld.traversal;

import java.util.List;
import venus.retrieval.ipld.model.Node;

/** {@code @}: where an ExploreRecursive starts over. Inert on its own (no interests). */
final class RecursiveEdge implements Selector {
    static final RecursiveEdge INSTANCE = new RecursiveEdge();

    private RecursiveEdge() {}

    @Override
    public List<String> interests(Node node) {
        return List.of();
    }

    @Override
    public Selector explore(Node node, String segment) {
        return null;
    }

    @Override
    public String toString() {
        return "@";
    }
}
