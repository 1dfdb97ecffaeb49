package venus.retrieval.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.car.CarWriter;
import venus.retrieval.ipld.cbor.DagCbor;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.ipld.testing.Vectors;

class CarCommandTest {
    @TempDir
    Path tmp;

    @Test
    void inspectJsonIsExactlyThePinnedShape() throws Exception {
        Path car = Vectors.file("unixfs/dir-site.car");
        CliRun r = CliRun.of("car", "inspect", car.toString(), "--json");
        assertThat(r.exit()).isZero();
        assertThat(r.err()).isEmpty();
        // dir-site: 4 dag-pb nodes (3 directories, 1 multi-block file) and 5 raw leaves, counted independently
        assertThat(r.out()).isEqualTo("{\"version\":1,\"roots\":[\"bafybeico3ftrhbglzf46qejzpogtcqsscwyrovzb2pis6ehemxsl4fcbou\"],"
                + "\"blocks\":9,\"codecs\":{\"dag-pb\":4,\"raw\":5},\"size\":" + Files.size(car) + "}" + System.lineSeparator());
    }

    @Test
    void inspectEveryVectorMatchesTheManifest() throws Exception {
        for (JsonNode v : Vectors.manifest().get("unixfs")) {
            Path car = Vectors.file(v.get("car").asText());
            CliRun r = CliRun.of("car", "inspect", "--json", car.toString());
            assertThat(r.exit()).as(v.get("name").asText()).isZero();
            JsonNode j = new ObjectMapper().readTree(r.out());
            assertThat(j.get("roots").get(0).asText()).isEqualTo(v.get("root").asText());
            assertThat(j.get("blocks").asInt()).isEqualTo(v.get("blocks").asInt());
            assertThat(j.get("size").asLong()).isEqualTo(Files.size(car));
        }
        JsonNode mixed = Vectors.manifest().get("car").get(0);
        CliRun r = CliRun.of("car", "inspect", "--json", Vectors.file(mixed.get("car").asText()).toString());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("roots")).hasSize(2);
        assertThat(j.get("roots").get(1).asText()).isEqualTo(mixed.get("roots").get(1).asText());
        assertThat(j.get("blocks").asInt()).isEqualTo(5);
        assertThat(j.get("codecs").get("dag-cbor").asInt()).isEqualTo(1);
    }

    @Test
    void inspectHumanOutput() {
        CliRun r = CliRun.of("car", "inspect", Vectors.file("car/mixed-two-roots.car").toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("version: 1", "roots:   bafyreifb2ddwo2qylh7bunghwoq2cbn42eglavadjhgiwi5o2wfvtdp6qa",
                "         bafkreibqdllqd53acoq7dehjzhljkus2zcfplkqj7rcmmat2vrqh6wv3nu", "blocks:  5", "dag-cbor 1", "size:    12536 bytes");
    }

    @Test
    void inspectCarV2ShowsItsDataAndIndex() throws Exception {
        byte[] v1 = Files.readAllBytes(Vectors.file("unixfs/file-1000-unixfs-v1-2025.car"));
        // pragma, then characteristics (16), data offset, data size, index offset (0: none)
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(51 + v1.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bb.put(new byte[] {0x0a, (byte) 0xa1, 0x67, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 0x02});
        bb.putLong(0).putLong(0).putLong(51).putLong(v1.length).putLong(0).put(v1);
        Path v2 = tmp.resolve("v2.car");
        Files.write(v2, bb.array());
        CliRun r = CliRun.of("car", "inspect", "--json", v2.toString());
        assertThat(r.out().strip()).isEqualTo("{\"version\":2,\"roots\":[\"bafkreidxsdm6kwpdjqhwp7tx4lgrutbkikiydu7nbujamtlpgwsgvpjtiu\"],"
                + "\"blocks\":1,\"codecs\":{\"raw\":1},\"size\":" + (51 + v1.length) + "}");
        CliRun human = CliRun.of("car", "inspect", v2.toString());
        assertThat(human.out()).contains("version: 2", "data:    offset 51, " + v1.length + " bytes", "index:   none");
    }

    @Test
    void verifyAcceptsGoodCarsAndNamesTheOffsetOfTheFirstProblem() throws Exception {
        CliRun ok = CliRun.of("car", "verify", Vectors.file("unixfs/dir-hamt-1200.car").toString());
        assertThat(ok.exit()).isZero();
        assertThat(ok.out()).startsWith("ok: 1454 blocks");

        assertThat(CliRun.of("car", "verify", Vectors.file("car/mixed-two-roots.car").toString()).exit()).isZero();

        // a dag-cbor root that links a block the CAR does not hold: still a valid CAR
        Cid absent = Cid.of(Multicodec.RAW, new byte[] {42});
        byte[] rootBlock = DagCbor.encode(Node.mapBuilder().put("next", Node.link(absent)).build());
        Cid root = Cid.of(Multicodec.DAG_CBOR, rootBlock);
        Path partial = tmp.resolve("partial.car");
        try (CarWriter w = new CarWriter(Files.newOutputStream(partial), List.of(root))) {
            w.put(root, rootBlock);
        }
        CliRun p = CliRun.of("car", "verify", partial.toString());
        assertThat(p.exit()).as(p.err()).isZero();
        assertThat(p.out()).startsWith("ok: 1 blocks");

        Path truncated = Vectors.file("car/bad-truncated.car");
        CliRun t = CliRun.of("car", "verify", truncated.toString());
        assertThat(t.exit()).isEqualTo(Vrn.EXIT_FAILURE);
        assertThat(t.err().lines()).hasSize(1);
        assertThat(t.err()).startsWith("vrn: " + truncated + ": CAR ends inside a block section at offset " + Files.size(truncated));

        CliRun h = CliRun.of("car", "verify", Vectors.file("car/bad-hash-mismatch.car").toString());
        assertThat(h.exit()).isEqualTo(Vrn.EXIT_FAILURE);
        assertThat(h.err().lines()).hasSize(1);
        assertThat(h.err()).containsPattern("block at offset \\d+ does not hash to its CID");

        CliRun v = CliRun.of("car", "verify", Vectors.file("car/bad-header-varint.car").toString());
        assertThat(v.exit()).isEqualTo(Vrn.EXIT_FAILURE);
        assertThat(v.err()).contains("header length varint at offset 0");

        // one flipped bit in the last block's data
        byte[] good = Files.readAllBytes(Vectors.file("unixfs/file-262145-unixfs-v1-2025.car"));
        Path flipped = tmp.resolve("flipped.car");
        byte[] bad = Arrays.copyOf(good, good.length);
        bad[bad.length - 1] ^= 0x40;
        Files.write(flipped, bad);
        CliRun f = CliRun.of("car", "verify", flipped.toString());
        assertThat(f.exit()).isEqualTo(Vrn.EXIT_FAILURE);
        assertThat(f.err()).contains("does not hash to its CID");
    }

    @Test
    void missingFileIsOneLine() {
        CliRun r = CliRun.of("car", "inspect", tmp.resolve("nope.car").toString());
        assertThat(r.exit()).isEqualTo(Vrn.EXIT_FAILURE);
        assertThat(r.err().strip()).isEqualTo("vrn: no such file: " + tmp.resolve("nope.car"));
        assertThat(CliRun.of("car", "verify").exit()).isEqualTo(Vrn.EXIT_USAGE);
    }
}
