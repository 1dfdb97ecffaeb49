package venus.retrieval.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.car.CarReader;
import venus.retrieval.ipld.testing.Vectors;

/** {@code vrn car ls|cat|pack} and {@code vrn demo}, in-process. */
class CarUnixFsCommandsTest {
    static final String SITE = "bafybeico3ftrhbglzf46qejzpogtcqsscwyrovzb2pis6ehemxsl4fcbou";

    @TempDir
    Path tmp;

    @Test
    void lsPrintsNameSizeCidPerLine() {
        String car = Vectors.file("unixfs/dir-site.car").toString();
        CliRun r = CliRun.of("car", "ls", car);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(
                "docs\t300182\tbafybeie2caj7rgcufl52xicajghyfecwzfmu5zddgapkv752zrfzawqcdu\n"
                + "index.html\t32\tbafkreihvgcjjmqos4rdqi44kuwa7n5rndctffbkmox53zjt4dwjkt42zo4\n"
                + "media\t126\tbafybeidaiqm426tkb4akqrcq4gjt3yuktsdzmgry3vrfyzw536m7sfz4we\n"
                + "unicode-ä ö.txt\t12\tbafkreihurgc5z6uvv6cqdvqmjpmem2kc7zbg5xvbue57capk6kassr4ite\n");
        CliRun docs = CliRun.of("car", "ls", car, "docs/deep");
        assertThat(docs.out()).isEqualTo("data.bin\t300000\tbafkreichahnyapwtvingeztn4lxbv3nsy4nkddxpvdg2cwdun2socq2rym\n");
        CliRun file = CliRun.of("car", "ls", car, "/docs/readme.txt");
        assertThat(file.out()).isEqualTo("readme.txt\t16\tbafkreifjahtddtgw4xpmozfknogvztdduo7cay66otpn7rnjan3dplouwy\n");
    }

