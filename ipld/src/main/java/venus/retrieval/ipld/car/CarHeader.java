package venus.retrieval.ipld.car;

import java.util.List;
import venus.retrieval.ipld.Cid;

/**
 * What a CAR file says about itself before its first block.
 *
 * @param version 1 or 2 (the outer version; a CARv2's inner payload is always a CARv1)
 * @param roots the roots of the (inner) CARv1 header, in order
 * @param v2 the CARv2 header fields, or {@code null} for a CARv1
 */
public record CarHeader(int version, List<Cid> roots, V2 v2) {
    public CarHeader {
        roots = List.copyOf(roots);
    }

    /**
     * The fixed 40-byte CARv2 header that follows the pragma.
     *
     * @param characteristicsHi first 8 bytes of the characteristics bitfield, little-endian
     * @param characteristicsLo last 8 bytes of the characteristics bitfield, little-endian
     * @param dataOffset where the inner CARv1 starts
     * @param dataSize length of the inner CARv1
     * @param indexOffset where the index starts, 0 when there is none
     */
    public record V2(long characteristicsHi, long characteristicsLo, long dataOffset, long dataSize, long indexOffset) {
        /** Whether the file carries an index after the data. */
        public boolean hasIndex() {
            return indexOffset != 0;
        }

        /** The "fully indexed" characteristic: the index covers identity CIDs too. */
        public boolean fullyIndexed() {
            return (characteristicsHi & (1L << 63)) != 0;
        }
    }
}
