package venus.retrieval.blockstore.commp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import venus.retrieval.blockstore.BlockstoreException;
import venus.retrieval.ipld.testing.Vectors;

/** CommP against a naive reference: bit-by-bit Fr32 and a full tree that hashes every zero. */
class CommPHasherTest {

    /** Fr32 straight from its definition: input bit i goes to output bit i + 2 * (i / 254). */
    static byte[] referencePad(byte[] payload, long paddedSize) {
        byte[] out = new byte[(int) paddedSize];
        long bits = (long) payload.length * 8;
        for (long i = 0; i < bits; i++) {
            if ((payload[(int) (i >>> 3)] >>> (i & 7) & 1) != 0) {
                long o = i + 2 * (i / 254);
                out[(int) (o >>> 3)] |= (byte) (1 << (o & 7));
            }
        }
        return out;
    }

    static byte[] referenceCommP(byte[] payload) throws Exception {
        long padded = Fr32.paddedPieceSize(payload.length);
        byte[] level = referencePad(payload, padded);
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        while (level.length > 32) {
            byte[] next = new byte[level.length / 2];
            for (int i = 0; i < next.length / 32; i++) {
                md.update(level, 64 * i, 64);
                byte[] d = md.digest();
                d[31] &= 0x3F;
                System.arraycopy(d, 0, next, 32 * i, 32);
            }
            level = next;
        }
        return level;
    }

    @Property(tries = 40, seed = "42")
    void fr32MatchesBitDefinition(@ForAll @Size(127) byte[] chunk) {
        byte[] out = new byte[128];
        Fr32.pad(chunk, 0, out, 0);
        assertThat(out).isEqualTo(referencePad(chunk, 128));
        for (int q = 0; q < 4; q++) {
            assertThat(out[32 * q + 31] & 0xC0).isZero();
        }
    }

    @Property(tries = 30, seed = "7")
    void smallPayloadsMatchReference(@ForAll @IntRange(min = 1, max = 5000) int size) throws Exception {
        byte[] data = Vectors.xorshift(size * 31L + 1, size);
        assertThat(CommPHasher.compute(data).commP()).isEqualTo(referenceCommP(data));
    }

    @Test
    void segmentBoundariesMatchReference() throws Exception {
        int seg = CommPHasher.SEGMENT_BYTES;
        for (int size : new int[] {seg - 1, seg, seg + 1, 2 * seg, 2 * seg + 127, 3 * seg + 5000}) {
            byte[] data = Vectors.xorshift(size, size);
            byte[] expected = referenceCommP(data);
            for (int threads = 0; threads <= 2; threads++) {
                PieceCommitment c = CommPHasher.compute(new CommPVectorsTest.OddChunks(data), threads);
                assertThat(c.commP()).as("size %d, %d threads", size, threads).isEqualTo(expected);
                assertThat(c.paddedSize()).isEqualTo(Fr32.paddedPieceSize(size));
            }
        }
    }

    @Test
    void zeroPayloadEqualsZeroCommitment() {
        byte[] zeros = new byte[127 * 64];
        PieceCommitment c = CommPHasher.compute(zeros);
        assertThat(c.commP()).isEqualTo(ZeroCommitments.at(c.height()));
        assertThat(c.paddedSize()).isEqualTo(8192);
    }

    @Test
    void sizesAtFr32Boundaries() {
        assertThat(Fr32.paddedPieceSize(1)).isEqualTo(128);
        assertThat(Fr32.paddedPieceSize(127)).isEqualTo(128);
        assertThat(Fr32.paddedPieceSize(128)).isEqualTo(256);
        assertThat(Fr32.paddedPieceSize(254)).isEqualTo(256);
        assertThat(Fr32.paddedPieceSize(255)).isEqualTo(512);
        assertThat(Fr32.paddedPieceSize(1016)).isEqualTo(1024);
        assertThat(Fr32.paddedPieceSize(1017)).isEqualTo(2048);
        assertThat(Fr32.unpaddedSize(1L << 35)).isEqualTo((1L << 35) / 128 * 127);
        assertThatThrownBy(() -> Fr32.unpaddedSize(100)).isInstanceOf(BlockstoreException.class);
    }

    @Test
    void emptyInputIsAClearError() {
        assertThatThrownBy(() -> CommPHasher.compute(new byte[0]))
                .isInstanceOf(BlockstoreException.class).hasMessageContaining("empty");
    }

    @Test
    void usingAFinishedHasherFails() {
        CommPHasher h = new CommPHasher(1);
        h.update(new byte[10], 0, 10);
        h.finish();
        assertThatThrownBy(() -> h.update(new byte[1], 0, 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void rejectsMalformedPieceCids() {
        byte[] root = Arrays.copyOf(CommPHasher.compute(new byte[200]).commP(), 32);
        // A dag-cbor CID is not a piece CID.
        assertThatThrownBy(() -> PieceCids.parse("bafyreifb2ddwo2qylh7bunghwoq2cbn42eglavadjhgiwi5o2wfvtdp6qa"))
                .isInstanceOf(BlockstoreException.class).hasMessageContaining("not a piece CID");
        assertThatThrownBy(() -> PieceCids.parse("not-a-cid")).isInstanceOf(BlockstoreException.class);
        // v2 whose padding exceeds the capacity of its height.
        assertThatThrownBy(() -> PieceCids.parse(PieceCids.v2(root, 2, 200).toString()))
                .isInstanceOf(BlockstoreException.class).hasMessageContaining("exceeds");
        root[31] |= (byte) 0x80;
        assertThatThrownBy(() -> PieceCids.v1(root)).isInstanceOf(BlockstoreException.class);
    }
}
