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

/**
 * {@code vrn demo}: the node's main job in miniature until the daemon exists. Generates a small
 * site, packs it into a CAR, inspects, verifies and lists it, extracts a multi-block file and
 * checks its bytes, printing each step as the command a user would type.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Pack a generated directory into a CAR, inspect, verify and list it, extract a file and check "
                + "its bytes. Works in DIR (default .vrn-demo in the current directory); exits 0 when every step passed."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--dir", paramLabel = "DIR", defaultValue = ".vrn-demo", description = "Working directory for the demo's files.")
    Path dir;

    @Option(names = "--profile", paramLabel = "PROFILE", defaultValue = "unixfs-v1-2025",
            description = "UnixFS profile for the pack step: unixfs-v1-2025 or unixfs-v0-2015.")
    String profile;

    @Override
    public Integer call() throws IOException {
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
