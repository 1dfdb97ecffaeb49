package venus.retrieval.ipld.traversal;

import java.util.List;
import java.util.Map;
import venus.retrieval.ipld.model.Node;

/**
 * {@code f}: the named fields, walked in the order the selector lists them (not the node's order),
 * each with its own selector.
 */
record ExploreFields(Map<String, Selector> fields, List<String> order) implements Selector {
    @Override
    public List<String> interests(Node node) {
        return order;
    }

    @Override
    public Selector explore(Node node, String segment) {
        return fields.get(segment);
    }
}