    @Test
    void lsListsAHamtWhole() {
        CliRun r = CliRun.of("car", "ls", Vectors.file("unixfs/dir-hamt-1200.car").toString());
        assertThat(r.exit()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(1200).doesNotHaveDuplicates();
        assertThat(lines).anyMatch(l -> l.startsWith("entry-00000.txt\t24\tbafkrei"));
        assertThat(lines).allMatch(l -> l.matches("entry-\\d{5}\\.txt\\t2[4-7]\\tbafkrei[a-z2-7]+"));
    }

    @Test
    void catWritesRawBytes() throws Exception {
        String site = Vectors.file("unixfs/dir-site.car").toString();
        for (JsonNode f : dir("site").get("files")) {
            byte[] out = catBytes("car", "cat", site, f.get("path").asText());
            assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(out)))
                    .as(f.get("path").asText()).isEqualTo(f.get("sha256").asText());
        }
        // raw root, CIDv0 multi-block root, and --root choosing a block inside the CAR
        for (String name : List.of("file-1000-unixfs-v1-2025", "file-1048577-unixfs-v0-2015", "file-262145-v1-raw-256k-trickle")) {
            JsonNode v = vector(name);
            byte[] out = catBytes("car", "cat", Vectors.file(v.get("car").asText()).toString());
            assertThat(out).isEqualTo(Vectors.xorshift(v.get("seed").asLong(), v.get("size").asInt()));
        }
        JsonNode big = vector("file-3158073-unixfs-v0-2015");
        byte[] all = Vectors.xorshift(big.get("seed").asLong(), big.get("size").asInt());
        String bigCar = Vectors.file(big.get("car").asText()).toString();
        assertThat(catBytes("car", "cat", bigCar, "--offset", "262143", "--length", "3"))
                .isEqualTo(java.util.Arrays.copyOfRange(all, 262143, 262146));
        assertThat(catBytes("car", "cat", bigCar, "--offset", "3158070")).isEqualTo(java.util.Arrays.copyOfRange(all, 3158070, 3158073));
        assertThat(catBytes("car", "cat", bigCar, "--offset", "9999999")).isEmpty();
        assertThat(CliRun.of("car", "cat", bigCar, "--offset", "-1").exit()).isEqualTo(Vrn.EXIT_USAGE);
        byte[] readme = catBytes("car", "cat", site, "--root", "bafybeie2caj7rgcufl52xicajghyfecwzfmu5zddgapkv752zrfzawqcdu", "readme.txt");
        assertThat(readme).hasSize(16);
        Path o = tmp.resolve("out.bin");
        assertThat(CliRun.of("car", "cat", site, "index.html", "-o", o.toString()).exit()).isZero();
        assertThat(Files.size(o)).isEqualTo(32);
    }

    @Test
    void catAndLsFailWithOneLine() {
        String site = Vectors.file("unixfs/dir-site.car").toString();
        CliRun missing = CliRun.of("car", "cat", site, "docs/nope.txt");
        assertThat(missing.exit()).isEqualTo(Vrn.EXIT_FAILURE);
        assertThat(missing.err().lines()).hasSize(1);
        assertThat(missing.err()).contains("no link named \"nope.txt\"");
        CliRun dir = CliRun.of("car", "cat", site, "docs");
        assertThat(dir.exit()).isEqualTo(Vrn.EXIT_FAILURE);
        assertThat(dir.err().lines()).hasSize(1);
        assertThat(dir.err()).contains("not a file");
        CliRun root = CliRun.of("car", "ls", site, "--root", "bafkreidxsdm6kwpdjqhwp7tx4lgrutbkikiydu7nbujamtlpgwsgvpjtiu");
        assertThat(root.exit()).isEqualTo(Vrn.EXIT_FAILURE);
        assertThat(root.err()).contains("is not in the CAR");
        CliRun bad = CliRun.of("car", "ls", Vectors.file("car/bad-truncated.car").toString());
        assertThat(bad.exit()).isEqualTo(Vrn.EXIT_FAILURE);
        assertThat(bad.err().lines()).hasSize(1);
        CliRun nofile = CliRun.of("car", "ls", tmp.resolve("absent.car").toString());
        assertThat(nofile.err().lines()).hasSize(1);
        assertThat(nofile.err()).contains("no such file");
    }

    @Test
    void packReproducesTheManifestRootsForBothProfiles() throws Exception {
        for (String name : List.of("file-0-unixfs-v0-2015", "file-1048577-unixfs-v0-2015", "file-3158073-unixfs-v0-2015",
                "file-1-unixfs-v1-2025", "file-1048577-unixfs-v1-2025", "file-3158073-unixfs-v1-2025")) {
            JsonNode v = vector(name);
            Path in = tmp.resolve(name + ".bin");
            Files.write(in, Vectors.xorshift(v.get("seed").asLong(), v.get("size").asInt()));
            Path car = tmp.resolve(name + ".car");
            CliRun r = CliRun.of("car", "pack", in.toString(), "-o", car.toString(), "--profile", v.get("profile").asText());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out().strip()).isEqualTo(v.get("root").asText());
            try (CarReader cr = CarReader.open(car)) {
                assertThat(cr.header().roots()).containsExactly(Cid.parse(v.get("root").asText()));
                assertThat(cr.skipAll()).isEqualTo(v.get("blocks").asLong());
            }
            // the importer's own CAR has the same bytes when block order agrees: compare via cat instead
            assertThat(catBytes("car", "cat", car.toString())).isEqualTo(Files.readAllBytes(in));
        }
    }

    @Test
    void packADirectoryAndReadItBack() throws Exception {
        Path site = tmp.resolve("site");
        Files.createDirectories(site.resolve("docs"));
        Files.writeString(site.resolve("docs/a.txt"), "alpha\n");
        Files.write(site.resolve("big.bin"), Vectors.xorshift(3, 700_000));
        Files.writeString(site.resolve(".git"), "hidden");
        Path car = tmp.resolve("site.car");
        CliRun r = CliRun.of("car", "pack", site.toString(), "-o", car.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip()).startsWith("bafybei");
        assertThat(CliRun.of("car", "verify", car.toString()).exit()).isZero();
        assertThat(CliRun.of("car", "ls", car.toString()).out().lines().map(l -> l.split("\t")[0]).toList())
                .containsExactly("big.bin", "docs");
        assertThat(catBytes("car", "cat", car.toString(), "big.bin")).isEqualTo(Vectors.xorshift(3, 700_000));
        CliRun v0 = CliRun.of("car", "pack", site.toString(), "-o", car.toString(), "--profile", "unixfs-v0-2015", "--hidden");
        assertThat(v0.out().strip()).startsWith("Qm");
        assertThat(CliRun.of("car", "ls", car.toString()).out()).contains(".git\t6\t");
        // errors: unknown profile (usage), missing input
        CliRun bad = CliRun.of("car", "pack", site.toString(), "-o", car.toString(), "--profile", "unixfs-v9");
        assertThat(bad.exit()).isEqualTo(Vrn.EXIT_USAGE);
        assertThat(bad.err().lines()).hasSize(1);
        CliRun none = CliRun.of("car", "pack", tmp.resolve("nothing").toString(), "-o", car.toString());
        assertThat(none.exit()).isEqualTo(Vrn.EXIT_FAILURE);
        assertThat(none.err()).contains("no such file");
        CliRun dev = CliRun.of("car", "pack", "/dev/null", "-o", car.toString());
        assertThat(dev.exit()).isEqualTo(Vrn.EXIT_FAILURE);
        assertThat(dev.err()).contains("not a regular file or directory");
        // an empty directory packs to the well-known empty UnixFS directory
        Path emptyDir = Files.createDirectories(tmp.resolve("void"));
        assertThat(CliRun.of("car", "pack", emptyDir.toString(), "-o", tmp.resolve("void.car").toString(), "--profile",
                "unixfs-v0-2015").out().strip()).isEqualTo("QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn");
        CliRun inside = CliRun.of("car", "pack", site.toString(), "-o", site.resolve("self.car").toString());
        assertThat(inside.exit()).isEqualTo(Vrn.EXIT_FAILURE);
        assertThat(inside.err()).contains("must not be inside");
        // no temp files left beside the output
        try (var s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void demoRunsEveryStep() {
        CliRun r = CliRun.of("demo", "--offline", "--dir", tmp.resolve("demo").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("$ vrn car pack", "$ vrn car inspect", "$ vrn car verify", "$ vrn car ls",
                "$ vrn car cat", "bytes identical", "every step passed");
    }

    /** Runs the CLI and returns stdout's raw bytes. */
    static byte[] catBytes(String... args) {
        synchronized (CliRun.class) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Vrn.redirect(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            try {
                int code = Vrn.commandLine().execute(args);
                assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
                return out.toByteArray();
            } finally {
                Vrn.redirect(null, null);
            }
        }
    }

    static JsonNode vector(String name) {
        for (JsonNode v : Vectors.manifest().get("unixfs")) {
            if (v.get("name").asText().equals(name)) {
                return v;
            }
        }
        throw new IllegalArgumentException(name);
    }

    static JsonNode dir(String name) {
        for (JsonNode v : Vectors.manifest().get("directories")) {
            if (v.get("name").asText().equals(name)) {
                return v;
            }
        }
        throw new IllegalArgumentException(name);
    }
}
