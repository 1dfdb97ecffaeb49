package venus.retrieval.node.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.Multihash;
import venus.retrieval.ipld.car.CarWriter;
import venus.retrieval.ipld.unixfs.UnixFsBuilder;
import venus.retrieval.ipld.unixfs.UnixFsProfile;

/** {@code vrn car pack PATH -o OUT.car [--profile ...]}: a file or directory as a UnixFS CARv1. */
@Command(name = "pack", mixinStandardHelpOptions = true,
        description = {"Pack a file or a directory into a CARv1 whose header root is the UnixFS DAG's root, built "
                + "exactly as ipfs-unixfs-importer builds it under the chosen IPIP-499 profile. Prints the root CID. "
                + "Hidden names (leading dot) are skipped unless --hidden; symlinks inside a directory are kept as "
                + "UnixFS symlinks."})
final class CarPack implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PATH", description = "The file or directory to pack.")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.car", description = "The CAR file to write.")
    Path output;

    @Option(names = "--profile", paramLabel = "PROFILE", defaultValue = "unixfs-v1-2025",
            description = "unixfs-v1-2025 (default: CIDv1, raw leaves, 1 MiB chunks, 1024 links) or "
                    + "unixfs-v0-2015 (CIDv0, dag-pb leaves, 256 KiB chunks, 174 links).")
    String profile;

    @Option(names = "--hidden", description = "Include files and directories whose names start with a dot.")
    boolean hidden;

    @Override
    public Integer call() throws IOException {
        UnixFsProfile p;
        try {
            p = UnixFsProfile.of(profile);
        } catch (IpldException e) {
            throw new CliException(e.getMessage(), Vrn.EXIT_USAGE);
        }
        if (!Files.exists(input)) {
            throw new CliException("no such file or directory: " + input);
        }
        if (!Files.isDirectory(input) && !Files.isRegularFile(input)) {
            throw new CliException("not a regular file or directory: " + input);
        }
        Path outDir = output.toAbsolutePath().normalize().getParent();
        Path outReal = (Files.isDirectory(outDir) ? outDir.toRealPath() : outDir).resolve(output.getFileName());
        if (Files.isDirectory(input) && outReal.startsWith(input.toRealPath())) {
            throw new CliException("the output " + output + " must not be inside the directory being packed");
        }
        Cid root = pack(input, output, p, hidden);
        Vrn.out().println(root);
        return 0;
    }

    /**
     * Writes the CAR: the header first with a placeholder root of the same encoded length, blocks
     * as the builder makes them, then the real root written over the placeholder. Constant memory,
     * one pass, and the output appears (atomically renamed) only when complete.
     */
    static Cid pack(Path input, Path output, UnixFsProfile profile, boolean hidden) throws IOException {
        Multihash zero = Multihash.of(Multicodec.SHA2_256, new byte[32]);
        Cid placeholder = profile.cidVersion() == 0 ? Cid.v0(zero) : Cid.v1(Multicodec.DAG_PB, zero);
        Path dir = output.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + output.getFileName() + "." + Long.toHexString(System.nanoTime()) + ".tmp");
        try {
            Cid root;
            // CREATE_NEW with the default permissions (umask), unlike createTempFile's 0600
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
                OutputStream os = new BufferedOutputStream(Channels.newOutputStream(ch), 256 * 1024);
                CarWriter w = new CarWriter(os, List.of(placeholder));
                UnixFsBuilder b = new UnixFsBuilder(profile, w, UnixFsProfile.SHARD_THRESHOLD_BYTES, hidden);
                root = b.add(input).cid();
                w.flush();
                byte[] header = CarWriter.headerBytes(List.of(root));
                if (header.length != CarWriter.headerBytes(List.of(placeholder)).length) {
                    throw new IllegalStateException("root " + root + " does not fit the placeholder header");
                }
                ByteBuffer bb = ByteBuffer.wrap(header);
                long pos = 0;
                while (bb.hasRemaining()) {
                    pos += ch.write(bb, pos);
                }
                ch.force(false);
            }
            Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return root;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
