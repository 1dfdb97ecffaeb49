package venus.retrieval.ipld.traversal;

import java.util.ArrayList;
import java.util.List;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.model.Node;

/**
 * {@code |}: several selectors at once. Interests are the members' concatenated (a child two
 * members name is walked twice, as go-ipld-prime does), or all children if any member wants all.
 */
record ExploreUnion(List<Selector> members, int weight) implements Selector {
    /**
     * Bound on a union's size while walking. Unions of recursive members can double at every step
     * (in go-ipld-prime too); past this the walk fails with {@code BAD_SELECTOR} instead of eating memory.
     */
    static final int MAX_WEIGHT = 10_000;

    static Selector of(List<Selector> members) {
        if (members.isEmpty()) {
            return null;
        }
        if (members.size() == 1) {
            return members.get(0);
        }
        int w = 1;
        for (Selector m : members) {
            w += Selectors.weight(m);
        }
        if (w > MAX_WEIGHT) {
            throw new IpldException(IpldException.Reason.BAD_SELECTOR,
                    "selector grows beyond " + MAX_WEIGHT + " parts while walking (nested recursive unions)");
        }
        return new ExploreUnion(List.copyOf(members), w);
    }

    @Override
    public List<String> interests(Node node) {
        List<String> out = new ArrayList<>();
        for (Selector m : members) {
            List<String> a = m.interests(node);
            if (a == null) {
                return null;
            }
            out.addAll(a);
        }
        return out;
    }

    @Override
    public Selector explore(Node node, String segment) {
        List<Selector> next = new ArrayList<>(members.size());
        for (Selector m : members) {
            Selector s = m.explore(node, segment);
            if (s != null) {
                next.add(s);
            }
        }
        return of(next);
    }

    @Override
    public boolean matches(Node node) {
        for (Selector m : members) {
            if (m.matches(node)) {
                return true;
            }
        }
        return false;
    }
}
