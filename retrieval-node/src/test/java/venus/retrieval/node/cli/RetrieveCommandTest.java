package venus.retrieval.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.blockstore.ImportOptions;
import venus.retrieval.blockstore.ImportProgress;
import venus.retrieval.ipld.car.CarBlock;
import venus.retrieval.ipld.car.CarReader;
import venus.retrieval.ipld.testing.Vectors;
import venus.retrieval.node.config.NodeConfig;
import venus.retrieval.node.daemon.Daemon;
import venus.retrieval.node.repo.Repo;
import venus.retrieval.node.repo.RepoInit;

/** vrn retrieve against a running daemon (in-process), over loopback libp2p. */
class RetrieveCommandTest {
    static final String ROOT = "bafybeiacftqp4vjhb5aelbt76t7vpx64flvtz7ikieeezyckdlss4gpwma";
    @TempDir Path tmp;
    Daemon daemon;

    String start(String... extra) throws Exception {
        Repo repo = RepoInit.init(tmp.resolve("repo")).repo();
        List<String> sets = new java.util.ArrayList<>(List.of("api.listen=127.0.0.1:0", "gateway.listen=127.0.0.1:0",
                "libp2p.listen=/ip4/127.0.0.1/tcp/0", "daemon.shutdown_grace=1s"));
        sets.addAll(List.of(extra));
        daemon = Daemon.start(repo, NodeConfig.load(repo.configFile(), Map.of(), sets));
        daemon.context().store().importPiece(Vectors.file("unixfs/file-1048577-unixfs-v1-2025.car"), ImportOptions.defaults(), ImportProgress.NONE);
        return new ObjectMapper().readTree(tmp.resolve("repo/daemon.json").toFile()).get("libp2p").get(0).asText();
    }

    @AfterEach
    void stop() {
        if (daemon != null) daemon.stop();
    }

    @Test
    void writesTheFileOrTheCar() throws Exception {
        String p = start();
        Path out = tmp.resolve("file.bin");
        CliRun r = CliRun.of("retrieve", ROOT, "--provider", p, "-o", out.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Files.readAllBytes(out)).isEqualTo(Vectors.xorshift(1006, 1048577));
        assertThat(new ObjectMapper().readTree(r.out()).get("paidAttoFil").asText()).isEqualTo("0");
        assertThat(new ObjectMapper().readTree(r.out()).get("restarts").asInt()).isZero(); // nothing dropped
        CliRun bad = CliRun.of("retrieve", ROOT, "--provider", p, "-o", out.toString(), "--max-restarts", "-1");
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.err().strip()).contains("--max-restarts").doesNotContain("\n");
        Path car = tmp.resolve("out.car");
        assertThat(CliRun.of("retrieve", ROOT, "--provider", p, "--car", car.toString()).exit()).isZero();
        List<String> got = new java.util.ArrayList<>();
        try (var in = Files.newInputStream(car); CarReader cr = CarReader.open(in)) {
            for (CarBlock b : cr) {
                got.add(b.cid().toString());
            }
        }
        List<String> want = new java.util.ArrayList<>();
        try (var in = Files.newInputStream(Vectors.file("unixfs/file-1048577-unixfs-v1-2025.car")); CarReader cr = CarReader.open(in)) {
            for (CarBlock b : cr) {
                want.add(b.cid().toString());
            }
        }
        assertThat(got).isEqualTo(want);
    }

    @Test
    void refusesAPaidProviderWithoutPaymentOptionsInOneLine() throws Exception {
        String p = start("network=devnet", "retrieval.price_per_byte=1", "retrieval.payment_interval=100000");
        CliRun r = CliRun.of("retrieve", ROOT, "--provider", p, "-o", tmp.resolve("x").toString());
        assertThat(r.exit()).isNotZero();
        assertThat(r.err().strip()).contains("--max-price or --paych").doesNotContain("\n").doesNotContain("Exception");
        assertThat(tmp.resolve("x")).doesNotExist();
        CliRun bad = CliRun.of("retrieve", ROOT, "--provider", "/ip4/127.0.0.1/tcp/1", "-o", tmp.resolve("y").toString());
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.err()).contains("/p2p/");
    }

    @Test
    void pathAndScopeAsLassieAsks() throws Exception {
        String p = start();
        daemon.context().store().importPiece(Vectors.file("unixfs/dir-site.car"), ImportOptions.defaults(), ImportProgress.NONE);
        String site = Vectors.manifest().get("directories").get(0).get("root").asText();
        // -o with a path: the file's bytes (entity: the directories on the way and the file's blocks)
        Path out = tmp.resolve("data.bin");
        CliRun r = CliRun.of("retrieve", site, "--provider", p, "--path", "docs/deep/data.bin", "--scope", "entity", "-o", out.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(out))))
                .isEqualTo("4701db803ed3aa1a62666de2ee1aedb2c71aa18eefa8cda158746ea4e14351c3");
        assertThat(new ObjectMapper().readTree(r.out()).get("blocks").asInt()).isEqualTo(4);
        assertThat(new ObjectMapper().readTree(r.out()).get("path").asText()).isEqualTo("docs/deep/data.bin");
        // --car of a directory's entity: its block only; of the path with scope block: the blocks on the way
        Path car = tmp.resolve("docs.car");
        assertThat(CliRun.of("retrieve", site, "--provider", p, "--path", "docs", "--scope", "entity", "--car", car.toString()).exit()).isZero();
        List<String> got = new java.util.ArrayList<>();
        try (var in = Files.newInputStream(car); CarReader cr = CarReader.open(in)) {
            for (CarBlock b : cr) {
                got.add(b.cid().toString());
            }
        }
        assertThat(got).hasSize(2).first().isEqualTo(site);
        CliRun bad = CliRun.of("retrieve", site, "--provider", p, "--scope", "everything", "-o", tmp.resolve("z").toString());
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.err().strip()).contains("--scope").doesNotContain("\n");
    }
}
