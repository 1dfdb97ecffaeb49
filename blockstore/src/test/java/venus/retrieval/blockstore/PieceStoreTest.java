package venus.retrieval.blockstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.blockstore.TestCars.Block;
import venus.retrieval.blockstore.commp.CommPHasher;
import venus.retrieval.blockstore.commp.Fr32;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.car.CarBlock;
import venus.retrieval.ipld.car.CarReader;
import venus.retrieval.ipld.testing.Vectors;

class PieceStoreTest {
    @TempDir
    Path tmp;
    PieceStore store;

    @BeforeEach
    void open() {
        store = open(PieceStore.Options.defaults());
    }

    PieceStore open(PieceStore.Options o) {
        return PieceStore.open(tmp.resolve("repo/lmdb"), tmp.resolve("repo/pieces"), o);
    }

    @AfterEach
    void close() {
        store.close();
    }

    static List<Path> vectorCars() throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Vectors.file("unixfs"))) {
            s.filter(p -> p.toString().endsWith(".car")).sorted().forEach(out::add);
        }
        out.add(Vectors.file("car/mixed-two-roots.car"));
        return out;
    }

    static List<CarBlock> blocksOf(Path car) {
        List<CarBlock> out = new ArrayList<>();
        try (CarReader r = CarReader.open(car)) {
            r.forEach(out::add);
        }
        return out;
    }

    @Test
    void importsEveryVectorCarAndFindsEveryBlock() throws Exception {
        Map<String, Path> bySha = new HashMap<>();
        int duplicates = 0;
        for (Path car : vectorCars()) {
            byte[] bytes = Files.readAllBytes(car);
            String sha = venus.retrieval.ipld.Multibase.hex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
            ImportResult r = store.importPiece(car, ImportOptions.defaults(), ImportProgress.NONE);
            boolean seen = bySha.putIfAbsent(sha, car) != null;
            assertThat(r.alreadyPresent()).as(car.toString()).isEqualTo(seen);
            duplicates += seen ? 1 : 0;
            assertThat(r.piece().isReady()).isTrue();
            assertThat(r.piece().pieceCid()).isEqualTo(CommPHasher.compute(bytes).cidV1());
            if (!seen) {
                assertThat(r.piece().file()).isEqualTo(car.toRealPath());
                assertThat(r.piece().payloadSize()).isEqualTo(bytes.length);
            }
            for (CarBlock b : blocksOf(car)) {
                assertThat(store.blockSource().get(b.cid())).as("%s in %s", b.cid(), car).isEqualTo(b.data());
                assertThat(store.blockSource().size(b.cid())).isEqualTo(b.dataLength());
                if (!b.cid().isIdentity()) {
                    assertThat(store.directory().locations(b.cid().multihash())).isNotEmpty();
                }
            }
        }
        assertThat(duplicates).as("the vectors hold byte-identical CARs").isPositive();
        // A second pass: everything is already there.
        for (Path car : vectorCars()) {
            assertThat(store.importPiece(car, ImportOptions.defaults(), ImportProgress.NONE).alreadyPresent()).isTrue();
        }
        assertThat(store.directory().pieces()).hasSize(bySha.size()).allMatch(PieceInfo::isReady);
    }

    @Test
    void vectorCarPieceCidMatchesTheManifest() throws Exception {
        for (JsonNode p : Vectors.manifest().get("pieces")) {
            if (!p.hasNonNull("source")) {
                continue;
            }
            Path car = Vectors.file("unixfs/" + p.get("source").asText() + ".car");
            ImportResult r = store.importPiece(car, ImportOptions.defaults().withPieceCid(p.get("pieceCidV2").asText()),
                    ImportProgress.NONE);
            assertThat(r.piece().pieceCid().toString()).isEqualTo(p.get("pieceCidV1").asText());
            assertThat(r.piece().pieceCidV2().toString()).isEqualTo(p.get("pieceCidV2").asText());
            assertThat(r.piece().paddedSize()).isEqualTo(p.get("paddedPieceSize").asLong());
            // Re-adding by CID short-circuits.
            ImportResult again = store.importPiece(car, ImportOptions.defaults().withPieceCid(p.get("pieceCidV1").asText()),
                    ImportProgress.NONE);
            assertThat(again.alreadyPresent()).isTrue();
            assertThat(store.directory().piece(Cid.parse(p.get("pieceCidV2").asText()))).contains(r.piece());
        }
    }

    @Test
    void aBlockInTwoPiecesSurvivesRemovalOfOne() throws Exception {
        List<Block> a = TestCars.blocks(10, 3, 1000);
        List<Block> b = new ArrayList<>(List.of(a.get(1)));
        b.addAll(TestCars.blocks(20, 2, 1000));
        Path carA = TestCars.write(tmp, "a.car", TestCars.car(a));
        Path carB = TestCars.write(tmp, "b.car", TestCars.car(b));
        PieceInfo pa = store.importPiece(carA, ImportOptions.defaults(), ImportProgress.NONE).piece();
        PieceInfo pb = store.importPiece(carB, ImportOptions.defaults(), ImportProgress.NONE).piece();
        Block shared = a.get(1);
        assertThat(store.directory().locations(shared.cid().multihash())).extracting(BlockLocation::pieceId)
                .containsExactlyInAnyOrder(pa.id(), pb.id());
        long entriesBefore = store.indexEntries();
        store.remove(pa.pieceCid());
        assertThat(store.indexEntries()).isEqualTo(entriesBefore - 3);
        assertThat(store.directory().piece(pa.pieceCid())).isEmpty();
        assertThat(store.blockSource().get(shared.cid())).isEqualTo(shared.data());
        assertThat(store.blockSource().get(a.get(0).cid())).isNull();
        assertThat(store.blockSource().get(a.get(2).cid())).isNull();
        for (Block x : b) {
            assertThat(store.blockSource().get(x.cid())).isEqualTo(x.data());
        }
        assertThatThrownBy(() -> store.remove(pa.pieceCid())).isInstanceOf(BlockstoreException.class)
                .extracting(e -> ((BlockstoreException) e).reason()).isEqualTo(BlockstoreException.Reason.NOT_FOUND);
    }

    @Test
    void cachedPiecesServeWithoutTheirFileAndRemovalKeepsSharedCachedBlocks() throws Exception {
        List<Block> a = TestCars.blocks(30, 3, 500);
        List<Block> b = List.of(a.get(0), Block.of(40, 500));
        Path carA = TestCars.write(tmp, "a.car", TestCars.car(a));
        Path carB = TestCars.write(tmp, "b.car", TestCars.car(b));
        PieceInfo pa = store.importPiece(carA, ImportOptions.defaults().withCache(true), ImportProgress.NONE).piece();
        store.importPiece(carB, ImportOptions.defaults().withCache(true), ImportProgress.NONE);
        assertThat(pa.cached()).isTrue();
        Files.delete(carA);
        Files.delete(carB);
        assertThat(store.blockstore().count()).isEqualTo(4);
        for (Block x : a) {
            assertThat(store.blockSource().get(x.cid())).isEqualTo(x.data());
        }
        assertThat(store.verify(pa.pieceCid()).ok()).isTrue();
        store.remove(pa.pieceCid());
        assertThat(store.blockstore().count()).isEqualTo(2);
        assertThat(store.blockSource().get(a.get(0).cid())).isEqualTo(a.get(0).data());
        assertThat(store.blockSource().get(a.get(1).cid())).isNull();
    }

    @Test
    void copiedPiecesLiveInThePiecesDirectory() throws Exception {
        List<Block> a = TestCars.blocks(50, 4, 700);
        Path car = TestCars.write(tmp, "a.car", TestCars.car(a));
        PieceInfo p = store.importPiece(car, ImportOptions.defaults().withCopy(true), ImportProgress.NONE).piece();
        assertThat(p.copied()).isTrue();
        assertThat(p.file()).isEqualTo(tmp.resolve("repo/pieces").resolve(p.pieceCid() + ".car"));
        assertThat(Files.readAllBytes(p.file())).isEqualTo(Files.readAllBytes(car));
        Files.delete(car);
        assertThat(store.blockSource().get(a.get(3).cid())).isEqualTo(a.get(3).data());
        assertThat(store.blockSource().locate(a.get(3).cid())).get().extracting(BlockLocation::file).isEqualTo(p.file());
        try (Stream<Path> s = Files.list(tmp.resolve("repo/pieces"))) {
            assertThat(s.map(x -> x.getFileName().toString())).containsExactly(p.pieceCid() + ".car");
        }
        store.remove(p.pieceCid());
        assertThat(Files.exists(p.file())).isFalse();
    }

    @Test
    void unsealedPieceFileWithZeroPaddingHasTheCarsPieceCid() throws Exception {
        byte[] car = TestCars.car(TestCars.blocks(60, 5, 3000));
        long padded = Fr32.paddedPieceSize(car.length);
        byte[] piece = Arrays.copyOf(car, (int) Fr32.unpaddedSize(padded));
        Path file = TestCars.write(tmp, "piece.bin", piece);
        PieceInfo p = store.importPiece(file, ImportOptions.defaults().withPieceCid(CommPHasher.compute(car).cidV2().toString()),
                ImportProgress.NONE).piece();
        assertThat(p.pieceCid()).isEqualTo(CommPHasher.compute(car).cidV1());
        assertThat(p.payloadSize()).isEqualTo(car.length);
        assertThat(p.fileSize()).isEqualTo(piece.length);
        assertThat(p.pieceCidV2()).isEqualTo(CommPHasher.compute(car).cidV2());
        assertThat(store.verify(p.pieceCid()).ok()).isTrue();
    }

    @Test
    void fileReadsAreNotReHashedByDefault() {
        assertThat(PieceStore.Options.defaults().verifyFileReads()).isFalse();
        assertThat(store.options().verifyFileReads()).isFalse();
        PieceStore.Options on = PieceStore.Options.defaults().withCacheBytes(7).withVerifyFileReads(true);
        assertThat(on.verifyFileReads()).isTrue();
        assertThat(on.cacheBytes()).isEqualTo(7);
        assertThat(on.withReadOnly(true).verifyFileReads()).isTrue();
        assertThat(on.withVerifyFileReads(false)).isEqualTo(PieceStore.Options.defaults().withCacheBytes(7));
    }

    /** Imports a 3-block piece in place, checks it, then flips the last byte of its file (in the third block). */
    private PieceInfo importThenCorrupt(List<Block> a) throws Exception {
        byte[] bytes = TestCars.car(a);
        Path car = TestCars.write(tmp, "a.car", bytes);
        PieceInfo p = store.importPiece(car, ImportOptions.defaults(), ImportProgress.NONE).piece();
        PieceStore.VerifyResult ok = store.verify(p.pieceCid());
        assertThat(ok.problems()).isEmpty();
        assertThat(ok.ok()).isTrue();
        assertThat(ok.blocks()).isEqualTo(3);
        bytes[bytes.length - 1] ^= 1;
        Files.write(car, bytes);
        return p;
    }

    @Test
    void withVerifiedReadsAChangedFileIsNotServedAndSaysWhich() throws Exception {
        store.close();
        store = open(PieceStore.Options.defaults().withCacheBytes(0).withVerifyFileReads(true));
        List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        ((PieceBlockSource) store.blockSource()).mismatchLog(logged::add);
        List<Block> a = TestCars.blocks(70, 3, 2000);
        PieceInfo p = importThenCorrupt(a);
        PieceStore.VerifyResult bad = store.verify(p.pieceCid());
        assertThat(bad.ok()).isFalse();
        assertThat(bad.problems()).isNotEmpty();
        // The changed block is no longer served, by either read path; the others still are.
        Cid changed = a.get(2).cid();
        assertThat(store.blockSource().get(changed)).isNull();
        String viaReader = store.blockSource().read(changed, b -> "read");
        assertThat(viaReader).isNull();
        assertThat(store.blockSource().get(a.get(0).cid())).isEqualTo(a.get(0).data());
        assertThat(store.fileReadMismatches()).isEqualTo(2);
        assertThat(logged).hasSize(2).allSatisfy(line -> assertThat(line)
                .contains(changed.toString(), p.pieceCid().toString(), p.file().toString(), "vrn piece verify"));
        // Nothing else changes: the piece stays ready (as before this setting existed).
        assertThat(store.directory().piece(p.id()).orElseThrow().state()).isEqualTo(PieceState.READY);
    }

    @Test
    void withoutVerifiedReadsAChangedFileIsServedAsIsAndVerifyFindsIt() throws Exception {
        store.close();
        store = open(PieceStore.Options.defaults().withCacheBytes(0));
        List<Block> a = TestCars.blocks(70, 3, 2000);
        PieceInfo p = importThenCorrupt(a);
        // What an operator relies on: `vrn piece verify` reports the damage.
        PieceStore.VerifyResult bad = store.verify(p.pieceCid());
        assertThat(bad.ok()).isFalse();
        assertThat(bad.problems()).isNotEmpty();
        // The documented behaviour: the file's bytes are returned unchecked, and the CID check
        // every retrieval client makes on a block fails.
        Cid changed = a.get(2).cid();
        byte[] served = store.blockSource().get(changed);
        assertThat(served).hasSameSizeAs(a.get(2).data()).isNotEqualTo(a.get(2).data());
        assertThat(changed.multihash().matches(served)).isFalse();
        assertThat(store.fileReadMismatches()).isZero();
    }

    @Test
    void recordsSurviveReopeningAndMetadataRoundTrips() throws Exception {
        Path car = TestCars.write(tmp, "a.car", TestCars.car(TestCars.blocks(80, 2, 100)));
        ImportOptions o = ImportOptions.defaults().withPublic(true).withDeals(List.of(7L, 9L)).withMiners(List.of("f01234"));
        PieceInfo p = store.importPiece(car, o, ImportProgress.NONE).piece();
        store.close();
        store = open(PieceStore.Options.defaults().withReadOnly(true));
        PieceInfo again = store.directory().piece(p.pieceCid()).orElseThrow();
        assertThat(again).isEqualTo(p);
        assertThat(again.isPublic()).isTrue();
        assertThat(again.dealIds()).containsExactly(7L, 9L);
        assertThat(again.minerIds()).containsExactly("f01234");
        assertThat(again.roots()).hasSize(1);
        assertThatThrownBy(() -> store.importPiece(car, ImportOptions.defaults(), ImportProgress.NONE))
                .isInstanceOf(BlockstoreException.class)
                .extracting(e -> ((BlockstoreException) e).reason()).isEqualTo(BlockstoreException.Reason.READ_ONLY);
    }

    @Test
    void badMinerIdsAreRefused() {
        assertThatThrownBy(() -> ImportOptions.defaults().withMiners(List.of("t1abc")))
                .isInstanceOf(BlockstoreException.class).hasMessageContaining("actor id");
    }

    @Test
    void anInterruptedImportIsNeverServedAndReimportCleansIt() throws Exception {
        List<Block> a = TestCars.blocks(90, 3, 400);
        Path car = TestCars.write(tmp, "a.car", TestCars.car(a));
        // What a crash after the first batch leaves behind: a record "indexing" and some entries.
        PieceInfo rec = crashedImport(car, a.subList(0, 1), false);
        store.close();
        // A reader changes nothing (a writer process may be importing right now).
        store = open(PieceStore.Options.defaults().withReadOnly(true));
        assertThat(store.directory().pieces()).singleElement().extracting(PieceInfo::state).isEqualTo(PieceState.INDEXING);
        assertThat(store.blockSource().get(a.get(0).cid())).isNull();
        assertThat(store.directory().locations(a.get(0).cid().multihash())).isEmpty();
        store.close();
        // A writer holds the repository lock, so nothing can be importing: the record becomes failed.
        store = open(PieceStore.Options.defaults());
        PieceInfo failed = store.directory().pieces().get(0);
        assertThat(store.directory().pieces()).hasSize(1);
        assertThat(failed.id()).isEqualTo(rec.id());
        assertThat(failed.state()).isEqualTo(PieceState.FAILED);
        assertThat(failed.error()).isEqualTo("interrupted");
        assertThat(store.indexEntries()).isZero();
        assertThat(store.blockSource().get(a.get(0).cid())).isNull();
        PieceInfo p = store.importPiece(car, ImportOptions.defaults(), ImportProgress.NONE).piece();
        assertThat(store.directory().pieces()).singleElement().isEqualTo(p);
        assertThat(store.indexEntries()).isEqualTo(3);
        for (Block x : a) {
            assertThat(store.blockSource().get(x.cid())).isEqualTo(x.data());
        }
    }

    /** Writes what a process killed during an import leaves: an "indexing" record and some entries. */
    private PieceInfo crashedImport(Path car, List<Block> written, boolean cache) throws IOException {
        LmdbEnvironment env = store.environment();
        LmdbPieceDirectory dir = new LmdbPieceDirectory(env, new LmdbBlockstore(env));
        java.time.Instant now = PieceInfo.now();
        PieceInfo rec = dir.begin(new PieceInfo(0, null, 0, 0, 0, List.of(), PieceState.INDEXING, car.toRealPath(), false, cache,
                false, List.of(), List.of(), -1, -1, false, false, 0, now, now, null));
        List<LmdbPieceDirectory.Entry> entries = new ArrayList<>();
        for (int i = 0; i < written.size(); i++) {
            Block b = written.get(i);
            entries.add(new LmdbPieceDirectory.Entry(b.cid().multihashBytes(), 100 + 500L * i, b.data().length, cache ? b.data() : null));
        }
        dir.addEntries(rec.id(), entries);
        return rec;
    }

    @Test
    void aWriterFinishesWhatACrashLeftAndKeepsReadyPieces() throws Exception {
        List<Block> ready = TestCars.blocks(200, 4, 300);
        PieceInfo kept = store.importPiece(TestCars.write(tmp, "ready.car", TestCars.car(ready)),
                ImportOptions.defaults().withCache(true), ImportProgress.NONE).piece();
        // A cached import killed midway: its blocks reached the blockstore, one shared with the ready piece.
        List<Block> partial = new ArrayList<>(TestCars.blocks(300, 3, 300));
        partial.add(ready.get(0));
        PieceInfo crashed = crashedImport(TestCars.write(tmp, "b.car", TestCars.car(partial)), partial, true);
        // A removal killed after it marked the piece failed ("removing") but before its entries were gone.
        List<Block> removing = TestCars.blocks(400, 2, 300);
        PieceInfo cut = crashedImport(TestCars.write(tmp, "c.car", TestCars.car(removing)), removing, false);
        LmdbPieceDirectory dir = new LmdbPieceDirectory(store.environment(), new LmdbBlockstore(store.environment()));
        dir.update(cut.withState(PieceState.FAILED, "removing", PieceInfo.now()));
        assertThat(store.blockstore().count()).isEqualTo(4 + 3);
        store.close();

        store = open(PieceStore.Options.defaults());
        List<PieceInfo> pieces = store.directory().pieces();
        assertThat(pieces).extracting(PieceInfo::id).containsExactly(kept.id(), crashed.id());
        assertThat(pieces.get(0)).isEqualTo(kept);
        assertThat(pieces.get(1).state()).isEqualTo(PieceState.FAILED);
        assertThat(pieces.get(1).error()).isEqualTo("interrupted");
        assertThat(store.indexEntries()).isEqualTo(4); // only the ready piece's
        assertThat(store.blockstore().count()).isEqualTo(4); // the crashed import's own blocks are gone, the shared one stays
        for (Block b : ready) {
            assertThat(store.blockSource().get(b.cid())).isEqualTo(b.data());
        }
        for (Block b : partial.subList(0, 3)) {
            assertThat(store.blockSource().get(b.cid())).isNull();
        }
        // Reopening again changes nothing more, and the failed record can be removed by number.
        store.close();
        store = open(PieceStore.Options.defaults());
        assertThat(store.directory().pieces()).hasSize(2);
        store.remove(crashed.id());
        assertThat(store.directory().pieces()).containsExactly(kept);
    }

    @Test
    void skippingCommPTrustsTheGivenCidButStillVerifiesBlocks() throws Exception {
        List<Block> a = TestCars.blocks(95, 3, 300);
        byte[] bytes = TestCars.car(a);
        Path car = TestCars.write(tmp, "a.car", bytes);
        String v2 = CommPHasher.compute(bytes).cidV2().toString();
        PieceInfo p = store.importPiece(car, ImportOptions.defaults().withPieceCid(v2).withSkipCommP(true), ImportProgress.NONE).piece();
        assertThat(p.pieceCidV2().toString()).isEqualTo(v2);
        assertThat(store.blockSource().get(a.get(2).cid())).isEqualTo(a.get(2).data());
        assertThatThrownBy(() -> ImportOptions.defaults().withSkipCommP(true)).isInstanceOf(BlockstoreException.class);
        Path bad = Vectors.file("car/bad-hash-mismatch.car");
        String badCid = CommPHasher.compute(Files.readAllBytes(bad)).cidV2().toString();
        assertThatThrownBy(() -> store.importPiece(bad, ImportOptions.defaults().withPieceCid(badCid).withSkipCommP(true),
                ImportProgress.NONE)).isInstanceOf(BlockstoreException.class).hasMessageContaining("does not hash");
        assertThat(store.directory().pieces()).containsExactly(p);
    }

    @Test
    void aWriterDeletesTemporaryCopiesOfInterruptedImports() throws Exception {
        Path pieces = Files.createDirectories(tmp.resolve("repo/pieces"));
        Path stale = Files.write(pieces.resolve(PieceImporter.TEMP_PREFIX + "x.tmp"), new byte[] {1});
        Path kept = Files.write(pieces.resolve("other.car"), new byte[] {1});
        store.close();
        store = open(PieceStore.Options.defaults().withReadOnly(true));
        assertThat(stale).exists();
        store.close();
        store = open(PieceStore.Options.defaults());
        assertThat(stale).doesNotExist();
        assertThat(kept).exists();
    }
}
