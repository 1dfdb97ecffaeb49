package venus.retrieval.node.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import venus.retrieval.blockstore.BlockLocation;
import venus.retrieval.blockstore.PieceInfo;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;

/** {@code vrn block ...}: read blocks through the node's one lookup path. Read-only: works beside a running writer. */
@Command(name = "block", mixinStandardHelpOptions = true, description = "Read blocks by CID (read-only; works beside a running daemon).",
        subcommands = {BlockCommand.Get.class, BlockCommand.Stat.class, BlockCommand.Has.class})
public final class BlockCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(Vrn.out());
    }

    static Cid parse(String s) {
        try {
            return Cid.parse(s);
        } catch (IpldException e) {
            throw new CliException(e.getMessage(), Vrn.EXIT_USAGE);
        }
    }

    /** {@code vrn block get CID}: the raw bytes on stdout; exit 1 when absent. */
    @Command(name = "get", description = "Write a block's raw bytes to stdout (exit 1 when it is not held).")
    static final class Get implements Callable<Integer> {
        @Mixin
        RepoOption repo;

        @Parameters(index = "0", paramLabel = "CID")
        String cid;

        @Override
        public Integer call() {
            Cid c = parse(cid);
            byte[] data;
            boolean changed;
            try (RepoPieceStore s = RepoPieceStore.reader(repo, true)) {
                data = c.isIdentity() ? c.identityData() : s == null ? null : s.store().blockSource().get(c);
                changed = s != null && s.store().fileReadMismatches() > 0;
            }
            if (data == null) {
                // blockstore.verify_reads refused the piece file's bytes (the warning above names the piece)
                throw new CliException("block " + c + (changed ? " not served: its piece file changed (run vrn piece verify)" : " not found"));
            }
            Vrn.out().write(data, 0, data.length);
            Vrn.out().flush();
            return 0;
        }
    }

    /** {@code vrn block stat CID}. */
    @Command(name = "stat", description = "Show a block's size and the pieces that hold it (exit 1 when it is not held).")
    static final class Stat implements Callable<Integer> {
        @Mixin
        RepoOption repo;

        @Parameters(index = "0", paramLabel = "CID")
        String cid;

        @Option(names = "--json", description = "Print one JSON object.")
        boolean json;

        @Override
        public Integer call() {
            Cid c = parse(cid);
            Map<String, Object> m = new LinkedHashMap<>();
            try (RepoPieceStore s = RepoPieceStore.reader(repo)) {
                int size = c.isIdentity() ? c.identityData().length : s == null ? -1 : s.store().blockSource().size(c);
                if (size < 0) {
                    throw new CliException("block " + c + " not found");
                }
                m.put("cid", c.toString());
                m.put("size", size);
                m.put("inBlockstore", !c.isIdentity() && s.store().blockstore().has(c));
                List<Object> pieces = new ArrayList<>();
                if (!c.isIdentity()) {
                    for (BlockLocation l : s.store().directory().locations(c.multihash())) {
                        Map<String, Object> p = new LinkedHashMap<>();
                        PieceInfo info = s.store().directory().piece(l.pieceId()).orElse(null);
                        p.put("pieceCid", info == null || info.pieceCid() == null ? null : info.pieceCid().toString());
                        p.put("offset", l.offset());
                        p.put("length", l.length());
                        p.put("cached", l.cached());
                        pieces.add(p);
                    }
                }
                m.put("pieces", pieces);
            }
            if (json) {
                Vrn.out().println(Json.write(m));
            } else {
                Vrn.out().println(m.get("cid"));
                Vrn.out().println("size: " + m.get("size"));
                for (Object o : (List<?>) m.get("pieces")) {
                    Map<?, ?> p = (Map<?, ?>) o;
                    Vrn.out().println("piece: " + p.get("pieceCid") + " offset " + p.get("offset") + " length " + p.get("length")
                            + (Boolean.TRUE.equals(p.get("cached")) ? " (cached)" : ""));
                }
            }
            return 0;
        }
    }

    /** {@code vrn block has CID}: prints true (exit 0) or false (exit 1). */
    @Command(name = "has", description = "Print true and exit 0 when the block is held, else print false and exit 1.")
    static final class Has implements Callable<Integer> {
        @Mixin
        RepoOption repo;

        @Parameters(index = "0", paramLabel = "CID")
        String cid;

        @Override
        public Integer call() {
            Cid c = parse(cid);
            boolean has;
            try (RepoPieceStore s = RepoPieceStore.reader(repo)) {
                has = c.isIdentity() || (s != null && s.store().blockSource().has(c));
            }
            Vrn.out().println(has);
            return has ? 0 : Vrn.EXIT_FAILURE;
        }
    }
}
