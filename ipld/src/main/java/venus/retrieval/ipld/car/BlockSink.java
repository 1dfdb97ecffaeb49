package venus.retrieval.ipld.car;

import venus.retrieval.ipld.Cid;

/**
 * Something that takes blocks one at a time: a CAR writer, a blockstore import, a collector in a
 * test. Builders (UnixFS) write to a sink so they never know where blocks end up.
 */
@FunctionalInterface
public interface BlockSink {
    /** Accepts one block; {@code data} must hash to {@code cid}. */
    void put(Cid cid, byte[] data);
}
