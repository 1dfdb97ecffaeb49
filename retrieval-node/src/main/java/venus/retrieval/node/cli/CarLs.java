package venus.retrieval.node.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.unixfs.DirListing;
import venus.retrieval.ipld.unixfs.UnixFsNode;
import venus.retrieval.ipld.unixfs.UnixFsReader;

/** {@code vrn car ls FILE [PATH]}: the UnixFS entries of the root or of PATH below it. */
@Command(name = "ls", mixinStandardHelpOptions = true,
        description = {"List the UnixFS entries of a CAR's root directory (or of PATH below it), one per line as "
                + "NAME<TAB>SIZE<TAB>CID. SIZE is the file size for files, the target length for symlinks and the "
                + "DAG size (Tsize) for directories. HAMT-sharded directories are listed whole, in bucket order; "
                + "plain directories in link order. A file lists as itself."})
final class CarLs implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "The CAR file (v1 or v2).")
    Path file;

    @Parameters(index = "1", paramLabel = "PATH", arity = "0..1", description = "A path below the root, e.g. docs/img.")
    String path;

    @Option(names = "--root", paramLabel = "CID", description = "Start from this CID instead of the CAR's first root.")
    String root;

    @Override
    public Integer call() {
        try (CarFileBlocks blocks = new CarFileBlocks(file)) {
            UnixFsReader r = new UnixFsReader(blocks);
            Cid start = blocks.root(file, root);
            try {
                Cid target = path == null ? start : r.resolve(start, path);
                UnixFsNode node = r.stat(target);
                PrintStream out = Vrn.out();
                if (!node.isDirectory()) {
                    String name = path == null || path.isBlank() ? target.toString() : lastSegment(path);
                    out.print(name + "\t" + node.size() + "\t" + target + "\n");
                } else {
                    for (DirListing e : r.listing(target)) {
                        out.print(e.name() + "\t" + e.size() + "\t" + e.cid() + "\n");
                    }
                }
                out.flush();
            } catch (IpldException e) {
                throw new CliException(file + ": " + e.getMessage());
            }
        }
        return 0;
    }

    private static String lastSegment(String p) {
        String s = p.replaceAll("/+$", "");
        int i = s.lastIndexOf('/');
        return i < 0 ? s : s.substring(i + 1);
    }
}
