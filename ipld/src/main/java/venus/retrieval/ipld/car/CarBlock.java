package venus.retrieval.ipld.car;

import venus.retrieval.ipld.Cid;

/**
 * One block section of a CAR file. Offsets are absolute byte offsets in the file (for a CARv2
 * they include the data offset), so that a piece directory can store them and read the block
 * back with one positional read.
 *
 * @param cid the block's CID
 * @param data the block's bytes (a fresh array owned by the caller), or {@code null} from
 *             {@link CarReader#next(boolean) CarReader.next(false)}
 * @param sectionOffset offset of the section's length varint
 * @param dataOffset offset of the first byte of {@code data}
 * @param dataLength length of {@code data}
 */
public record CarBlock(Cid cid, byte[] data, long sectionOffset, long dataOffset, int dataLength) {
    /** Length of the whole section: varint, CID and data. */
    public long sectionLength() {
        return dataOffset + dataLength - sectionOffset;
    }
}
