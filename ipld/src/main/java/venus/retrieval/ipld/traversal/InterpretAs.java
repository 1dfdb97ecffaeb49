package venus.retrieval.ipld.traversal;

import java.util.List;
import venus.retrieval.ipld.model.Node;

/**
 * {@code ~}: read the node through an ADL, then apply {@code next} to what the ADL makes of it.
 * The ADLs are go-unixfsnode's {@code unixfs} and {@code unixfs-preload} ({@code preload} true),
 * the two a graphsync responder registers; the traversal does the reading ({@link UnixFsAdl}).
 *
 * <p>As in go-ipld-prime, the ADL is applied once where the walk reaches a node; as a selector
 * this one explores every child with {@code next} and matches nothing.
 */
record InterpretAs(String adl, Selector next) implements Selector {
    static final String UNIXFS = "unixfs";
    static final String UNIXFS_PRELOAD = "unixfs-preload";

    /** Whether the ADL loads a HAMT's shards and a file's blocks as soon as it reads the node. */
    boolean preload() {
        return adl.equals(UNIXFS_PRELOAD);
    }

    @Override
    public List<String> interests(Node node) {
        return next.interests(node);
    }

    @Override
    public Selector explore(Node node, String segment) {
        return next;
    }
}
