package venus.retrieval.gateway;

import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.model.Kind;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.ipld.traversal.Selector;
import venus.retrieval.ipld.unixfs.UnixFsData;

/**
 * Selectors for the shared traversal that give the trustless gateway's UnixFS-aware scopes: the
 * blocks of a file that overlap a byte range ({@code entity-bytes}), and the shard nodes of a HAMT
 * directory without its entries ({@code dag-scope=entity}). They see dag-pb blocks in their
 * data-model form {@code {Links: [{Hash, Name, Tsize}], Data}}.
 */
final class UnixFsScopes {
    private UnixFsScopes() {}

    /** Follows only the children of a UnixFS file whose bytes overlap {@code [from, to]} (inclusive, file offsets). */
    static Selector fileRange(long from, long to) {
        return new FileRange(from, to);
    }

    /** Follows only HAMT shard links (labels with no entry name). */
    static Selector hamtShards() {
        return HamtShards.INSTANCE;
    }

    private static UnixFsData unixfsData(Node block) {
        Node data = block.kind() == Kind.MAP ? block.get("Data") : null;
        if (data == null || data.kind() != Kind.BYTES) {
            return null;
        }
        try {
            return UnixFsData.decode(data.asBytes());
        } catch (IpldException e) {
            return null;
        }
    }

    /** At a file node: per link, the selector for the child whose range overlaps, relative to the child. */
    private record FileRange(long from, long to) implements Selector {
        @Override
        public Selector explore(Node node, String segment) {
            if (!segment.equals("Links")) {
                return null;
            }
            UnixFsData d = unixfsData(node);
            if (d == null || (d.type() != UnixFsData.Type.FILE && d.type() != UnixFsData.Type.RAW) || d.blocksizes() == null) {
                return null;
            }
            long[] sizes = d.blocksizes();
            Selector[] children = new Selector[sizes.length];
            long start = d.data() == null ? 0 : d.data().length;
            for (int i = 0; i < sizes.length; i++) {
                long end = start + sizes[i]; // exclusive
                if (sizes[i] > 0 && start <= to && end - 1 >= from) {
                    children[i] = new LinkTo(new FileRange(Math.max(0, from - start), Math.min(to, end - 1) - start));
                }
                start = end;
            }
            return new ByIndex(children);
        }
    }

    /** The Links list: a selector per index (null = not followed). */
    private record ByIndex(Selector[] children) implements Selector {
        @Override
        public Selector explore(Node node, String segment) {
            try {
                int i = Integer.parseInt(segment);
                return i >= 0 && i < children.length ? children[i] : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    /** One PBLink map: follow its Hash with {@code next}. */
    private record LinkTo(Selector next) implements Selector {
        @Override
        public Selector explore(Node node, String segment) {
            return segment.equals("Hash") ? next : null;
        }
    }

    private static final class HamtShards implements Selector {
        static final HamtShards INSTANCE = new HamtShards();

        @Override
        public Selector explore(Node node, String segment) {
            if (!segment.equals("Links")) {
                return null;
            }
            UnixFsData d = unixfsData(node);
            if (d == null || d.type() != UnixFsData.Type.HAMT_SHARD || d.fanout() == null || d.fanout() < 2) {
                return null;
            }
            int labelLength = Long.toHexString(d.fanout() - 1).length();
            return new ShardLinks(labelLength);
        }
    }

    /** The Links list of a shard: follow a link only when its label is a bare bucket index. */
    private record ShardLinks(int labelLength) implements Selector {
        @Override
        public Selector explore(Node list, String segment) {
            Node link;
            try {
                int i = Integer.parseInt(segment);
                link = i >= 0 && i < list.size() ? list.get(i) : null;
            } catch (NumberFormatException e) {
                return null;
            }
            Node name = link == null || link.kind() != Kind.MAP ? null : link.get("Name");
            if (name == null || name.kind() != Kind.STRING || name.asString().length() != labelLength) {
                return null;
            }
            return new LinkTo(HamtShards.INSTANCE);
        }
    }
}
