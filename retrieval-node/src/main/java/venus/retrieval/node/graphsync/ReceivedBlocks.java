package venus.retrieval.node.graphsync;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import venus.retrieval.ipld.BlockGetter;
import venus.retrieval.ipld.Cid;

/**
 * Where a requester keeps verified blocks: the selector walk re-reads a block from here when the
 * responder announces a duplicate without resending it, or one the requester said it already has
 * ({@code do-not-send-cids}).
 */
public interface ReceivedBlocks extends BlockGetter {
    /** Stores a verified block. */
    void put(Cid cid, byte[] data);

    /** A store in memory (tests, small DAGs). */
    static ReceivedBlocks inMemory() {
        Map<Cid, byte[]> m = new ConcurrentHashMap<>();
        return new ReceivedBlocks() {
            @Override
            public void put(Cid cid, byte[] data) {
                m.put(cid, data);
            }

            @Override
            public byte[] get(Cid cid) {
                return m.get(cid);
            }
        };
    }
}
