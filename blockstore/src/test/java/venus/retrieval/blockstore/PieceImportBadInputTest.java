package venus.retrieval.blockstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.blockstore.BlockstoreException.Reason;
import venus.retrieval.blockstore.TestCars.Block;
import venus.retrieval.blockstore.commp.CommPHasher;
import venus.retrieval.ipld.Varint;
import venus.retrieval.ipld.testing.Vectors;

/** Every bad input is one clear error, leaves nothing indexed and every earlier piece intact. */
class PieceImportBadInputTest {
    @TempDir
    Path tmp;
    PieceStore store;
    List<Block> good;
    PieceInfo goodPiece;

    @BeforeEach
    void importAGoodPiece() throws Exception {
        store = PieceStore.open(tmp.resolve("lmdb"), tmp.resolve("pieces"), PieceStore.Options.defaults());
        good = TestCars.blocks(1, 4, 5000);
        goodPiece = store.importPiece(TestCars.write(tmp, "good.car", TestCars.car(good)), ImportOptions.defaults(),
                ImportProgress.NONE).piece();
    }

    @AfterEach
    void close() {
        store.close();
    }

    void assertRejected(Path file, ImportOptions o, Reason reason, String message) {
        long entries = store.indexEntries();
        assertThatThrownBy(() -> store.importPiece(file, o, ImportProgress.NONE))
                .isInstanceOf(BlockstoreException.class)
                .hasMessageContaining(message)
                .extracting(e -> ((BlockstoreException) e).reason()).isEqualTo(reason);
        assertThat(store.directory().pieces()).containsExactly(goodPiece);
        assertThat(store.indexEntries()).isEqualTo(entries);
        for (Block b : good) {
            assertThat(store.blockSource().get(b.cid())).isEqualTo(b.data());
        }
        assertThat(store.verify(goodPiece.pieceCid()).ok()).isTrue();
    }

    @Test
    void truncatedCar() {
        assertRejected(Vectors.file("car/bad-truncated.car"), ImportOptions.defaults(), Reason.BAD_INPUT, "ends inside");
    }

    @Test
    void blockWithWrongHash() {
        assertRejected(Vectors.file("car/bad-hash-mismatch.car"), ImportOptions.defaults(), Reason.BAD_INPUT, "does not hash");
    }

    @Test
    void badHeaderVarint() {
        assertRejected(Vectors.file("car/bad-header-varint.car"), ImportOptions.defaults(), Reason.BAD_INPUT, "varint");
    }

    @Test
    void badSectionVarint() throws Exception {
        byte[] car = TestCars.car(TestCars.blocks(10, 2, 100));
        byte[] bad = Arrays.copyOf(car, car.length + 10);
        Arrays.fill(bad, car.length, bad.length, (byte) 0xFF);
        assertRejected(TestCars.write(tmp, "v.car", bad), ImportOptions.defaults(), Reason.BAD_INPUT, "varint");
    }

    @Test
    void notACar() throws Exception {
        assertRejected(TestCars.write(tmp, "x.txt", "hello, this is not a CAR file\n".repeat(50).getBytes()),
                ImportOptions.defaults(), Reason.BAD_INPUT, "not a valid CAR");
        assertRejected(TestCars.write(tmp, "empty", new byte[0]), ImportOptions.defaults(), Reason.BAD_INPUT, "not a valid CAR");
    }

    @Test
    void missingFile() {
        assertRejected(tmp.resolve("nope.car"), ImportOptions.defaults(), Reason.NOT_FOUND, "no such file");
    }

    @Test
    void nonZeroBytesAfterTheCar() throws Exception {
        byte[] car = TestCars.car(TestCars.blocks(20, 2, 100));
        byte[] bad = Arrays.copyOf(car, car.length + 300);
        bad[bad.length - 1] = 7;
        assertRejected(TestCars.write(tmp, "t.car", bad), ImportOptions.defaults(), Reason.BAD_INPUT, "after the end of the CAR");
    }

    @Test
    void carV2LongerThanDeclared() throws Exception {
        List<Block> blocks = TestCars.blocks(30, 3, 200);
        byte[] v1 = TestCars.car(blocks);
        int lastSection = Varint.size(36 + 200) + 36 + 200;
        byte[] v2 = carV2(v1, v1.length - lastSection);
        assertRejected(TestCars.write(tmp, "long.car", v2), ImportOptions.defaults(), Reason.BAD_INPUT, "after the end of the CAR");
        // The same wrapper with the right size imports.
        PieceInfo ok = store.importPiece(TestCars.write(tmp, "ok.car", carV2(v1, v1.length)), ImportOptions.defaults(),
                ImportProgress.NONE).piece();
        assertThat(ok.blockCount()).isEqualTo(3);
        assertThat(store.blockSource().get(blocks.get(2).cid())).isEqualTo(blocks.get(2).data());
    }

    static byte[] carV2(byte[] v1, long dataSize) {
        byte[] pragma = {0x0a, (byte) 0xa1, 0x67, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 0x02};
        ByteBuffer b = ByteBuffer.allocate(pragma.length + 40 + v1.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(pragma).putLong(0).putLong(0).putLong(pragma.length + 40).putLong(dataSize).putLong(0).put(v1);
        return b.array();
    }

    @Test
    void pieceCidMismatchIndexesNothing() throws Exception {
        List<Block> other = TestCars.blocks(40, 3, 300);
        Path car = TestCars.write(tmp, "o.car", TestCars.car(other));
        String wrong = CommPHasher.compute(new byte[] {1, 2, 3}).cidV1().toString();
        assertRejected(car, ImportOptions.defaults().withPieceCid(wrong), Reason.PIECE_MISMATCH, "mismatch");
        for (Block b : other) {
            assertThat(store.blockSource().get(b.cid())).isNull();
        }
        // A v2 CID whose size cannot hold the file is refused before reading.
        String tooSmall = CommPHasher.compute(new byte[] {1, 2, 3}).cidV2().toString();
        assertRejected(car, ImportOptions.defaults().withPieceCid(tooSmall), Reason.PIECE_MISMATCH, "padded size");
        assertRejected(car, ImportOptions.defaults().withPieceCid("bafkqaaa"), Reason.INVALID_ARGUMENT, "not a piece CID");
    }

    @Test
    void aMapThatCannotGrowIsAClearErrorAndTheRepoStaysUsable() throws Exception {
        store.close();
        LmdbEnvironment.Options capped = LmdbEnvironment.Options.defaults().withMapSize(1 << 20, 2 << 20);
        store = PieceStore.open(tmp.resolve("lmdb"), tmp.resolve("pieces"), PieceStore.Options.defaults().withLmdb(capped));
        Path big = TestCars.write(tmp, "big.car", TestCars.car(TestCars.blocks(50, 64, 64 * 1024)));
        assertRejected(big, ImportOptions.defaults().withCache(true), Reason.FULL, "full");
        assertThat(store.blockstore().count()).isZero();
        List<Block> small = TestCars.blocks(60, 2, 100);
        PieceInfo p = store.importPiece(TestCars.write(tmp, "small.car", TestCars.car(small)), ImportOptions.defaults().withCache(true),
                ImportProgress.NONE).piece();
        assertThat(p.isReady()).isTrue();
        assertThat(store.blockSource().get(small.get(1).cid())).isEqualTo(small.get(1).data());
        assertThat(Files.exists(tmp.resolve("lmdb/data.mdb"))).isTrue();
    }
}
