package venus.retrieval.node.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.car.CarBlock;
import venus.retrieval.ipld.car.CarHeader;
import venus.retrieval.ipld.car.CarReader;

/** {@code vrn car ...}: work with CAR files without a repository. */
@Command(name = "car", mixinStandardHelpOptions = true, description = "Inspect, verify, list, extract and pack CAR files.",
        subcommands = {CarCommand.Inspect.class, CarCommand.Verify.class, CarLs.class, CarCat.class, CarPack.class})
public final class CarCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(Vrn.out());
    }

    static Path existingFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CliException(Files.exists(file) ? "not a regular file: " + file : "no such file: " + file);
        }
        return file;
    }

    /** One line naming the file and the reader's reason (which already names the byte offset). */
    static CliException carError(Path file, IpldException e) {
        return new CliException(file + ": " + e.getMessage());
    }

    /** {@code vrn car inspect FILE [--json]}. */
    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Print a CAR's version, roots, block count, blocks per codec and size (hashes are not checked; see verify).")
    static final class Inspect implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "The CAR file (v1 or v2).")
        Path file;

        @Option(names = "--json", description = "Print one JSON object: {\"version\",\"roots\",\"blocks\",\"codecs\",\"size\"}.")
        boolean json;

        @Override
        public Integer call() throws IOException {
            existingFile(file);
            long size = Files.size(file);
            CarHeader header;
            long blocks = 0;
            Map<String, Long> codecs = new TreeMap<>();
            try (CarReader r = CarReader.open(file, CarReader.Options.defaults().withVerifyHashes(false))) {
                header = r.header();
                CarBlock b;
                while ((b = r.next()) != null) {
                    blocks++;
                    codecs.merge(Multicodec.name(b.cid().codec()), 1L, Long::sum);
                }
            } catch (IpldException e) {
                throw carError(file, e);
            }
            PrintStream out = Vrn.out();
            if (json) {
                List<String> roots = new ArrayList<>();
                for (Cid c : header.roots()) {
                    roots.add(Json.quote(c.toString()));
                }
                StringBuilder sb = new StringBuilder();
                sb.append("{\"version\":").append(header.version())
                        .append(",\"roots\":[").append(String.join(",", roots)).append(']')
                        .append(",\"blocks\":").append(blocks)
                        .append(",\"codecs\":{");
                boolean first = true;
                for (Map.Entry<String, Long> e : codecs.entrySet()) {
                    sb.append(first ? "" : ",").append(Json.quote(e.getKey())).append(':').append(e.getValue());
                    first = false;
                }
                sb.append("},\"size\":").append(size).append('}');
                out.println(sb);
            } else {
                out.println("version: " + header.version());
                if (header.v2() != null) {
                    CarHeader.V2 v2 = header.v2();
                    out.println("data:    offset " + v2.dataOffset() + ", " + v2.dataSize() + " bytes");
                    out.println("index:   " + (v2.hasIndex() ? "at offset " + v2.indexOffset() : "none")
                            + (v2.fullyIndexed() ? " (fully indexed)" : ""));
                }
                out.println("roots:   " + (header.roots().isEmpty() ? "(none)" : header.roots().get(0)));
                for (int i = 1; i < header.roots().size(); i++) {
                    out.println("         " + header.roots().get(i));
                }
                out.println("blocks:  " + blocks);
                List<String> parts = new ArrayList<>();
                codecs.forEach((k, v) -> parts.add(k + " " + v));
                out.println("codecs:  " + (parts.isEmpty() ? "(none)" : String.join(", ", parts)));
                out.println("size:    " + size + " bytes");
            }
            return 0;
        }
    }

    /** {@code vrn car verify FILE}. */
    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check a CAR's framing and that every block hashes to its CID (sha2-256, sha2-512, blake2b-256, "
                    + "identity, sha2-256-trunc254-padded). Exits non-zero at the first problem, naming its byte offset. "
                    + "Blocks that are linked but absent do not make a CAR invalid.")
    static final class Verify implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "The CAR file (v1 or v2).")
        Path file;

        @Override
        public Integer call() {
            existingFile(file);
            long blocks;
            long bytes = 0;
            try (CarReader r = CarReader.open(file)) {
                blocks = 0;
                CarBlock b;
                while ((b = r.next()) != null) {
                    blocks++;
                    bytes += b.dataLength();
                }
            } catch (IpldException e) {
                throw carError(file, e);
            }
            Vrn.out().println("ok: " + blocks + " blocks, " + bytes + " bytes of block data, every hash verified");
            return 0;
        }
    }
}
