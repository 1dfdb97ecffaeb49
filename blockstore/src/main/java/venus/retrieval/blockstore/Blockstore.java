package venus.retrieval.blockstore;

import java.util.function.Predicate;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multihash;
import venus.retrieval.ipld.car.BlockSink;

/**
 * Blocks keyed by multihash (the CID's codec does not matter, as in boxo): two CIDs with the same
 * multihash name the same bytes. Identity-hash blocks are never stored: their bytes are in the CID,
 * {@link #get} answers them inline and {@link #put} ignores them.
 */
public interface Blockstore {
    /** The block's bytes (a copy the caller owns), or {@code null} when absent. */
    byte[] get(Cid cid);

    /**
     * Zero-copy read: hands the block's bytes to {@code reader} without copying them and returns
     * what it returns; returns {@code null} without calling it when the block is absent (a reader
     * that must tell absence apart returns non-null). The buffer is read-only and valid only
     * inside {@code reader} (see {@link BlockReader#read}). Identity CIDs are answered from the
     * CID. The reader runs inside a read transaction: keep it short, and do not write to the
     * store from it.
     */
    <T> T read(Cid cid, BlockReader<T> reader);

    /** Whether the block is present. */
    boolean has(Cid cid);

    /** The block's size in bytes, or -1 when absent (read without copying the block). */
    int size(Cid cid);

    /** Stores a block (the caller has checked that {@code data} hashes to {@code cid}); durable on return. */
    void put(Cid cid, byte[] data);

    /** A batch of puts committed together: one durable transaction, nothing stored if it fails. */
    Batch batch();

    /** Removes a block; returns whether it was present. */
    boolean delete(Cid cid);

    /** Number of stored blocks. */
    long count();

    /**
     * Visits every stored key in key order until {@code visitor} returns false. Keys are read in
     * short transactions of a bounded number of keys, so a long iteration holds nothing open; keys
     * added or removed meanwhile may or may not be seen.
     */
    void forEachKey(Predicate<Multihash> visitor);

    /** Puts collected in memory and written in one transaction by {@link #commit}. */
    interface Batch extends BlockSink {
        /** Number of blocks queued. */
        int size();

        /** Writes every queued block in one durable transaction and empties the batch. */
        void commit();
    }
}
