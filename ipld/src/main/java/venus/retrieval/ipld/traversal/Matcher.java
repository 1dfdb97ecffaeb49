package venus.retrieval.ipld.traversal;

import java.util.List;
import venus.retrieval.ipld.model.Kind;
import venus.retrieval.ipld.model.Node;

/**
 * {@code .}: matches the node and explores nothing below it. With a subset ({@code [} from,
 * {@code ]} to; negative counts from the end) a string or bytes node matches only when the slice
 * is non-empty, as in go-ipld-prime.
 */
record Matcher(boolean sliced, long from, long to) implements Selector {
    static final Matcher PLAIN = new Matcher(false, 0, 0);

    @Override
    public List<String> interests(Node node) {
        return List.of();
    }

    @Override
    public Selector explore(Node node, String segment) {
        return null;
    }

    @Override
    public boolean matches(Node node) {
        if (!sliced) {
            return true;
        }
        long length;
        if (node.kind() == Kind.STRING) {
            length = node.asStringBytes().length;
        } else if (node.kind() == Kind.BYTES) {
            length = node.asBytes().length;
        } else {
            return false;
        }
        long t = to < 0 ? length + to : Math.min(to, length);
        long f = from < 0 ? Math.max(0, length + from) : from;
        return f <= t && f < length;
    }
}
