package venus.retrieval.gateway;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.car.CarBlock;
import venus.retrieval.ipld.car.CarReader;
import venus.retrieval.ipld.testing.Vectors;

/** The shared vectors' blocks in memory (the test stand-in for the node's block source). */
final class VectorStore {
    final Map<Cid, byte[]> blocks = new HashMap<>();

    /** Loads the named CARs (relative to the vectors directory). */
    static VectorStore of(String... cars) {
        VectorStore s = new VectorStore();
        for (String c : cars) {
            s.blocks.putAll(read(Vectors.file(c)));
        }
        return s;
    }

    /** Every block of a CAR file, in file order. */
    static Map<Cid, byte[]> read(Path car) {
        Map<Cid, byte[]> out = new LinkedHashMap<>();
        try (CarReader r = CarReader.open(car)) {
            for (CarBlock b : r) {
                out.put(b.cid(), b.data());
            }
        }
        return out;
    }

    /** A parsed CAR response: roots and blocks in order (hashes verified by the reader). */
    record Car(List<Cid> roots, List<Cid> order, Map<Cid, byte[]> data) {}

    static Car parse(byte[] car) {
        List<Cid> order = new ArrayList<>();
        Map<Cid, byte[]> data = new HashMap<>();
        try (CarReader r = CarReader.open(new ByteArrayInputStream(car))) {
            List<Cid> roots = r.header().roots();
            for (CarBlock b : r) {
                order.add(b.cid());
                data.put(b.cid(), b.data());
            }
            return new Car(roots, order, data);
        }
    }

    byte[] get(Cid cid) {
        return blocks.get(cid);
    }
}
