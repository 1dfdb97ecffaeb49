package venus.retrieval.node.retrieval;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import venus.retrieval.blockstore.ImportOptions;
import venus.retrieval.blockstore.ImportProgress;
import venus.retrieval.blockstore.PieceInfo;
import venus.retrieval.blockstore.PieceStore;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.car.CarBlock;
import venus.retrieval.ipld.car.CarReader;
import venus.retrieval.ipld.car.CarWriter;
import venus.retrieval.ipld.testing.Vectors;

/** Test helpers: a piece store in a temp dir, imports of vector CARs with miner ids and flags. */
public final class Fixture {
    private Fixture() {}

    public static PieceStore store(Path dir) {
        return PieceStore.open(dir.resolve("lmdb"), dir.resolve("pieces"), PieceStore.Options.defaults().withCacheBytes(0));
    }

    /** Imports a vector CAR (in place) for {@code miners}; {@code fast} = the piece is held unsealed. */
    public static PieceInfo importVector(PieceStore store, String vector, List<String> miners, boolean fast) {
        return importFile(store, Vectors.file(vector), miners, fast);
    }

    public static PieceInfo importFile(PieceStore store, Path file, List<String> miners, boolean fast) {
        ImportOptions o = new ImportOptions(null, false, false, false, List.of(), miners, fast, -1, -1, false);
        return store.importPiece(file, o, ImportProgress.NONE).piece();
    }

    /** The blocks of a CAR in file order (the vectors are written in DFS order). */
    public static List<CarBlock> blocks(Path car) throws IOException {
        List<CarBlock> out = new ArrayList<>();
        try (InputStream in = Files.newInputStream(car); CarReader r = CarReader.open(in)) {
            for (CarBlock b : r) {
                out.add(b);
            }
        }
        return out;
    }

    /** The root of a vector CAR. */
    public static Cid root(Path car) throws IOException {
        try (InputStream in = Files.newInputStream(car); CarReader r = CarReader.open(in)) {
            return r.header().roots().get(0);
        }
    }

    /** The same blocks under another header (root listed twice): a different piece holding the same payload. */
    public static Path sameBlocksOtherPiece(Path car, Path out) throws IOException {
        Cid root = root(car);
        try (OutputStream os = Files.newOutputStream(out); CarWriter w = new CarWriter(os, List.of(root, root))) {
            for (CarBlock b : blocks(car)) {
                w.put(b.cid(), b.data());
            }
        }
        return out;
    }
}
