package venus.retrieval.ipld.traversal;

import venus.retrieval.ipld.model.Node;

/**
 * An IPLD selector as the traversal sees it: at each data-model node it says which children to
 * explore and with which selector, following go-ipld-prime's model (a selector is applied to a
 * node; exploring a child yields the selector for that child; reaching a link loads the block
 * and applies the child's selector to the block's root node).
 *
 * <p>The full selector grammar (parsed from its dag-cbor form) lives in
 * {@code venus.retrieval.ipld.selector.Selectors}; ad-hoc selectors (the gateway's UnixFS scopes)
 * implement {@link #explore} alone.
 */
public interface Selector {
    /**
     * The selector for the child of {@code node} at {@code segment} (a map key, or a list index
     * in decimal), or {@code null} when that child is not explored.
     */
    Selector explore(Node node, String segment);

    /**
     * The children of {@code node} this selector is interested in, in the order to walk them
     * (go-ipld-prime's {@code Interests}), or {@code null} for every child in the node's own order.
     * Segments the node lacks are skipped. A segment may repeat: go-ipld-prime then walks that
     * child again, and so does this traversal.
     */
    default java.util.List<String> interests(Node node) {
        return null;
    }

    /** Whether this selector selects (matches) {@code node} itself. */
    default boolean matches(Node node) {
        return false;
    }

    /**
     * True when this selector explores every child of every node with itself (the recursive
     * "all" selector). The traversal then takes every link of a block in order without building
     * the block's data-model form, which is the same walk, only cheaper.
     */
    default boolean exploresEverything() {
        return false;
    }

    /**
     * The recursive "all" selector: {@code ExploreRecursive(ExploreAll(ExploreRecursiveEdge))}
     * with no limit, matching every node. The traversal's own depth limit bounds it in blocks.
     */
    static Selector all() {
        return RecursiveAll.INSTANCE;
    }
}
