package venus.retrieval.gateway.bitswap;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import venus.retrieval.blockstore.BlockLocation;
import venus.retrieval.blockstore.BlockSource;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multicodec;

/** Blocks in memory, as the test stand-in for the node's block source. */
final class MapBlockSource implements BlockSource {
    final Map<Cid, byte[]> blocks = new ConcurrentHashMap<>();

    Cid put(byte[] data) {
        Cid c = Cid.of(Multicodec.RAW, data);
        blocks.put(c, data);
        return c;
    }

    @Override
    public byte[] get(Cid cid) {
        return cid.isIdentity() ? cid.identityData() : blocks.get(cid);
    }

    @Override
    public boolean has(Cid cid) {
        return get(cid) != null;
    }

    @Override
    public int size(Cid cid) {
        byte[] b = get(cid);
        return b == null ? -1 : b.length;
    }

    @Override
    public Optional<BlockLocation> locate(Cid cid) {
        return Optional.empty();
    }
}
