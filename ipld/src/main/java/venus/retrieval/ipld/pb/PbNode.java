package venus.retrieval.ipld.pb;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A decoded dag-pb node: links in block order (never re-sorted) and the optional Data bytes.
 * The data array is not copied (hot paths decode large nodes); callers must not modify it.
 *
 * @param links the links, in the order they appear in the block
 * @param data  the Data field's bytes, or null when the block has no Data field (an empty
 *              array is a present-but-empty Data field)
 */
public record PbNode(List<PbLink> links, byte[] data) {
    public PbNode {
        links = List.copyOf(Objects.requireNonNull(links, "links"));
    }

    /** A node with links and no Data field. */
    public static PbNode ofLinks(List<PbLink> links) {
        return new PbNode(links, null);
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof PbNode n && links.equals(n.links) && Arrays.equals(data, n.data));
    }

    @Override
    public int hashCode() {
        return 31 * links.hashCode() + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "PbNode[links=" + links + ", data=" + (data == null ? "absent" : data.length + " bytes") + "]";
    }
}
