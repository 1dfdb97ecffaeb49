package venus.retrieval.ipld.traversal;

import venus.retrieval.ipld.model.Node;

/** {@code a}: every child of a map or list, each with {@code next}. */
record ExploreAll(Selector next) implements Selector {
    @Override
    public Selector explore(Node node, String segment) {
        return next;
    }
}
