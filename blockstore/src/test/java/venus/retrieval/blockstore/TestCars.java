package venus.retrieval.blockstore;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.car.CarWriter;
import venus.retrieval.ipld.testing.Vectors;

/** Builds CAR files of raw blocks for tests. */
final class TestCars {
    private TestCars() {}

    /** A raw block made of xorshift bytes. */
    record Block(Cid cid, byte[] data) {
        static Block of(long seed, int size) {
            byte[] d = Vectors.xorshift(seed, size);
            return new Block(Cid.of(Multicodec.RAW, d), d);
        }
    }

    static byte[] car(List<Block> blocks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CarWriter w = new CarWriter(out, List.of(blocks.get(0).cid()))) {
            for (Block b : blocks) {
                w.put(b.cid(), b.data());
            }
        }
        return out.toByteArray();
    }

    static Path write(Path dir, String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    static List<Block> blocks(long firstSeed, int count, int size) {
        List<Block> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(Block.of(firstSeed + i, size));
        }
        return out;
    }

    /** Streams a CAR of {@code count} distinct raw blocks of {@code size} bytes to {@code file}. */
    static void writeLarge(Path file, long seed, long count, int size) throws IOException {
        try (OutputStream os = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            byte[] data = new byte[size];
            int x = (int) seed;
            CarWriter w = null;
            for (long i = 0; i < count; i++) {
                for (int j = 0; j < size; j += 4) {
                    x ^= x << 13;
                    x ^= x >>> 17;
                    x ^= x << 5;
                    data[j] = (byte) x;
                    data[j + 1] = (byte) (x >>> 8);
                    data[j + 2] = (byte) (x >>> 16);
                    data[j + 3] = (byte) (x >>> 24);
                }
                Cid cid = Cid.of(Multicodec.RAW, data);
                if (w == null) {
                    w = new CarWriter(os, List.of(cid));
                }
                w.put(cid, data);
            }
            if (w != null) {
                w.flush();
            }
        }
    }
}
