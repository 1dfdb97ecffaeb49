package venus.retrieval.bench;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
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
import org.openjdk.jmh.infra.Blackhole;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.unixfs.UnixFsBuilder;
import venus.retrieval.ipld.unixfs.UnixFsProfile;
import venus.retrieval.ipld.unixfs.UnixFsReader;

/**
 * UnixFS file import (chunk, hash, encode; blocks to a sink that drops them) and export (stream
 * the whole file, and a 64 KiB range at the end) over an in-memory block map. One operation = one
 * pass over {@code size} bytes (import, full read) or one range read.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class UnixFsBench {
    @Param({"unixfs-v1-2025", "unixfs-v0-2015"})
    public String profile;

    /** 64 MiB: 64 leaves under v1, 256 under v0 (two levels). */
    @Param({"67108864"})
    public int size;

    private byte[] data;
    private Map<Cid, byte[]> blocks;
    private Cid root;
    private UnixFsReader reader;
    private final byte[] buf = new byte[64 * 1024];

    @Setup
    public void setup() {
        data = new byte[size];
        new SplittableRandom(1).nextBytes(data);
        blocks = new HashMap<>();
        root = new UnixFsBuilder(UnixFsProfile.of(profile), blocks::put).file(data).cid();
        reader = new UnixFsReader(blocks::get);
    }

    @Benchmark
    public Cid importFile() {
        return new UnixFsBuilder(UnixFsProfile.of(profile), (cid, block) -> { }).file(data).cid();
    }

    @Benchmark
    public long readWholeFile(Blackhole bh) throws IOException {
        long n = 0;
        try (InputStream in = reader.open(root)) {
            int r;
            while ((r = in.read(buf)) > 0) {
                n += r;
            }
        }
        bh.consume(buf);
        return n;
    }

    @Benchmark
    public int readLast64KiB() throws IOException {
        try (InputStream in = reader.open(root, size - 65536L, 65536)) {
            return in.readNBytes(buf, 0, buf.length);
        }
    }
}
