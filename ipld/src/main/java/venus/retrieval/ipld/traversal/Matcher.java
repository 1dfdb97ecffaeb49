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
        if (node.kind() == Kind.STRING) {
            return bounds(node.asStringBytes().length) != null;
        }
        if (node.kind() == Kind.BYTES) {
            return bounds(node.asBytes().length) != null;
        }
        return false;
    }

    /**
     * The byte range {@code [from, to)} this matcher selects of bytes of {@code length}, or null
     * when it does not match them; unsliced, {@code [0, Long.MAX_VALUE)} (everything, read to the end).
     */
    long[] bounds(long length) {
        if (!sliced) {
            return new long[] {0, Long.MAX_VALUE};
        }
        long t = to < 0 ? length + to : Math.min(to, length);
        long f = from < 0 ? Math.max(0, length + from) : from;
        return f <= t && f < length ? new long[] {f, t} : null;
    }
}
