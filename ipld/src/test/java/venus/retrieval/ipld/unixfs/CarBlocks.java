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
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.pb.ProtoReader;
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

    /** Splits CARv1 sections; the single root is read from the header's tail (a 1-root header). */
    static CarBlocks of(byte[] car) {
        CarBlocks c = new CarBlocks();
        ProtoReader r = new ProtoReader(car, 0, car.length, IpldException.Reason.BAD_CAR, "car");
        int hs = r.lengthDelimited();
        int he = r.position();
        // dag-cbor header {roots: [tag42(bytes 0x00 ++ cid)], version: 1}: find each tag-42 byte string
        for (int i = hs; i + 3 < he; i++) {
            if ((car[i] & 0xFF) == 0xD8 && car[i + 1] == 0x2A) {
                int len;
                int start;
                if ((car[i + 2] & 0xFF) == 0x58) {
                    len = car[i + 3] & 0xFF;
                    start = i + 4;
                } else {
                    len = (car[i + 2] & 0xFF) - 0x40;
                    start = i + 3;
                }
                c.roots.add(Cid.decode(java.util.Arrays.copyOfRange(car, start + 1, start + len)));
            }
        }
        while (r.hasMore()) {
            int start = r.lengthDelimited();
            int end = r.position();
            Cid cid = Cid.decode(car, start, end);
            c.blocks.put(cid, java.util.Arrays.copyOfRange(car, start + cid.byteLength(), end));
        }
        return c;
    }

    @Override
    public byte[] get(Cid cid) {
        gets.incrementAndGet();
        return blocks.get(cid);
    }
}
