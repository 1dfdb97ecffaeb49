package venus.retrieval.ipld.traversal;

/**
 * A data-model path as a chain of per-block suffixes sharing their prefixes, so that a deep DAG
 * costs memory linear in its depth (a string per frame would cost the square of it).
 */
final class LinkPath {
    private final LinkPath parent;
    private final String suffix;   // the path inside one block, e.g. "Links/3/Hash"
    private final int length;

    LinkPath(LinkPath parent, String suffix) {
        this.parent = parent;
        this.suffix = suffix;
        this.length = parent == null ? suffix.length() : parent.length + 1 + suffix.length();
    }

    /** The path of a child reached through {@code suffix} from {@code parent} (null for a root). */
    static LinkPath child(LinkPath parent, String suffix) {
        return new LinkPath(parent, suffix);
    }

    /** {@code parent}'s string form, "" for a root. */
    static String toString(LinkPath p) {
        return p == null ? "" : p.toString();
    }

    @Override
    public String toString() {
        char[] out = new char[length];
        int end = length;
        for (LinkPath p = this; p != null; p = p.parent) {
            end -= p.suffix.length();
            p.suffix.getChars(0, p.suffix.length(), out, end);
            if (p.parent != null) {
                out[--end] = '/';
            }
        }
        return new String(out);
    }
}
