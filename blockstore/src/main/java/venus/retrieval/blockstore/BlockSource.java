package venus.retrieval.blockstore;

import java.nio.ByteBuffer;
import java.util.Optional;
import venus.retrieval.ipld.BlockGetter;
import venus.retrieval.ipld.Cid;

/**
 * The one lookup path every protocol uses (HTTP gateway, Bitswap, graphsync): the hot-block cache
 * (sized in bytes), then the LMDB blockstore, then the piece directory and a positional read from
 * the piece file. Identity CIDs answer with their inline bytes. Only blocks of {@code ready}
 * pieces (or in the blockstore) are ever returned, and bytes read from a piece file are checked
 * against the CID's multihash unless that is switched off, so a caller never receives bytes that
 * do not hash to what it asked for. Thread-safe.
 */
public interface BlockSource extends BlockGetter {
    /** The block's bytes, or {@code null} when no ready piece (nor the blockstore) has it. */
    @Override
    byte[] get(Cid cid);

    /**
     * Zero-copy read: hands the block's bytes to {@code reader} and returns what it returns, or
     * returns {@code null} without calling it when the block is absent. The buffer is read-only
     * and valid only inside {@code reader} ({@link BlockReader#read}); a transport copies it
     * straight into its own buffer (e.g. a Netty {@code ByteBuf}), saving the {@code byte[]} that
     * {@link #get} returns. Blocks in the LMDB blockstore are read in place and not put in the
     * hot cache (they are already in the OS page cache); others come from the cache or a
     * verified file read, as with {@link #get}. This default wraps {@link #get}.
     */
    default <T> T read(Cid cid, BlockReader<T> reader) {
        byte[] data = get(cid);
        return data == null ? null : reader.read(ByteBuffer.wrap(data).asReadOnlyBuffer());
    }

    /** Whether {@link #get} would find the block (without reading it). */
    boolean has(Cid cid);

    /** The block's size, or -1 when absent. */
    int size(Cid cid);

    /**
     * For zero-copy transports: the piece file range that holds the block, when it is served from
     * a file (empty when it is absent or only in the blockstore). The range has not been
     * re-verified: a caller that sends it unchecked trusts the piece file.
     */
    Optional<BlockLocation> locate(Cid cid);
}
