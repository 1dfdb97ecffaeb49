package venus.retrieval.ipld.traversal;

import venus.retrieval.ipld.model.Node;

/** ExploreRecursive(ExploreAll(ExploreRecursiveEdge)), unlimited: every child, every node. */
final class RecursiveAll implements Selector {
    static final RecursiveAll INSTANCE = new RecursiveAll();

    private RecursiveAll() {}

    @Override
    public Selector explore(Node node, String segment) {
        return this;
    }

    @Override
    public boolean matches(Node node) {
        return true;
    }

    @Override
    public boolean exploresEverything() {
        return true;
    }

    @Override
    public String toString() {
        return "all";
    }
}
