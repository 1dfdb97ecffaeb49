package venus.retrieval.blockstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.Multihash;
import venus.retrieval.ipld.testing.Vectors;

class LmdbBlockstoreTest {
    @TempDir
    Path dir;

    static Cid raw(byte[] data) {
        return Cid.of(Multicodec.RAW, data);
    }

    @Test
    void putGetHasSizeDelete() {
        try (LmdbEnvironment env = LmdbEnvironment.open(dir, LmdbEnvironment.Options.defaults())) {
            Blockstore bs = new LmdbBlockstore(env);
            byte[] data = Vectors.xorshift(5, 1000);
            Cid cid = raw(data);
            assertThat(bs.get(cid)).isNull();
            assertThat(bs.has(cid)).isFalse();
            assertThat(bs.size(cid)).isEqualTo(-1);
            bs.put(cid, data);
            assertThat(bs.get(cid)).isEqualTo(data);
            assertThat(bs.size(cid)).isEqualTo(1000);
            // Keyed by multihash: the same hash under dag-pb names the same bytes.
            assertThat(bs.get(Cid.v1(Multicodec.DAG_PB, cid.multihash()))).isEqualTo(data);
            assertThat(bs.count()).isEqualTo(1);
            assertThat(bs.delete(cid)).isTrue();
            assertThat(bs.delete(cid)).isFalse();
            assertThat(bs.has(cid)).isFalse();
        }
    }

    @Test
    void identityBlocksAreInlineAndNeverStored() {
        try (LmdbEnvironment env = LmdbEnvironment.open(dir, LmdbEnvironment.Options.defaults())) {
            Blockstore bs = new LmdbBlockstore(env);
            byte[] data = {1, 2, 3};
            Cid id = Cid.v1(Multicodec.RAW, Multihash.of(Multicodec.IDENTITY, data));
            bs.put(id, data);
            assertThat(bs.count()).isZero();
            assertThat(bs.get(id)).isEqualTo(data);
            assertThat(bs.size(id)).isEqualTo(3);
        }
    }

    @Test
    void batchesAndKeyIterationAcrossPages() {
        try (LmdbEnvironment env = LmdbEnvironment.open(dir, LmdbEnvironment.Options.defaults())) {
            Blockstore bs = new LmdbBlockstore(env);
            Set<Multihash> expected = new HashSet<>();
            Blockstore.Batch batch = bs.batch();
            for (int i = 0; i < 10_000; i++) {
                byte[] d = Vectors.xorshift(i + 1, 16);
                Cid c = raw(d);
                batch.put(c, d);
                expected.add(c.multihash());
            }
            assertThat(batch.size()).isEqualTo(10_000);
            assertThat(bs.count()).isZero();
            batch.commit();
            assertThat(bs.count()).isEqualTo(expected.size());
            List<Multihash> seen = new ArrayList<>();
            bs.forEachKey(seen::add);
            assertThat(seen).hasSize(expected.size());
            assertThat(new HashSet<>(seen)).isEqualTo(expected);
            List<Multihash> first = new ArrayList<>();
            bs.forEachKey(k -> first.add(k) && first.size() < 5);
            assertThat(first).hasSize(5);
        }
    }

