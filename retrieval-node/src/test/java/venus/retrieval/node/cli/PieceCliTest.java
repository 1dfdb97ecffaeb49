package venus.retrieval.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.ipld.car.CarBlock;
import venus.retrieval.ipld.car.CarReader;
import venus.retrieval.ipld.testing.Vectors;
import venus.retrieval.node.repo.Repo;

/** {@code vrn piece} and {@code vrn block} in-process. */
class PieceCliTest {
    @TempDir
    Path tmp;
    String repo;

    @BeforeEach
    void init() {
        repo = tmp.resolve("repo").toString();
        assertThat(CliRun.of("init", "--repo", repo).exit()).isZero();
    }

    static byte[] blockBytes(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        synchronized (CliRun.class) {
            Vrn.redirect(new PrintStream(out, true), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            try {
                assertThat(Vrn.commandLine().execute(args)).isZero();
            } finally {
                Vrn.redirect(null, null);
            }
        }
        return out.toByteArray();
    }

    JsonNode piecesVector(String source) {
        for (JsonNode p : Vectors.manifest().get("pieces")) {
            if (source.equals(p.path("source").asText())) {
                return p;
            }
        }
        throw new AssertionError(source);
    }

    @Test
    void addListInfoGetStatHasRemove() throws Exception {
        Path car = Vectors.file("unixfs/file-1048577-unixfs-v1-2025.car");
        JsonNode expected = piecesVector("file-1048577-unixfs-v1-2025");
        CliRun add = CliRun.of("piece", "add", car.toString(), "--repo", repo, "--piece-cid", expected.get("pieceCidV2").asText(),
                "--deal", "42", "--miner", "f01000", "--public");
        assertThat(add.exit()).as(add.err()).isZero();
        assertThat(add.out()).startsWith("added piece " + expected.get("pieceCidV1").asText());
        CliRun again = CliRun.of("piece", "add", car.toString(), "--repo", repo);
        assertThat(again.exit()).isZero();
        assertThat(again.out()).contains("already present");

        CliRun ls = CliRun.of("piece", "ls", "--repo", repo);
        assertThat(ls.out().lines()).singleElement().asString().startsWith(expected.get("pieceCidV1").asText() + "\tready\t2097152");
        JsonNode info = Json.MAPPER.readTree(CliRun.of("piece", "info", expected.get("pieceCidV2").asText(), "--repo", repo, "--json").out());
        assertThat(info.get("pieceCidV2").asText()).isEqualTo(expected.get("pieceCidV2").asText());
        assertThat(info.get("dealIds").get(0).asLong()).isEqualTo(42);
        assertThat(info.get("minerIds").get(0).asText()).isEqualTo("f01000");
        assertThat(info.get("public").asBoolean()).isTrue();
        assertThat(CliRun.of("piece", "verify", expected.get("pieceCidV1").asText(), "--repo", repo).out()).startsWith("ok: ");

        try (CarReader r = CarReader.open(car)) {
            for (CarBlock b : r) {
                assertThat(blockBytes("block", "get", b.cid().toString(), "--repo", repo)).isEqualTo(b.data());
                JsonNode stat = Json.MAPPER.readTree(CliRun.of("block", "stat", b.cid().toString(), "--repo", repo, "--json").out());
                assertThat(stat.get("size").asInt()).isEqualTo(b.dataLength());
                assertThat(stat.get("pieces").get(0).get("offset").asLong()).isEqualTo(b.dataOffset());
                CliRun has = CliRun.of("block", "has", b.cid().toString(), "--repo", repo);
                assertThat(has.exit()).isZero();
                assertThat(has.out().trim()).isEqualTo("true");
            }
        }
        CliRun rm = CliRun.of("piece", "rm", expected.get("pieceCidV1").asText(), "--repo", repo);
        assertThat(rm.exit()).as(rm.err()).isZero();
        assertThat(CliRun.of("piece", "ls", "--repo", repo).out()).isEmpty();
        String root = expected.has("root") ? expected.get("root").asText() : "bafybeiacftqp4vjhb5aelbt76t7vpx64flvtz7ikieeezyckdlss4gpwma";
        CliRun missing = CliRun.of("block", "get", root, "--repo", repo);
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err().lines()).singleElement().asString().contains("not found");
        CliRun hasNot = CliRun.of("block", "has", root, "--repo", repo);
        assertThat(hasNot.exit()).isEqualTo(1);
        assertThat(hasNot.out().trim()).isEqualTo("false");
    }

