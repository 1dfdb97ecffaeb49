package venus.retrieval.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.car.CarReader;
import venus.retrieval.ipld.car.CarWriter;

/**
 * CAR scan throughput: {@link CarReader} framing plus a SHA-256 check of every block, against the
 * JDK's bare SHA-256 over the same bytes (the floor no verifying scan can beat). The CAR is
 * generated in memory (~64 MiB of 256 KiB raw blocks) so the figure is CPU, not disk. Scores are
 * scans per second; multiply by the CAR's size ({@link #carSize}, printed at setup) for bytes/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CarScanBenchmark {
    @Param({"256"})
    public int blocks;

    @Param({"262144"})
    public int blockSize;

    private byte[] car;
    private int carSize;
    private Path file;

    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(1);
        ByteArrayOutputStream out = new ByteArrayOutputStream(blocks * (blockSize + 64) + 128);
        byte[] block = new byte[blockSize];
        rnd.nextBytes(block);
        Cid first = Cid.of(Multicodec.RAW, block);
        try (CarWriter w = new CarWriter(out, List.of(first))) {
            w.put(first, block);
            for (int i = 1; i < blocks; i++) {
                block = new byte[blockSize];
                rnd.nextBytes(block);
                w.put(Cid.of(Multicodec.RAW, block), block);
            }
        }
        car = out.toByteArray();
        carSize = car.length;
        try {
            file = Files.createTempFile("carscan", ".car");
            Files.write(file, car);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println("CAR size: " + carSize + " bytes");
    }

    @TearDown
    public void tearDown() throws IOException {
        Files.deleteIfExists(file);
    }

    /** The piece-import path: the same scan from a file (page cache) through positional reads. */
    @Benchmark
    public long scanVerifiedFile() {
        try (CarReader r = CarReader.open(file)) {
            return r.skipAll();
        }
    }

    /** Framing, CID parsing and a SHA-256 check of every block. */
    @Benchmark
    public long scanVerified() {
        try (CarReader r = CarReader.open(new ByteArrayInputStream(car))) {
            return r.skipAll();
        }
    }

    /** Framing and CID parsing only. */
    @Benchmark
    public long scanUnverified() {
        try (CarReader r = CarReader.open(new ByteArrayInputStream(car), CarReader.Options.defaults().withVerifyHashes(false))) {
            return r.skipAll();
        }
    }

    /** The JDK's SHA-256 over the whole CAR, in one block-sized update at a time. */
    @Benchmark
    public byte[] sha256Bare() throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (int off = 0; off < car.length; off += blockSize) {
            md.update(car, off, Math.min(blockSize, car.length - off));
        }
        return md.digest();
    }
}
