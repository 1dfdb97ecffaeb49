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
import venus.retrieval.blockstore.BlockReader;
import venus.retrieval.blockstore.Blockstore;
import venus.retrieval.blockstore.LmdbBlockstore;
import venus.retrieval.blockstore.LmdbEnvironment;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.Multihash;

/**
 * Random block lookups over {@code keys} stored blocks, in one run: the node's blockstore
 * ({@link LmdbBlockstore#read} zero-copy, {@code get} copying out, {@code size}) — each lookup
 * starting from a {@link Cid} and running in its own (reused, renewed) read transaction, as
 * every protocol does — against bare lmdbjava {@code Dbi.get} loops on the same data inside one
 * long read transaction (the floor), zero-copy and copying, plus a bare loop that renews and
 * resets its transaction per lookup (what a fresh snapshot per lookup costs). Every variant
 * touches the value (first and last byte, and its length), so no lookup is dead code and
 * zero-copy paths still fault in the value's pages. Needs {@code -jvmArgsAppend "--add-opens
 * java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED"}.
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
    private Txn<ByteBuffer> bareRenewTxn;
    private ByteBuffer bareKey;
    private byte[][] keyBytes;
    private final SplittableRandom rnd = new SplittableRandom(7);
    private int touched;
    private final BlockReader<Boolean> touchReader = b -> {
        touched = touch(b);
        return Boolean.TRUE;
    };

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
        bareRenewTxn = bare.txnRead();
        bareRenewTxn.reset();
        bareKey = ByteBuffer.allocateDirect(64);
        env = LmdbEnvironment.open(dir, LmdbEnvironment.Options.defaults().withReadOnly(true));
        store = new LmdbBlockstore(env);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        bareTxn.close();
        bareRenewTxn.renew();
        bareRenewTxn.close();
        bare.close();
        env.close();
        try (var s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The work every variant does with a value: its length, first and last byte. */
    private static int touch(ByteBuffer v) {
        int n = v.remaining();
        return n == 0 ? 0 : n + v.get(v.position()) + v.get(v.limit() - 1);
    }

    private static int touch(byte[] v) {
        int n = v.length;
        return n == 0 ? 0 : n + v[0] + v[n - 1];
    }

    private ByteBuffer bareKey() {
        bareKey.clear();
        bareKey.put(keyBytes[rnd.nextInt(keys)]).flip();
        return bareKey;
    }

    @Benchmark
    public int bareZeroCopy() {
        ByteBuffer v = bareDbi.get(bareTxn, bareKey());
        return v == null ? -1 : touch(v);
    }

    @Benchmark
    public int bareZeroCopyRenew() {
        bareRenewTxn.renew();
        try {
            ByteBuffer v = bareDbi.get(bareRenewTxn, bareKey());
            return v == null ? -1 : touch(v);
        } finally {
            bareRenewTxn.reset();
        }
    }

    @Benchmark
    public int bareCopy() {
        ByteBuffer v = bareDbi.get(bareTxn, bareKey());
        if (v == null) {
            return -1;
        }
        byte[] out = new byte[v.remaining()];
        v.get(out);
        return touch(out);
    }

    @Benchmark
    public int blockstoreRead() {
        return store.read(cids[rnd.nextInt(keys)], touchReader) == null ? -1 : touched;
    }

    @Benchmark
    public int blockstoreGet() {
        byte[] v = store.get(cids[rnd.nextInt(keys)]);
        return v == null ? -1 : touch(v);
    }

    @Benchmark
    public int blockstoreSize() {
        return store.size(cids[rnd.nextInt(keys)]);
    }
}
