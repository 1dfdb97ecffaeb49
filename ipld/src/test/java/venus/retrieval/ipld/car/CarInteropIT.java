package venus.retrieval.ipld.car;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multibase;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.Multihash;
import venus.retrieval.ipld.cbor.DagCbor;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.ipld.testing.Interop;
import venus.retrieval.ipld.testing.Vectors;

/** @ipld/car (JavaScript) reads the CARs our writer produces: same version, roots, CIDs and bytes. */
class CarInteropIT {
    @TempDir
    Path tmp;

    @Test
    void javascriptReadsOurCar() throws Exception {
        List<Cid> cids = new ArrayList<>();
        List<byte[]> datas = new ArrayList<>();
        byte[] big = Vectors.xorshift(99, 300_000);
        byte[] small = Vectors.xorshift(98, 17);
        add(cids, datas, Cid.of(Multicodec.RAW, big), big);
        add(cids, datas, Cid.v1(Multicodec.RAW, Multihash.compute(Multicodec.SHA2_512, small)), small);
        add(cids, datas, Cid.v1(Multicodec.RAW, Multihash.compute(Multicodec.BLAKE2B_256, small)), small);
        add(cids, datas, Cid.v1(Multicodec.RAW, Multihash.of(Multicodec.IDENTITY, small)), small);
        byte[] cbor = DagCbor.encode(Node.mapBuilder().put("big", Node.link(cids.get(0))).put("n", 7).build());
        add(cids, datas, Cid.of(Multicodec.DAG_CBOR, cbor), cbor);
        byte[] pb = Files.readAllBytes(Vectors.file("unixfs/file-1000-unixfs-v0-2015.car"));
        try (CarReader r = CarReader.open(new java.io.ByteArrayInputStream(pb))) {
            CarBlock b = r.next();
            add(cids, datas, b.cid(), b.data());   // a CIDv0 dag-pb block
        }
        Path file = tmp.resolve("ours.car");
        List<Cid> roots = List.of(cids.get(4), cids.get(5));
        try (OutputStream os = Files.newOutputStream(file); CarWriter w = new CarWriter(os, roots)) {
            for (int i = 0; i < cids.size(); i++) {
                w.put(cids.get(i), datas.get(i));
            }
        }
        Interop.Result res = Interop.run(Duration.ofSeconds(60), "car-check.mjs", file.toString()).assertOk();
        List<String> expected = new ArrayList<>();
        expected.add("version 1");
        roots.forEach(r -> expected.add("root " + r));
        for (int i = 0; i < cids.size(); i++) {
            Cid c = cids.get(i);
            String check = c.multihash().code() == Multicodec.SHA2_256 ? "ok" : "unchecked";
            expected.add("block " + c.toString() + " " + datas.get(i).length + " "
                    + Multibase.hex(MessageDigest.getInstance("SHA-256").digest(datas.get(i))) + " " + check);
        }
        expected.add("end");
        assertThat(res.stdout().lines().toList()).isEqualTo(expected);
    }

    private static void add(List<Cid> cids, List<byte[]> datas, Cid c, byte[] d) {
        cids.add(c);
        datas.add(d);
    }
}
