package venus.retrieval.bench;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import venus.retrieval.blockstore.Blockstore;
import venus.retrieval.blockstore.LmdbBlockstore;
import venus.retrieval.blockstore.LmdbEnvironment;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.Multihash;

/**
 * Random block lookups over {@code keys} stored blocks: the node's {@link LmdbBlockstore#size}
 * and {@code get} (one short read transaction per lookup, as every protocol does) against a bare
 * lmdbjava {@code Dbi.get} loop on the same data inside one long read transaction (the floor).
 * Needs {@code -jvmArgsAppend "--add-opens java.base/java.nio=ALL-UNNAMED --add-opens
 * java.base/sun.nio.ch=ALL-UNNAMED"}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class BlockLookupBench {
    @Param({"2000000"})
    public int keys;

    @Param({"1024"})
    public int blockSize;

    private Path dir;
    private LmdbEnvironment env;
    private Blockstore store;
    private Cid[] cids;
    private Env<ByteBuffer> bare;
    private Dbi<ByteBuffer> bareDbi;
    private Txn<ByteBuffer> bareTxn;
    private ByteBuffer bareKey;
    private byte[][] keyBytes;
    private final SplittableRandom rnd = new SplittableRandom(7);

    @Setup(Level.Trial)
    public void setup() throws Exception {
        dir = Files.createTempDirectory("vrn-lookup-bench");
        env = LmdbEnvironment.open(dir, LmdbEnvironment.Options.defaults());
        store = new LmdbBlockstore(env);
        cids = new Cid[keys];
        keyBytes = new byte[keys][];
        byte[] data = new byte[blockSize];
        SplittableRandom r = new SplittableRandom(1);
        Blockstore.Batch batch = store.batch();
        for (int i = 0; i < keys; i++) {
            r.nextBytes(data);
            // Distinct keys without hashing 2 GB: a sha2-256 multihash of random digest bytes.
            byte[] digest = new byte[32];
            r.nextBytes(digest);
            cids[i] = Cid.v1(Multicodec.RAW, Multihash.of(Multicodec.SHA2_256, digest));
            keyBytes[i] = cids[i].multihashBytes();
            batch.put(cids[i], data.clone());
            if (batch.size() == 20_000) {
                batch.commit();
            }
        }
        batch.commit();
        env.close();
        // The same data through bare lmdbjava (read-only, one long read transaction).
        bare = Env.create().setMapSize(Files.size(dir.resolve("data.mdb")) * 2).setMaxDbs(16)
                .open(dir.toFile(), EnvFlags.MDB_RDONLY_ENV, EnvFlags.MDB_NOTLS);
        try (Txn<ByteBuffer> t = bare.txnRead()) {
            bareDbi = bare.openDbi(t, "blocks".getBytes(), null, false);
            t.commit();
        }
        bareTxn = bare.txnRead();
        bareKey = ByteBuffer.allocateDirect(64);
        env = LmdbEnvironment.open(dir, LmdbEnvironment.Options.defaults().withReadOnly(true));
        store = new LmdbBlockstore(env);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        bareTxn.close();
        bare.close();
        env.close();
        try (var s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public int blockstoreSize() {
        return store.size(cids[rnd.nextInt(keys)]);
    }

    @Benchmark
    public byte[] blockstoreGet() {
        return store.get(cids[rnd.nextInt(keys)]);
    }

    @Benchmark
    public int bareLmdbGet() {
        bareKey.clear();
        bareKey.put(keyBytes[rnd.nextInt(keys)]).flip();
        ByteBuffer v = bareDbi.get(bareTxn, bareKey);
        return v == null ? -1 : v.remaining();
    }

    @Benchmark
    public byte[] bareLmdbGetCopy() {
        bareKey.clear();
        bareKey.put(keyBytes[rnd.nextInt(keys)]).flip();
        ByteBuffer v = bareDbi.get(bareTxn, bareKey);
        byte[] out = new byte[v.remaining()];
        v.get(out);
        return out;
    }
}
