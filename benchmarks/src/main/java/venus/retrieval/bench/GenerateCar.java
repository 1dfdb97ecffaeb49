package venus.retrieval.bench;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.car.CarWriter;

/**
 * Writes a CARv1 of {@code count} distinct random raw blocks of {@code size} bytes, for the
 * import benchmarks: {@code java -cp benchmarks/target/benchmarks.jar venus.retrieval.bench.GenerateCar OUT COUNT SIZE}.
 */
public final class GenerateCar {
    private GenerateCar() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        long count = Long.parseLong(args[1]);
        int size = Integer.parseInt(args[2]);
        SplittableRandom rnd = new SplittableRandom(count * 31 + size);
        byte[] data = new byte[size];
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out), 1 << 20)) {
            CarWriter w = null;
            for (long i = 0; i < count; i++) {
                rnd.nextBytes(data);
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
