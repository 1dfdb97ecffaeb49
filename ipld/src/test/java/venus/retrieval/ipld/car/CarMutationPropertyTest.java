package venus.retrieval.ipld.car;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.testing.Vectors;

/**
 * Mutated CARs (bit flips, truncations, inserted bytes) may fail, but only with IpldException,
 * always terminate, and never allocate more than the configured limits allow.
 */
class CarMutationPropertyTest {
    private static final int MAX_BLOCK = 64 * 1024;
    private static final int MAX_HEADER = 4096;
    private static final byte[][] SOURCES = {
        read("car/mixed-two-roots.car"), read("unixfs/dir-site.car"), read("unixfs/file-1000-unixfs-v0-2015.car"),
        CarReaderTest.wrapV2(read("car/mixed-two-roots.car"), 5, new byte[64])};
    // what a legitimate read may allocate: the reader's buffer, one block at a time, plus per-block
    // CID/list overhead; a reader that trusted a length from the input would blow far past this
    private static final long ALLOCATION_BUDGET = 8L * (MAX_BLOCK + 64 * 1024) + 2L * 1024 * 1024;

    static {
        // warm up once so class loading and first-call caches do not count against the budget
        for (byte[] src : SOURCES) {
            for (long seed = 0; seed < 50; seed++) {
                readMutated(mutate(src, seed));
            }
        }
    }

    private static byte[] read(String name) {
        try {
            return Files.readAllBytes(Vectors.file(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads everything it can; returns {largest block, block count}; anything but IpldException propagates. */
    private static long[] readMutated(byte[] car) {
        CarReader.Options opts = CarReader.Options.defaults().withMaxBlockSize(MAX_BLOCK).withMaxHeaderSize(MAX_HEADER);
        long largest = 0;
        long blocks = 0;
        try (CarReader r = CarReader.open(new ByteArrayInputStream(car), opts)) {
            CarBlock b;
            // every next() consumes input, so this ends; the count bound makes that explicit
            while ((b = r.next()) != null && blocks <= car.length) {
                largest = Math.max(largest, b.dataLength());
                blocks++;
            }
        } catch (IpldException expected) {
            if (expected.getMessage() == null || expected.getMessage().isBlank()) {
                throw new AssertionError("IpldException without a message", expected);
            }
        }
        return new long[] {largest, blocks};
    }

    static byte[] mutate(byte[] src, long seed) {
        Random rnd = new Random(seed);
        byte[] b = src.clone();
        int ops = 1 + rnd.nextInt(4);
        for (int i = 0; i < ops && b.length > 0; i++) {
            int at = rnd.nextInt(b.length);
            switch (rnd.nextInt(4)) {
                case 0 -> b[at] ^= (byte) (1 << rnd.nextInt(8));
                case 1 -> b = Arrays.copyOf(b, at);
                case 2 -> {
                    // insert a few bytes, often a big varint so lengths go wild
                    byte[] ins = rnd.nextBoolean()
                            ? new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}
                            : new byte[] {(byte) rnd.nextInt(256), (byte) rnd.nextInt(256)};
                    byte[] nb = new byte[b.length + ins.length];
                    System.arraycopy(b, 0, nb, 0, at);
                    System.arraycopy(ins, 0, nb, at, ins.length);
                    System.arraycopy(b, at, nb, at + ins.length, b.length - at);
                    b = nb;
                }
                default -> b[at] = (byte) rnd.nextInt(256);
            }
        }
        return b;
    }

    @Property(tries = 600, seed = "20261127")
    void mutatedCarsOnlyRaiseIpldException(@ForAll @IntRange(min = 0, max = 3) int source, @ForAll long seed) {
        byte[] car = mutate(SOURCES[source], seed);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(tid);
        long[] result = readMutated(car);
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        assertThat(result[0]).as("largest block").isLessThanOrEqualTo(MAX_BLOCK);
        assertThat(result[1]).as("blocks").isLessThanOrEqualTo(car.length);
        assertThat(allocated).as("bytes allocated reading a %d-byte CAR", car.length)
                .isLessThan(ALLOCATION_BUDGET + 4L * car.length);
    }
}
