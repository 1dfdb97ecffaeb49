package venus.retrieval.bench;

import java.security.MessageDigest;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import venus.retrieval.blockstore.commp.CommPHasher;
import venus.retrieval.blockstore.commp.PieceCommitment;

/**
 * CommP throughput against the JDK's bulk SHA-256 over the same bytes. A CommP tree hashes about
 * twice the payload in 64-byte pairs, each costing two SHA-256 compressions, so the reference
 * figure for one thread is bulk SHA-256 ÷ 4. Scores are in operations (one pass over {@code size}
 * bytes) per second; multiply by size for bytes per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CommPBench {
    @Param({"33554432"})
    public int size;

    private byte[] data;

    @Setup
    public void setup() {
        data = new byte[size];
        new SplittableRandom(1).nextBytes(data);
    }

    @Benchmark
    public byte[] sha256Bulk() throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    @Benchmark
    public PieceCommitment commpOneThread() {
        try (CommPHasher h = new CommPHasher(0)) {
            h.update(data, 0, data.length);
            return h.finish();
        }
    }

    @Benchmark
    public PieceCommitment commpTwoThreads() {
        try (CommPHasher h = new CommPHasher(2)) {
            h.update(data, 0, data.length);
            return h.finish();
        }
    }
}
