package venus.retrieval.blockstore;

import java.nio.ByteBuffer;

/**
 * Reads a block in place, for {@link Blockstore#read} and {@link BlockSource#read}.
 *
 * @param <T> what the reader makes of the bytes
 */
@FunctionalInterface
public interface BlockReader<T> {
    /**
     * Called once with the block's bytes between {@code data.position()} (0) and
     * {@code data.limit()}. The buffer is read-only and is valid ONLY during this call: for an
     * LMDB block it is a view of the memory-mapped database inside a read transaction that ends
     * when this method returns, after which the memory may hold other data or be unmapped. Copy
     * out (e.g. into a Netty {@code ByteBuf}) whatever must outlive the call; never keep
     * {@code data} or a slice of it. The reader may move the buffer's position and limit.
     */
    T read(ByteBuffer data);
}
