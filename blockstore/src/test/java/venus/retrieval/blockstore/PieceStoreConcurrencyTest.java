package venus.retrieval.blockstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.blockstore.TestCars.Block;

/** Lookups running while one piece is imported and another removed see only consistent states. */
class PieceStoreConcurrencyTest {
    @TempDir
    Path tmp;

    @Test
    void lookupsDuringImportAndRemovalAreConsistent() throws Exception {
        for (boolean cache : new boolean[] {false, true}) {
            run(tmp.resolve(cache ? "cached" : "in-place"), cache);
        }
    }

    private void run(Path dir, boolean cache) throws Exception {
        java.nio.file.Files.createDirectories(dir);
        List<Block> a = TestCars.blocks(100, 3000, 256);
        List<Block> b = new ArrayList<>(TestCars.blocks(10_000, 3000, 256));
        Block shared = a.get(1500);
        b.add(shared);
        Path carA = TestCars.write(dir, "a.car", TestCars.car(a));
        Path carB = TestCars.write(dir, "b.car", TestCars.car(b));
        ImportOptions o = ImportOptions.defaults().withCache(cache);
        try (PieceStore store = PieceStore.open(dir.resolve("lmdb"), dir.resolve("pieces"), PieceStore.Options.defaults()
                .withCacheBytes(64 * 1024))) {
            PieceInfo pa = store.importPiece(carA, o, ImportProgress.NONE).piece();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicBoolean bReady = new AtomicBoolean();
            AtomicBoolean aRemoved = new AtomicBoolean();
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int seed = t;
                Thread th = new Thread(() -> {
                    java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
                    while (!stop.get() && problems.size() < 5) {
                        try {
                            boolean fromA = rnd.nextBoolean();
                            Block x = fromA ? a.get(rnd.nextInt(a.size())) : b.get(rnd.nextInt(b.size()));
                            // The shared block may be briefly absent: A removed before B is ready.
                            boolean mustHave = bReady.get() && (x == shared || !fromA);
                            boolean removedBefore = fromA && aRemoved.get();
                            byte[] got = store.blockSource().get(x.cid());
                            if (got != null && !java.util.Arrays.equals(got, x.data())) {
                                problems.add("wrong bytes for " + x.cid());
                            }
                            if (got == null && mustHave) {
                                problems.add("missing " + x.cid() + " (shared or of a ready piece)");
                            }
                            if (got != null && removedBefore && x != shared) {
                                problems.add("block " + x.cid() + " of a removed piece still served");
                            }
                        } catch (RuntimeException e) {
                            problems.add("lookup failed: " + e);
                        }
                    }
                });
                th.start();
                readers.add(th);
            }
            Thread importer = new Thread(() -> {
                store.importPiece(carB, o, ImportProgress.NONE);
                bReady.set(true);
            });
            importer.start();
            store.remove(pa.pieceCid());
            aRemoved.set(true);
            importer.join();
            Thread.yield();
            stop.set(true);
            for (Thread th : readers) {
                th.join();
            }
            assertThat(problems).isEmpty();
            for (Block x : b) {
                assertThat(store.blockSource().get(x.cid())).isEqualTo(x.data());
            }
            assertThat(store.blockSource().get(a.get(0).cid())).isNull();
            assertThat(store.directory().pieces()).hasSize(1).allMatch(PieceInfo::isReady);
        }
    }
}
