package venus.retrieval.node.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import venus.retrieval.node.api.ApiClient;
import venus.retrieval.node.api.ApiTokens;
import venus.retrieval.node.api.Permission;
import venus.retrieval.node.api.PieceApi;
import venus.retrieval.node.config.ConfigKeys;
import venus.retrieval.node.config.NodeConfig;
import venus.retrieval.node.daemon.Daemon;
import venus.retrieval.node.repo.Repo;
import venus.retrieval.node.repo.RepoInit;

/**
 * {@code vrn demo}: the node's main job on embedded defaults, in a throwaway repository
 * ({@code DIR/repo}, default {@code ./.vrn-demo}): generate a small site, pack it into a CAR,
 * {@code init} if needed, start the daemon, import the CAR through the admin API and print the
 * gateway URL of the demo file; then serve until Ctrl-C ({@code --check}: fetch it once over HTTP,
 * compare the bytes and stop). {@code --offline} runs the CAR-only walkthrough (pack, inspect,
 * verify, list, extract) without a daemon.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the node on a demo site: build a CAR, init a throwaway repo (DIR/repo), start the daemon, "
                + "import the CAR through the API, print the gateway URL; serve until Ctrl-C.",
            "--offline: pack, inspect, verify, list and extract the CAR without a daemon."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--dir", paramLabel = "DIR", defaultValue = ".vrn-demo", description = "Working directory for the demo's files.")
    Path dir;

    @Option(names = "--profile", paramLabel = "PROFILE", defaultValue = "unixfs-v1-2025",
            description = "UnixFS profile for the pack step: unixfs-v1-2025 or unixfs-v0-2015.")
    String profile;

    @Option(names = "--offline", description = "Only the CAR walkthrough (pack, inspect, verify, ls, cat); no daemon.")
    boolean offline;

    @Option(names = "--gateway-listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:0",
            description = "Gateway address (default: any free port on loopback).")
    String gatewayListen;

    @Option(names = "--check", description = "Fetch the demo file once over HTTP, compare its bytes, stop the daemon and exit.")
    boolean check;

    @Override
    public Integer call() throws Exception {
        return offline ? offlineWalkthrough() : daemonDemo();
    }

    private Integer daemonDemo() throws Exception {
        PrintStream out = Vrn.out();
        Path site = dir.resolve("site");
        Path car = dir.resolve("demo.car");
        deleteTree(site);
        Files.deleteIfExists(car);
        out.println("# 1. generate a small site and pack it into " + car);
        byte[] big = generate(site);
        step("car", "pack", site.toString(), "-o", car.toString(), "--profile", profile);
        Path repoDir = dir.resolve("repo").toAbsolutePath();
        RepoInit.Result init = RepoInit.init(repoDir);
        out.println("# 2. " + (init.created() ? "initialised" : "reusing") + " the demo repository " + repoDir);
        Repo repo = init.repo();
        NodeConfig config = NodeConfig.load(repo.configFile(), System.getenv(), List.of("gateway.listen=" + gatewayListen,
                "api.listen=127.0.0.1:0", "libp2p.listen=/ip4/127.0.0.1/tcp/0"));
        DaemonCommand.configureLogging(config.get(ConfigKeys.LOG_LEVEL));
        out.println("# 3. start the daemon");
        Daemon daemon = Daemon.start(repo, config);
        Thread hook = new Thread(() -> DaemonCommand.stopOnSignal(daemon), "vrn-sigterm");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            out.println("# 4. import the CAR through the admin API (VRN.PieceAdd)");
            ApiClient api = ApiClient.ofRunningDaemon(repo, Permission.WRITE)
                    .orElseThrow(() -> new CliException("demo failed: the daemon did not write " + repo.daemonJson()));
            JsonNode piece = api.call("VRN.PieceAdd", car.toAbsolutePath().toString(),
                    new PieceApi.AddOptions(null, null, true, null, null, null, null));
            String root = piece.path("roots").path(0).asText();
            String gateway = daemon.context().boundAddresses().get("gateway").get(0);
            String url = gateway + "/ipfs/" + root + "/data/random.bin";
            out.println("   piece " + piece.path("pieceCid").asText() + ", root " + root);
            out.println("demo file:   " + url);
            out.println("demo site:   " + gateway + "/ipfs/" + root + "/index.html");
            out.println("status page: " + gateway + "/webui/  (token: " + ApiTokens.file(repo, Permission.READ) + ")");
            if (check) {
                HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() != 200 || !Arrays.equals(r.body(), big)) {
                    throw new CliException("demo failed: " + url + " answered " + r.statusCode() + " with other bytes");
                }
                out.println("# ok: fetched " + big.length + " bytes over HTTP, identical, sha256 " + sha256(big));
                return 0;
            }
            out.println("# serving until Ctrl-C");
            daemon.awaitStopped();
            return 0;
        } finally {
            if (check) {
                Runtime.getRuntime().removeShutdownHook(hook);
                daemon.stop();
            }
        }
    }

    private Integer offlineWalkthrough() throws IOException {
        PrintStream out = Vrn.out();
        Path site = dir.resolve("site");
        Path car = dir.resolve("demo.car");
        Path extracted = dir.resolve("extracted.bin");
        deleteTree(site);
        Files.deleteIfExists(car);
        Files.deleteIfExists(extracted);

        out.println("# 1. generate a small site in " + site);
        byte[] big = generate(site);
        out.println("   index.html, docs/readme.txt, data/random.bin (" + big.length + " bytes), many/ (40 files)");

        out.println("# 2. pack it into a CAR (UnixFS " + profile + ")");
        step("car", "pack", site.toString(), "-o", car.toString(), "--profile", profile);
        out.println("# 3. inspect the CAR");
        step("car", "inspect", car.toString());
        out.println("# 4. verify every block's hash");
        step("car", "verify", car.toString());
        out.println("# 5. list the root directory");
        step("car", "ls", car.toString());
        out.println("# 6. extract data/random.bin and compare it with the original");
        step("car", "cat", car.toString(), "data/random.bin", "-o", extracted.toString());
        byte[] back = Files.readAllBytes(extracted);
        if (!Arrays.equals(back, big)) {
            throw new CliException("demo failed: extracted data/random.bin differs from the original");
        }
        out.println("   ok: " + back.length + " bytes identical, sha256 " + sha256(back));
        out.println("# demo finished: every step passed (files in " + dir + ")");
        return 0;
    }

    private static void step(String... args) {
        Vrn.out().println("$ vrn " + String.join(" ", args));
        int code = Vrn.commandLine().execute(args);
        if (code != 0) {
            throw new CliException("demo failed at: vrn " + String.join(" ", args), code);
        }
    }

    private static byte[] generate(Path site) throws IOException {
        Files.createDirectories(site.resolve("docs"));
        Files.createDirectories(site.resolve("data"));
        Files.createDirectories(site.resolve("many"));
        Files.writeString(site.resolve("index.html"), "<!doctype html><title>vrn demo</title><h1>It works</h1>\n");
        Files.writeString(site.resolve("docs/readme.txt"), "Packed by vrn, readable by any IPFS implementation.\n");
        byte[] big = new byte[3 * 1024 * 1024 + 12345]; // several chunks under either profile
        new SplittableRandom(2026).nextBytes(big);
        Files.write(site.resolve("data/random.bin"), big);
        for (int i = 0; i < 40; i++) {
            Files.writeString(site.resolve(String.format("many/file-%02d.txt", i)), "file " + i + "\n", StandardCharsets.UTF_8);
        }
        return big;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        List<Path> all = new ArrayList<>();
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                all.add(f);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) {
                all.add(d);
                return FileVisitResult.CONTINUE;
            }
        });
        for (Path f : all) {
            Files.deleteIfExists(f);
        }
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
