package venus.retrieval.blockstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.blockstore.TestCars.Block;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.Multihash;
import venus.retrieval.ipld.testing.Vectors;

/** The zero-copy read path: {@link Blockstore#read} and {@link BlockSource#read}. */
class BlockReadTest {
    @TempDir
    Path dir;

    static byte[] copy(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Test
    void presentBlockIsHandedOverReadOnlyAndWhole() {
        try (LmdbEnvironment env = LmdbEnvironment.open(dir, LmdbEnvironment.Options.defaults())) {
            Blockstore bs = new LmdbBlockstore(env);
            byte[] data = Vectors.xorshift(3, 5000);
            Cid cid = Cid.of(Multicodec.RAW, data);
            bs.put(cid, data);
            assertThat(bs.read(cid, BlockReadTest::copy)).isEqualTo(data);
            // The same multihash under another codec (and as a CIDv0) names the same bytes.
            assertThat(bs.read(Cid.v1(Multicodec.DAG_PB, cid.multihash()), BlockReadTest::copy)).isEqualTo(data);
            assertThat(bs.read(Cid.v0(cid.multihash()), BlockReadTest::copy)).isEqualTo(data);
            assertThat(bs.<Boolean>read(cid, b -> b.position() == 0 && b.limit() == 5000 && b.remaining() == 5000)).isTrue();
            // LMDB maps the file read-only: a write through the view must be refused, not crash the JVM.
            assertThat(bs.<Boolean>read(cid, ByteBuffer::isReadOnly)).isTrue();
            assertThatThrownBy(() -> bs.read(cid, b -> b.put(0, (byte) 1))).isInstanceOf(ReadOnlyBufferException.class);
            // A reader that moves its view does not disturb the next read.
            bs.read(cid, b -> b.position(4000).limit(4100));
            assertThat(bs.<Integer>read(cid, ByteBuffer::remaining)).isEqualTo(5000);
            // A reader may return null: read returns it (documented as ambiguous with absence).
            assertThat(bs.<Object>read(cid, b -> null)).isNull();
            assertThat(bs.get(cid)).isEqualTo(data);
            assertThat(bs.size(cid)).isEqualTo(5000);
        }
    }

    @Test
    void absentBlockReturnsNullWithoutCallingTheReader() {
        try (LmdbEnvironment env = LmdbEnvironment.open(dir, LmdbEnvironment.Options.defaults())) {
            Blockstore bs = new LmdbBlockstore(env);
            AtomicInteger calls = new AtomicInteger();
            Cid missing = Cid.of(Multicodec.RAW, new byte[] {1, 2, 3});
            assertThat(bs.<Integer>read(missing, b -> calls.incrementAndGet())).isNull();
            assertThat(calls).hasValue(0);
        }
    }

    @Test
    void identityCidIsAnsweredFromTheCid() {
        try (LmdbEnvironment env = LmdbEnvironment.open(dir, LmdbEnvironment.Options.defaults())) {
            Blockstore bs = new LmdbBlockstore(env);
            byte[] inline = {7, 8, 9, 10};
            Cid id = Cid.v1(Multicodec.RAW, Multihash.of(Multicodec.IDENTITY, inline));
            assertThat(bs.read(id, BlockReadTest::copy)).isEqualTo(inline);
            assertThat(bs.<Boolean>read(id, ByteBuffer::isReadOnly)).isTrue();
            Cid empty = Cid.v1(Multicodec.RAW, Multihash.of(Multicodec.IDENTITY, new byte[0]));
            assertThat(bs.<Integer>read(empty, ByteBuffer::remaining)).isZero();
            assertThat(bs.count()).isZero();
        }
    }

    @Test
    void aReaderMayLookUpAnotherBlockAndWritersDoNotChangeWhatItSees() throws Exception {
        try (LmdbEnvironment env = LmdbEnvironment.open(dir, LmdbEnvironment.Options.defaults())) {
            Blockstore bs = new LmdbBlockstore(env);
            Block a = Block.of(1, 100);
            Block b = Block.of(2, 200);
            bs.put(a.cid(), a.data());
            bs.put(b.cid(), b.data());
            // Nested read on the same thread (its transaction is busy: the inner one gets its own).
            byte[] both = bs.read(a.cid(), va -> {
                byte[] inner = bs.read(b.cid(), BlockReadTest::copy);
                byte[] outer = copy(va);
                byte[] out = new byte[outer.length + inner.length];
                System.arraycopy(outer, 0, out, 0, outer.length);
                System.arraycopy(inner, 0, out, outer.length, inner.length);
                return out;
            });
            assertThat(both).hasSize(300);
            assertThat(copyRange(both, 0, 100)).isEqualTo(a.data());
            assertThat(copyRange(both, 100, 300)).isEqualTo(b.data());
            // A delete committed by another thread while a reader runs: the reader's snapshot keeps
            // the bytes valid until it returns; the next read sees the delete.
            ExecutorService other = Executors.newSingleThreadExecutor();
            try {
                byte[] seen = bs.read(a.cid(), va -> {
                    try {
                        assertThat(other.submit(() -> bs.delete(a.cid())).get(30, TimeUnit.SECONDS)).isTrue();
                        Block c = Block.of(3, 100);
                        other.submit(() -> bs.put(c.cid(), c.data())).get(30, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                    return copy(va);
                });
                assertThat(seen).isEqualTo(a.data());
            } finally {
                other.shutdownNow();
            }
            assertThat(bs.read(a.cid(), BlockReadTest::copy)).isNull();
        }
    }

    @Test
    void aThreadsKeptSnapshotNeverHidesACompletedWrite() throws Exception {
        try (LmdbEnvironment env = LmdbEnvironment.open(dir, LmdbEnvironment.Options.defaults())) {
            Blockstore bs = new LmdbBlockstore(env);
            ExecutorService writer = Executors.newSingleThreadExecutor();
            try {
                for (int i = 0; i < 50; i++) {
                    Block b = Block.of(500 + i, 64 + i);
                    // This thread's snapshot is kept between reads; a commit from another thread releases it.
                    assertThat(bs.read(b.cid(), BlockReadTest::copy)).isNull();
                    assertThat(bs.size(b.cid())).isEqualTo(-1);
                    writer.submit(() -> bs.put(b.cid(), b.data())).get(30, TimeUnit.SECONDS);
                    assertThat(bs.read(b.cid(), BlockReadTest::copy)).isEqualTo(b.data());
                    writer.submit(() -> bs.delete(b.cid())).get(30, TimeUnit.SECONDS);
                    assertThat(bs.size(b.cid())).isEqualTo(-1);
                }
            } finally {
                writer.shutdownNow();
            }
        }
    }

    @Test
    void aSnapshotInUseDuringACommitIsNotReusedAfterIt() throws Exception {
        // review of the kept per-thread snapshot: a commit skips a snapshot that is in use (it cannot
        // reset it); the read that used it must still not leave it for the thread's next lookup
        try (LmdbEnvironment env = LmdbEnvironment.open(dir, LmdbEnvironment.Options.defaults())) {
            Blockstore bs = new LmdbBlockstore(env);
            ExecutorService writer = Executors.newSingleThreadExecutor();
            try {
                for (int i = 0; i < 20; i++) {
                    Block b = Block.of(700 + i, 80 + i);
                    bs.put(b.cid(), b.data());
                    byte[] seen = bs.read(b.cid(), v -> {
                        try {
                            // committed by another thread while this read runs in its snapshot
                            writer.submit(() -> bs.delete(b.cid())).get(30, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                        return copy(v); // the running read keeps its consistent view
                    });
                    assertThat(seen).isEqualTo(b.data());
                    assertThat(bs.read(b.cid(), BlockReadTest::copy)).as("a lookup after the delete returned").isNull();
                    assertThat(bs.size(b.cid())).isEqualTo(-1);
                    assertThat(bs.has(b.cid())).isFalse();
                }
            } finally {
                writer.shutdownNow();
            }
        }
    }

    private static byte[] copyRange(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, to);
    }

    @Test
    void concurrentReadersBeyondTheReusedTransactionsSeeTheRightBytes() throws Exception {
        try (LmdbEnvironment env = LmdbEnvironment.open(dir, LmdbEnvironment.Options.defaults())) {
            Blockstore bs = new LmdbBlockstore(env);
            List<Block> blocks = TestCars.blocks(100, 200, 700);
            Blockstore.Batch batch = bs.batch();
            blocks.forEach(bl -> batch.put(bl.cid(), bl.data()));
            batch.commit();
            int threads = LmdbEnvironment.REUSED_READERS + 8; // the last ones open a transaction per read
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch start = new CountDownLatch(1);
            try {
                List<Future<Integer>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int seed = t;
                    results.add(pool.submit(() -> {
                        start.await();
                        SplittableRandom r = new SplittableRandom(seed);
                        int ok = 0;
                        for (int i = 0; i < 50; i++) {
                            Block bl = blocks.get(r.nextInt(blocks.size()));
                            Boolean match = bs.read(bl.cid(), v -> bl.cid().multihash().matches(copy(v)));
                            ok += Boolean.TRUE.equals(match) ? 1 : 0;
                        }
                        return ok;
                    }));
                }
                // A writer keeps committing while they read.
                start.countDown();
                for (int i = 0; i < 20; i++) {
                    Block extra = Block.of(10_000 + i, 300);
                    bs.put(extra.cid(), extra.data());
                }
                for (Future<Integer> f : results) {
                    assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(50);
                }
            } finally {
                pool.shutdownNow();
            }
        }
        // Closing released every reused transaction: the environment reopens and reads fine.
        try (LmdbEnvironment env = LmdbEnvironment.open(dir, LmdbEnvironment.Options.defaults().withReadOnly(true))) {
            Block first = TestCars.blocks(100, 1, 700).get(0);
            assertThat(new LmdbBlockstore(env).read(first.cid(), BlockReadTest::copy)).isEqualTo(first.data());
        }
    }

    @Test
    void aClosedEnvironmentRefusesReadsClearly() {
        LmdbEnvironment env = LmdbEnvironment.open(dir, LmdbEnvironment.Options.defaults());
        Blockstore bs = new LmdbBlockstore(env);
        Block a = Block.of(1, 10);
        bs.put(a.cid(), a.data());
        assertThat(bs.read(a.cid(), BlockReadTest::copy)).isEqualTo(a.data()); // this thread now keeps a transaction
        env.close();
        assertThatThrownBy(() -> bs.read(a.cid(), BlockReadTest::copy)).isInstanceOf(BlockstoreException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void readerBesideAGrowingWriterAdoptsTheNewMap() {
        LmdbEnvironment.Options o = LmdbEnvironment.Options.defaults().withMapSize(1 << 20, 1L << 30);
        try (LmdbEnvironment writer = LmdbEnvironment.open(dir, o);
             LmdbEnvironment reader = LmdbEnvironment.open(dir, o.withReadOnly(true))) {
            Blockstore w = new LmdbBlockstore(writer);
            Blockstore r = new LmdbBlockstore(reader);
            Block first = Block.of(1, 10);
            w.put(first.cid(), first.data());
            assertThat(r.read(first.cid(), BlockReadTest::copy)).isEqualTo(first.data()); // reused transaction exists now
            List<Block> big = TestCars.blocks(50, 24, 512 * 1024);
            big.forEach(bl -> w.put(bl.cid(), bl.data()));
            assertThat(writer.mapSize()).isGreaterThan(1 << 20);
            for (Block bl : big) {
                assertThat(r.read(bl.cid(), BlockReadTest::copy)).isEqualTo(bl.data());
            }
        }
    }

    @Test
    void blockSourceReadsFromTheBlockstoreThePieceFileAndTheCid() throws Exception {
        try (PieceStore store = PieceStore.open(dir.resolve("lmdb"), dir.resolve("pieces"), PieceStore.Options.defaults())) {
            List<Block> inFile = TestCars.blocks(1, 5, 3000);
            store.importPiece(TestCars.write(dir, "a.car", TestCars.car(inFile)), ImportOptions.defaults(), ImportProgress.NONE);
            List<Block> cached = TestCars.blocks(100, 3, 2000);
            store.importPiece(TestCars.write(dir, "b.car", TestCars.car(cached)), ImportOptions.defaults().withCache(true), ImportProgress.NONE);
            BlockSource src = store.blockSource();
            for (Block b : inFile) {
                assertThat(src.read(b.cid(), BlockReadTest::copy)).as("from the piece file").isEqualTo(b.data());
                assertThat(src.read(b.cid(), BlockReadTest::copy)).as("from the hot cache").isEqualTo(b.data());
                assertThat(src.<Boolean>read(b.cid(), ByteBuffer::isReadOnly)).isTrue();
            }
            for (Block b : cached) {
                assertThat(src.read(b.cid(), BlockReadTest::copy)).as("in place from LMDB").isEqualTo(b.data());
                assertThat(src.<Boolean>read(b.cid(), ByteBuffer::isReadOnly)).isTrue();
                assertThat(src.<Object>read(b.cid(), v -> null)).isNull();
            }
            AtomicInteger calls = new AtomicInteger();
            assertThat(src.<Integer>read(Block.of(999, 10).cid(), v -> calls.incrementAndGet())).isNull();
            assertThat(calls).hasValue(0);
            Cid id = Cid.v1(Multicodec.RAW, Multihash.of(Multicodec.IDENTITY, new byte[] {4, 2}));
            assertThat(src.read(id, BlockReadTest::copy)).containsExactly(4, 2);
        }
    }
}
