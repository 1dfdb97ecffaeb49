package venus.retrieval.node.graphsync;

/** What a responder did with one link of the traversal (a metadata entry's action letter). */
public enum LinkAction {
    /** {@code "p"}: the block is present (sent in this message or an earlier one of the request, or known to the requester). */
    PRESENT("p"),
    /** {@code "d"}: a duplicate, not sent. */
    DUPLICATE_NOT_SENT("d"),
    /** {@code "m"}: the responder does not have the block; the traversal skipped its subtree. */
    MISSING("m"),
    /** {@code "s"}: a duplicate DAG, skipped. */
    DUPLICATE_DAG_SKIPPED("s");

    private final String wire;

    LinkAction(String wire) {
        this.wire = wire;
    }

    /** The wire letter. */
    public String wire() {
        return wire;
    }

    static LinkAction of(String wire) {
        for (LinkAction a : values()) {
            if (a.wire.equals(wire)) {
                return a;
            }
        }
        return null;
    }
}
