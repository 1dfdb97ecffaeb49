package venus.retrieval.ipld.traversal;

import java.util.ArrayList;
import java.util.List;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.model.Kind;
import venus.retrieval.ipld.model.Node;

/**
 * {@code R}: applies {@code current}; where it reaches a recursion edge {@code @}, starts
 * {@code sequence} again. Follows go-ipld-prime's {@code ExploreRecursive} step for step: the
 * depth limit counts every exploration step that reaches an edge (data-model levels, not blocks —
 * a dag-pb child is three levels down: {@code Links}, the index, {@code Hash}), and when fewer
 * than 2 remain the edges are dropped. The stop condition prunes a child that is a link to the
 * given CID.
 *
 * @param depth remaining depth, or -1 for no limit
 * @param stopAt CID at which to stop, or null
 */
record ExploreRecursive(Selector sequence, Selector current, long depth, Cid stopAt) implements Selector {
    @Override
    public List<String> interests(Node node) {
        return current.interests(node);
    }

    @Override
    public Selector explore(Node node, String segment) {
        if (stopAt != null) {
            Node target = DagTraversal.lookup(node, segment);
            if (target != null && target.kind() == Kind.LINK && target.asCid().equals(stopAt)) {
                return null;
            }
        }
        if (current instanceof RecursiveEdge) {
            return null;
        }
        Selector next = current.explore(node, segment);
        if (next == null) {
            return null;
        }
        if (!hasEdge(next)) {
            return new ExploreRecursive(sequence, next, depth, stopAt);
        }
        if (depth < 0) {
            return new ExploreRecursive(sequence, replaceEdge(next, sequence), depth, stopAt);
        }
        if (depth < 2) {
            return replaceEdge(next, null);
        }
        return new ExploreRecursive(sequence, replaceEdge(next, sequence), depth - 1, stopAt);
    }

    @Override
    public boolean matches(Node node) {
        return current.matches(node);
    }

    private static boolean hasEdge(Selector s) {
        if (s instanceof RecursiveEdge) {
            return true;
        }
        if (s instanceof ExploreUnion u) {
            for (Selector m : u.members()) {
                if (hasEdge(m)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Selector replaceEdge(Selector s, Selector replacement) {
        if (s instanceof RecursiveEdge) {
            return replacement;
        }
        if (s instanceof ExploreUnion u) {
            List<Selector> out = new ArrayList<>(u.members().size());
            for (Selector m : u.members()) {
                Selector r = replaceEdge(m, replacement);
                if (r != null) {
                    out.add(r);
                }
            }
            return ExploreUnion.of(out);
        }
        return s;
    }
}
