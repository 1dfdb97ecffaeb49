package venus.retrieval.ipld.pb;

import java.util.Objects;
import venus.retrieval.ipld.Cid;

/**
 * A dag-pb link. {@code name} and {@code tsize} are {@code null} when the block omits them; an
 * empty name is distinct from an absent one (Kubo writes empty names on file chunk links, and a
 * re-encoding must keep the difference to reproduce the same bytes).
 *
 * @param cid   the target (the protobuf {@code Hash} field), never null
 * @param name  the link name, or null when absent
 * @param tsize the cumulative size of the target DAG, or null when absent; never negative
 */
public record PbLink(Cid cid, String name, Long tsize) {
    public PbLink {
        Objects.requireNonNull(cid, "cid");
        if (tsize != null && tsize < 0) {
            throw new IllegalArgumentException("tsize must be non-negative: " + tsize);
        }
    }

    /** A link with a name and a size. */
    public static PbLink of(Cid cid, String name, long tsize) {
        return new PbLink(cid, name, tsize);
    }

    /** The name, treating an absent one as empty (how sorting and UnixFS see it). */
    public String nameOrEmpty() {
        return name == null ? "" : name;
    }
}
