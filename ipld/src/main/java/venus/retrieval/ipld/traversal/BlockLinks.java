package venus.retrieval.ipld.traversal;

import java.util.ArrayList;
import java.util.List;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.cbor.DagCbor;
import venus.retrieval.ipld.json.DagJson;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.ipld.pb.DagPb;
import venus.retrieval.ipld.pb.PbLink;
import venus.retrieval.ipld.pb.PbNode;

/**
 * A block's data-model form and its links, per codec. Raw blocks (and codecs this node does not
 * decode) are leaves: they hold no links the traversal could follow.
 */
final class BlockLinks {
    private BlockLinks() {}

    /** Whether the traversal can see inside blocks of this codec. */
    static boolean decodable(long codec) {
        return codec == Multicodec.DAG_PB || codec == Multicodec.DAG_CBOR || codec == Multicodec.DAG_JSON;
    }

    /** A dag-pb block's link targets in Links order, without decoding names or Data. */
    static List<Cid> pbLinks(Cid cid, byte[] block) {
        try {
            return DagPb.links(block);
        } catch (IpldException e) {
            throw new IpldException(e.reason(), "block " + cid + ": " + e.getMessage(), e);
        }
    }

    /**
     * The block's data-model node. dag-pb is the spec's schema form, fields in schema order:
     * {@code {"Links": [{"Hash", "Name"?, "Tsize"?}...], "Data"?}} — so Links come before Data,
     * as go-ipld-prime walks them. Returns null for a leaf codec.
     */
    static Node node(Cid cid, byte[] block) {
        try {
            if (cid.codec() == Multicodec.DAG_PB) {
                PbNode pb = DagPb.decode(block);
                List<Node> links = new ArrayList<>(pb.links().size());
                for (PbLink l : pb.links()) {
                    Node.MapBuilder m = Node.mapBuilder().put("Hash", Node.link(l.cid()));
                    if (l.name() != null) {
                        m.put("Name", l.name());
                    }
                    if (l.tsize() != null) {
                        m.put("Tsize", l.tsize());
                    }
                    links.add(m.build());
                }
                Node.MapBuilder n = Node.mapBuilder().put("Links", Node.list(links));
                if (pb.data() != null) {
                    n.put("Data", Node.bytes(pb.data()));
                }
                return n.build();
            }
            if (cid.codec() == Multicodec.DAG_CBOR) {
                return DagCbor.decode(block);
            }
            if (cid.codec() == Multicodec.DAG_JSON) {
                return DagJson.decode(block);
            }
            return null;
        } catch (IpldException e) {
            throw new IpldException(e.reason(), "block " + cid + ": " + e.getMessage(), e);
        }
    }
}
