package venus.retrieval.node.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.unixfs.UnixFsReader;

/** {@code vrn car cat FILE [--root CID] [PATH]}: a UnixFS file's bytes, raw. */
@Command(name = "cat", mixinStandardHelpOptions = true,
        description = {"Write the bytes of a UnixFS file in a CAR to stdout, raw (or to -o FILE). Starts from the CAR's "
                + "first root unless --root is given; a raw-codec root is a file. --offset/--length select a byte range "
                + "(clamped to the file's end)."})
final class CarCat implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "The CAR file (v1 or v2).")
    Path file;

    @Parameters(index = "1", paramLabel = "PATH", arity = "0..1", description = "A path below the root, e.g. docs/readme.txt.")
    String path;

    @Option(names = "--root", paramLabel = "CID", description = "Start from this CID instead of the CAR's first root.")
    String root;

    @Option(names = "--offset", paramLabel = "N", defaultValue = "0",
            description = "Start at byte N of the file (blocks before it are not read).")
    long offset;

    @Option(names = "--length", paramLabel = "N", description = "Write at most N bytes (default: to the end).")
    Long length;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "Write to this file (atomically) instead of stdout.")
    Path output;

    @Override
    public Integer call() throws IOException {
        try (CarFileBlocks blocks = new CarFileBlocks(file)) {
            UnixFsReader r = new UnixFsReader(blocks);
            Cid start = blocks.root(file, root);
            try {
                Cid target = path == null ? start : r.resolve(start, path);
                if (offset < 0 || (length != null && length < 0)) {
                    throw new CliException("--offset and --length must be non-negative", Vrn.EXIT_USAGE);
                }
                try (InputStream in = r.open(target, offset, length == null ? Long.MAX_VALUE : length)) {
                    if (output != null) {
                        Path tmp = output.toAbsolutePath().resolveSibling(
                                "." + output.getFileName() + "." + Long.toHexString(System.nanoTime()) + ".tmp");
                        try {
                            try (OutputStream o = Files.newOutputStream(tmp, java.nio.file.StandardOpenOption.CREATE_NEW,
                                    java.nio.file.StandardOpenOption.WRITE)) {
                                in.transferTo(o);
                            }
                            Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                        } finally {
                            Files.deleteIfExists(tmp);
                        }
                    } else {
                        copyToStdout(in);
                    }
                }
            } catch (IpldException e) {
                throw new CliException(file + ": " + e.getMessage());
            }
        }
        return 0;
    }

    /** Raw bytes to stdout; stops early when the reader went away (e.g. {@code | head}). */
    private static void copyToStdout(InputStream in) throws IOException {
        java.io.PrintStream out = Vrn.out();
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
            if (out.checkError()) {
                throw new CliException("stdout closed");
            }
        }
        out.flush();
    }
}