    /** `vrn block get` follows blockstore.verify_reads from the repository's config; `vrn piece verify` always checks. */
    @Test
    void blockGetFollowsVerifyReadsAndPieceVerifyFindsAChangedFile() throws Exception {
        Path car = Files.copy(Vectors.file("unixfs/file-1048577-unixfs-v1-2025.car"), tmp.resolve("in-place.car"));
        String pieceCid = piecesVector("file-1048577-unixfs-v1-2025").get("pieceCidV1").asText();
        assertThat(CliRun.of("piece", "add", car.toString(), "--repo", repo).exit()).isZero();
        CarBlock victim;
        try (CarReader r = CarReader.open(car)) {
            r.next();
            victim = r.next();
        }
        byte[] bytes = Files.readAllBytes(car);
        bytes[(int) victim.dataOffset()] ^= 1;
        Files.write(car, bytes);

        CliRun verify = CliRun.of("piece", "verify", pieceCid, "--repo", repo);
        assertThat(verify.exit()).isEqualTo(1);
        assertThat(verify.err().lines()).singleElement().asString().contains("piece " + pieceCid + " failed verification");
        // Off (the default): the file's bytes, unchecked.
        byte[] unchecked = blockBytes("block", "get", victim.cid().toString(), "--repo", repo);
        assertThat(unchecked).hasSameSizeAs(victim.data()).isNotEqualTo(victim.data());
        // On: refused, naming the block.
        Path config = Repo.open(Path.of(repo)).configFile();
        String toml = Files.readString(config);
        assertThat(toml).contains("verify_reads = false");
        Files.writeString(config, toml.replace("verify_reads = false", "verify_reads = true"));
        CliRun refused = CliRun.of("block", "get", victim.cid().toString(), "--repo", repo);
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.out()).isEmpty();
        assertThat(refused.err()).contains("block " + victim.cid() + " not served: its piece file changed");
        // Blocks the change did not touch are still served, verified.
        CarBlock first;
        try (CarReader r = CarReader.open(car)) {
            first = r.next();
        }
        assertThat(blockBytes("block", "get", first.cid().toString(), "--repo", repo)).isEqualTo(first.data());
    }

    @Test
    void commpNeedsNoRepoAndMatchesTheVectors() throws Exception {
        JsonNode expected = piecesVector("file-1048577-unixfs-v1-2025");
        Path car = Vectors.file("unixfs/file-1048577-unixfs-v1-2025.car");
        CliRun text = CliRun.of("piece", "commp", car.toString());
        assertThat(text.exit()).isZero();
        assertThat(text.out().lines()).containsExactly(expected.get("pieceCidV1").asText(), expected.get("pieceCidV2").asText(),
                expected.get("paddedPieceSize").asText());
        JsonNode json = Json.MAPPER.readTree(CliRun.of("piece", "commp", car.toString(), "--json").out());
        assertThat(json.get("pieceCidV1").asText()).isEqualTo(expected.get("pieceCidV1").asText());
        assertThat(json.get("pieceCidV2").asText()).isEqualTo(expected.get("pieceCidV2").asText());
        assertThat(json.get("commP").asText()).isEqualTo(expected.get("commP").asText());
        assertThat(json.get("paddedSize").asLong()).isEqualTo(expected.get("paddedPieceSize").asLong());
        assertThat(json.get("payloadSize").asLong()).isEqualTo(expected.get("payloadSize").asLong());
        // Any bytes: a raw vector.
        JsonNode raw = Vectors.manifest().get("pieces").get(3);
        Path f = tmp.resolve("raw.bin");
        Files.write(f, Vectors.xorshift(raw.get("seed").asLong(), raw.get("payloadSize").asInt()));
        assertThat(CliRun.of("piece", "commp", f.toString()).out().lines().findFirst()).contains(raw.get("pieceCidV1").asText());
        CliRun none = CliRun.of("piece", "commp", tmp.resolve("nope").toString());
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err().lines()).singleElement().asString().contains("no such file");
    }

    @Test
    void errorsAreOneLine() throws Exception {
        String missingRepo = tmp.resolve("nothing").toString();
        for (String[] args : new String[][] {
            {"piece", "ls", "--repo", missingRepo},
            {"piece", "add", Vectors.file("car/mixed-two-roots.car").toString(), "--repo", missingRepo},
            {"block", "get", "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", "--repo", missingRepo},
        }) {
            CliRun r = CliRun.of(args);
            assertThat(r.exit()).isNotZero();
            assertThat(r.err().lines()).singleElement().asString().contains("no vrn repository");
        }
        CliRun bad = CliRun.of("piece", "add", Vectors.file("car/bad-hash-mismatch.car").toString(), "--repo", repo);
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err().lines()).singleElement().asString().contains("does not hash");
        CliRun mismatch = CliRun.of("piece", "add", Vectors.file("car/mixed-two-roots.car").toString(), "--repo", repo,
                "--piece-cid", piecesVector("file-1048577-unixfs-v1-2025").get("pieceCidV1").asText());
        assertThat(mismatch.exit()).isEqualTo(1);
        assertThat(mismatch.err()).contains("mismatch");
        assertThat(CliRun.of("piece", "ls", "--repo", repo).out()).isEmpty();
        // Empty repo: reads work and find nothing.
        assertThat(CliRun.of("block", "has", "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", "--repo", repo).exit()).isEqualTo(1);
    }

    @Test
    void aSecondWriterIsRefusedWhileReadersWork() throws Exception {
        Path car = Vectors.file("car/mixed-two-roots.car");
        assertThat(CliRun.of("piece", "add", car.toString(), "--repo", repo).exit()).isZero();
        try (Repo.WriteLock lock = Repo.open(Path.of(repo)).lockForWrite()) {
            CliRun second = CliRun.of("piece", "add", Vectors.file("unixfs/dir-site.car").toString(), "--repo", repo);
            assertThat(second.exit()).isEqualTo(1);
            assertThat(second.err().lines()).singleElement().asString().contains("in use");
            CliRun ls = CliRun.of("piece", "ls", "--repo", repo);
            assertThat(ls.exit()).isZero();
            assertThat(ls.out().lines()).hasSize(1);
            assertThat(CliRun.of("block", "has", "bafkreibqdllqd53acoq7dehjzhljkus2zcfplkqj7rcmmat2vrqh6wv3nu", "--repo", repo).exit()).isZero();
        }
    }
}