    @Test
    void mapGrowsWhenFull() {
        LmdbEnvironment.Options small = LmdbEnvironment.Options.defaults().withMapSize(1 << 20, 256L << 20);
        try (LmdbEnvironment env = LmdbEnvironment.open(dir, small)) {
            Blockstore bs = new LmdbBlockstore(env);
            long before = env.mapSize();
            List<Cid> cids = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                byte[] d = Vectors.xorshift(i + 100, 256 * 1024);
                Cid c = raw(d);
                bs.put(c, d);
                cids.add(c);
            }
            assertThat(env.mapSize()).isGreaterThan(before);
            for (int i = 0; i < 40; i++) {
                assertThat(bs.get(cids.get(i))).isEqualTo(Vectors.xorshift(i + 100, 256 * 1024));
            }
        }
    }

    @Test
    void aMapThatCannotGrowFailsCleanlyAndKeepsEarlierData() {
        LmdbEnvironment.Options capped = LmdbEnvironment.Options.defaults().withMapSize(1 << 20, 4 << 20);
        try (LmdbEnvironment env = LmdbEnvironment.open(dir, capped)) {
            Blockstore bs = new LmdbBlockstore(env);
            byte[] first = Vectors.xorshift(1, 100_000);
            bs.put(raw(first), first);
            Blockstore.Batch big = bs.batch();
            for (int i = 0; i < 80; i++) {
                byte[] d = Vectors.xorshift(i + 2, 100_000);
                big.put(raw(d), d);
            }
            assertThatThrownBy(big::commit).isInstanceOf(BlockstoreException.class)
                    .hasMessageContaining("full")
                    .extracting(e -> ((BlockstoreException) e).reason()).isEqualTo(BlockstoreException.Reason.FULL);
            assertThat(bs.count()).isEqualTo(1);
            assertThat(bs.get(raw(first))).isEqualTo(first);
            byte[] small = {9};
            bs.put(raw(small), small);
            assertThat(bs.get(raw(small))).isEqualTo(small);
        }
    }

    @Test
    void readOnlyOpensBesideAWriterAndSeesItsCommits() {
        try (LmdbEnvironment writer = LmdbEnvironment.open(dir, LmdbEnvironment.Options.defaults().withMapSize(1 << 20, 1L << 30))) {
            Blockstore w = new LmdbBlockstore(writer);
            byte[] a = {1};
            w.put(raw(a), a);
            try (LmdbEnvironment reader = LmdbEnvironment.open(dir, LmdbEnvironment.Options.defaults().withMapSize(1 << 20, 1L << 30).withReadOnly(true))) {
                Blockstore r = new LmdbBlockstore(reader);
                assertThat(r.get(raw(a))).isEqualTo(a);
                assertThatThrownBy(() -> r.put(raw(a), a)).isInstanceOf(BlockstoreException.class)
                        .extracting(e -> ((BlockstoreException) e).reason()).isEqualTo(BlockstoreException.Reason.READ_ONLY);
                // The writer grows its map well past the reader's; the reader adopts it.
                List<Cid> cids = new ArrayList<>();
                for (int i = 0; i < 24; i++) {
                    byte[] d = Vectors.xorshift(i + 7, 512 * 1024);
                    w.put(raw(d), d);
                    cids.add(raw(d));
                }
                for (int i = 0; i < 24; i++) {
                    assertThat(r.get(cids.get(i))).isEqualTo(Vectors.xorshift(i + 7, 512 * 1024));
                }
            }
        }
    }

    @Test
    void readOnlyOnAMissingEnvironmentIsNotFound() {
        assertThatThrownBy(() -> LmdbEnvironment.open(dir.resolve("nope"), LmdbEnvironment.Options.defaults().withReadOnly(true)))
                .isInstanceOf(BlockstoreException.class)
                .extracting(e -> ((BlockstoreException) e).reason()).isEqualTo(BlockstoreException.Reason.NOT_FOUND);
    }

    @Test
    void anotherSchemaVersionIsRefused() {
        try (LmdbEnvironment env = LmdbEnvironment.open(dir, LmdbEnvironment.Options.defaults())) {
            env.write(txn -> env.dbi(LmdbEnvironment.META).put(txn, Buffers.key("schema".getBytes(), 0), Buffers.direct(Buffers.u32(99))));
        }
        assertThatThrownBy(() -> LmdbEnvironment.open(dir, LmdbEnvironment.Options.defaults()))
                .isInstanceOf(BlockstoreException.class).hasMessageContaining("schema version 99")
                .extracting(e -> ((BlockstoreException) e).reason()).isEqualTo(BlockstoreException.Reason.INCOMPATIBLE);
    }
}
