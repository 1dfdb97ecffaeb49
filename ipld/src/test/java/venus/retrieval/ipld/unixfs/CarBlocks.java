package venus.retrieval.ipld.unixfs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import venus.retrieval.ipld.BlockGetter;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.car.CarBlock;
import venus.retrieval.ipld.car.CarReader;
import venus.retrieval.ipld.testing.Vectors;

/** The blocks of a vector CAR in memory, with a fetch counter (tests only). */
final class CarBlocks implements BlockGetter {
    final Map<Cid, byte[]> blocks = new HashMap<>();
    final List<Cid> roots = new ArrayList<>();
    final AtomicInteger gets = new AtomicInteger();

    static CarBlocks vector(String relative) {
        try {
            return of(Files.readAllBytes(Vectors.file(relative)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static CarBlocks file(Path car) throws IOException {
        return of(Files.readAllBytes(car));
    }

    /** Reads every block with the ipld CAR reader (hashes verified). */
    static CarBlocks of(byte[] car) {
        CarBlocks c = new CarBlocks();
        try (CarReader r = CarReader.open(new java.io.ByteArrayInputStream(car))) {
            c.roots.addAll(r.header().roots());
            for (CarBlock b : r) {
                c.blocks.put(b.cid(), b.data());
            }
        }
        return c;
    }

    @Override
    public byte[] get(Cid cid) {
        gets.incrementAndGet();
        return blocks.get(cid);
    }
}
