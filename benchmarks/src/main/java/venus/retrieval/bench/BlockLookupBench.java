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
 * starting from a {@link Cid} and going through {@link LmdbEnvironment#read} on a writable
 * environment, as in the daemon (the thread's reused read transaction, whose snapshot is kept
 * until the process commits) — against bare lmdbjava {@code Dbi.get} loops on a copy of the
 * same data inside one long read transaction (the floor), zero-copy and copying, plus a bare
 * loop that renews and resets its transaction per lookup (what a fresh snapshot per lookup
 * costs, as a read-only environment does). Every variant
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
    private Path bareDir;
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
        // The same data through bare lmdbjava (read-only, one long read transaction), in a copy:
        // LMDB must not open one environment twice in a process (its lock table would be reset).
        bareDir = Files.createTempDirectory("vrn-lookup-bench-bare");
        Files.copy(dir.resolve("data.mdb"), bareDir.resolve("data.mdb"));
        bare = Env.create().setMapSize(Files.size(bareDir.resolve("data.mdb")) * 2).setMaxDbs(16)
                .open(bareDir.toFile(), EnvFlags.MDB_RDONLY_ENV, EnvFlags.MDB_NOTLS);
        try (Txn<ByteBuffer> t = bare.txnRead()) {
            bareDbi = bare.openDbi(t, "blocks".getBytes(), null, false);
            t.commit();
        }
        bareTxn = bare.txnRead();
        bareRenewTxn = bare.txnRead();
        bareRenewTxn.reset();
        bareKey = ByteBuffer.allocateDirect(64);
        // Writable, as the daemon opens it (its threads keep their read snapshots until it commits).
        env = LmdbEnvironment.open(dir, LmdbEnvironment.Options.defaults());
        store = new LmdbBlockstore(env);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        bareTxn.close();
        bareRenewTxn.renew();
        bareRenewTxn.close();
        bare.close();
        env.close();
        for (Path d : new Path[] {dir, bareDir}) {
            try (var s = Files.walk(d)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
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

    /**
     * The same variants interleaved in one JVM, for a loaded machine where separate JMH forks run
     * at different moments: {@code java -cp benchmarks.jar --add-opens … venus.retrieval.bench.BlockLookupBench
     * [keys] [rounds] [opsPerTurn]}. Each round times every variant for {@code opsPerTurn} lookups
     * (the order rotates per round); prints median ops/s per variant and the median of per-round ratios.
     */
    public static void main(String[] args) throws Exception {
        BlockLookupBench b = new BlockLookupBench();
        b.keys = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        b.blockSize = 1024;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 9;
        int ops = args.length > 2 ? Integer.parseInt(args[2]) : 300_000;
        System.out.println("load " + Files.readString(Path.of("/proc/loadavg")).trim() + "; setting up " + b.keys + " keys");
        b.setup();
        String[] names = {"bareZeroCopy", "bareZeroCopyRenew", "bareCopy", "blockstoreRead", "blockstoreGet", "blockstoreSize"};
        java.util.function.IntSupplier[] ops6 = {b::bareZeroCopy, b::bareZeroCopyRenew, b::bareCopy, b::blockstoreRead,
            b::blockstoreGet, b::blockstoreSize};
        double[][] rates = new double[names.length][rounds];
        long sink = 0;
        try {
            for (int w = 0; w < 3; w++) {
                for (java.util.function.IntSupplier op : ops6) {
                    for (int i = 0; i < ops; i++) {
                        sink += op.getAsInt();
                    }
                }
            }
            System.out.println("load " + Files.readString(Path.of("/proc/loadavg")).trim() + " after warm-up");
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < names.length; k++) {
                    int v = (k + r) % names.length;
                    java.util.function.IntSupplier op = ops6[v];
                    long t0 = System.nanoTime();
                    for (int i = 0; i < ops; i++) {
                        sink += op.getAsInt();
                    }
                    rates[v][r] = ops * 1e9 / (System.nanoTime() - t0);
                }
            }
        } finally {
            b.tearDown();
        }
        for (int v = 0; v < names.length; v++) {
            System.out.printf("%-18s median %,10.0f ops/s  (min %,.0f, max %,.0f)%n", names[v], median(rates[v]),
                    java.util.Arrays.stream(rates[v]).min().orElse(0), java.util.Arrays.stream(rates[v]).max().orElse(0));
        }
        ratio("blockstoreRead / bareZeroCopy", rates[3], rates[0]);
        ratio("blockstoreRead / bareZeroCopyRenew", rates[3], rates[1]);
        ratio("blockstoreGet / bareCopy", rates[4], rates[2]);
        ratio("blockstoreSize / bareZeroCopy", rates[5], rates[0]);
        System.out.println("load " + Files.readString(Path.of("/proc/loadavg")).trim() + " at the end (sink " + (sink & 1) + ")");
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        java.util.Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }

    private static void ratio(String name, double[] a, double[] b) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i] / b[i];
        }
        System.out.printf("%-36s median of per-round ratios %.2fx (rounds: %s)%n", name, median(r),
                java.util.Arrays.toString(java.util.Arrays.stream(r).map(x -> Math.round(x * 100) / 100.0).toArray()));
    }
}
