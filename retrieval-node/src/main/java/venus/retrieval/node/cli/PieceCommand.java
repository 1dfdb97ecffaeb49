package venus.retrieval.node.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import venus.retrieval.blockstore.ImportOptions;
import venus.retrieval.blockstore.ImportResult;
import venus.retrieval.blockstore.PieceInfo;
import venus.retrieval.blockstore.PieceStore;
import venus.retrieval.blockstore.commp.CommPHasher;
import venus.retrieval.blockstore.commp.PieceCommitment;
import venus.retrieval.ipld.Cid;
import venus.retrieval.node.api.ApiClient;
import venus.retrieval.node.api.Permission;
import venus.retrieval.node.api.PieceApi;
import venus.retrieval.node.api.PieceRecords;
import venus.retrieval.node.repo.Repo;
import com.fasterxml.jackson.databind.JsonNode;

/** {@code vrn piece ...}: import, hash, list, inspect, remove and verify pieces. */
@Command(name = "piece", mixinStandardHelpOptions = true, description = "Import and manage pieces (CAR or unsealed piece files).",
        subcommands = {PieceCommand.Add.class, PieceCommand.CommP.class, PieceCommand.Ls.class, PieceCommand.Info.class,
            PieceCommand.Rm.class, PieceCommand.Verify.class})
public final class PieceCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(Vrn.out());
    }

    /** {@code vrn piece add FILE}. */
    @Command(name = "add", description = "Import a CARv1/CARv2 or unsealed piece file: verify every block, index it, compute CommP.")
    static final class Add implements Callable<Integer> {
        @Mixin
        RepoOption repo;

        @Parameters(index = "0", paramLabel = "FILE", description = "CAR file or unsealed piece file (CAR + zero padding).")
        Path file;

        @Option(names = "--piece-cid", paramLabel = "CID", description = "Expected piece CID (v1 baga… or v2 bafkzcib…); a mismatch is rejected.")
        String pieceCid;

        @Option(names = "--cache", description = "Copy the blocks into the blockstore (the file is then not needed).")
        boolean cache;

        @Option(names = "--copy", description = "Copy the file into REPO/pieces/ and serve from the copy.")
        boolean copy;

        @Option(names = "--public", description = "Serve the piece's blocks to anyone.")
        boolean isPublic;

        @Option(names = "--deal", paramLabel = "N", description = "Storage deal id (repeatable).")
        List<Long> deals = new ArrayList<>();

        @Option(names = "--miner", paramLabel = "f0…", description = "Miner actor id (repeatable).")
        List<String> miners = new ArrayList<>();

        @Option(names = "--skip-commp", description = "Trust --piece-cid instead of computing the commitment (block hashes are still verified).")
        boolean skipCommP;

        @Option(names = "--json", description = "Print the result as one JSON object.")
        boolean json;

        @Override
        public Integer call() {
            if (skipCommP && pieceCid == null) {
                throw new CliException("--skip-commp needs --piece-cid", Vrn.EXIT_USAGE);
            }
            // A running daemon holds the writer lock: it imports through the admin API.
            var api = ApiClient.ofRunningDaemon(Repo.open(repo.path()), Permission.WRITE);
            if (api.isPresent()) {
                if (!java.nio.file.Files.isRegularFile(file)) {
                    throw new CliException("no such file: " + file);
                }
                JsonNode r = api.get().call("VRN.PieceAdd", file.toAbsolutePath().toString(), new PieceApi.AddOptions(pieceCid,
                        cache, copy, isPublic, deals, miners, skipCommP));
                printAdded(r, json);
                return 0;
            }
            ImportOptions o = ImportOptions.defaults().withPieceCid(pieceCid).withCache(cache).withCopy(copy)
                    .withPublic(isPublic).withDeals(deals).withMiners(miners).withSkipCommP(skipCommP);
            ImportResult r;
            try (RepoPieceStore s = RepoPieceStore.writer(repo)) {
                var progress = ProgressBar.forTerminal();
                try {
                    r = s.store().importPiece(file, o, progress);
                } finally {
                    if (progress instanceof ProgressBar bar) {
                        bar.finish();
                    }
                }
            }
            PieceInfo p = r.piece();
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("pieceCid", p.pieceCid().toString());
                m.put("pieceCidV2", String.valueOf(p.pieceCidV2()));
                m.put("paddedSize", p.paddedSize());
                m.put("blocks", p.blockCount());
                m.put("alreadyPresent", r.alreadyPresent());
                m.put("file", p.file() == null ? null : p.file().toString());
                Vrn.out().println(Json.write(m));
            } else if (r.alreadyPresent()) {
                Vrn.out().println("piece " + p.pieceCid() + " is already present; nothing added");
            } else {
                Vrn.out().println("added piece " + p.pieceCid() + " (" + p.blockCount() + " blocks, padded size "
                        + p.paddedSize() + ") " + location(p));
                Vrn.out().println("piece CID v2: " + p.pieceCidV2());
            }
            return 0;
        }
    }

    /** Prints a {@code VRN.PieceAdd} answer as the offline import prints its result. */
    static void printAdded(JsonNode r, boolean json) {
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pieceCid", r.path("pieceCid").asText());
            m.put("pieceCidV2", r.path("pieceCidV2").asText());
            m.put("paddedSize", r.path("paddedSize").asLong());
            m.put("blocks", r.path("blocks").asLong());
            m.put("alreadyPresent", r.path("alreadyPresent").asBoolean());
            m.put("file", r.path("file").isNull() ? null : r.path("file").asText());
            Vrn.out().println(Json.write(m));
        } else if (r.path("alreadyPresent").asBoolean()) {
            Vrn.out().println("piece " + r.path("pieceCid").asText() + " is already present; nothing added");
        } else {
            String where = r.path("cached").asBoolean() ? "cached in the blockstore"
                    : (r.path("copied").asBoolean() ? "copied to " : "in place at ") + r.path("file").asText();
            Vrn.out().println("added piece " + r.path("pieceCid").asText() + " (" + r.path("blocks").asLong() + " blocks, padded size "
                    + r.path("paddedSize").asLong() + ") " + where + " (through the running daemon)");
            Vrn.out().println("piece CID v2: " + r.path("pieceCidV2").asText());
        }
    }

    /** {@code vrn piece commp FILE}. */
    @Command(name = "commp", description = "Compute the piece commitment of FILE as opaque bytes; prints piece CID v1, v2, padded size.")
    static final class CommP implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Option(names = "--json", description = "Print pieceCidV1, pieceCidV2, commP, paddedSize, payloadSize as JSON.")
        boolean json;

        @Override
        public Integer call() throws IOException {
            if (!java.nio.file.Files.isRegularFile(file)) {
                throw new CliException("no such file: " + file);
            }
            PieceCommitment c = CommPHasher.compute(file, 2);
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("pieceCidV1", c.cidV1().toString());
                m.put("pieceCidV2", c.cidV2().toString());
                m.put("commP", c.commPHex());
                m.put("paddedSize", c.paddedSize());
                m.put("payloadSize", c.payloadSize());
                Vrn.out().println(Json.write(m));
            } else {
                Vrn.out().println(c.cidV1());
                Vrn.out().println(c.cidV2());
                Vrn.out().println(c.paddedSize());
            }
            return 0;
        }
    }

    /** {@code vrn piece ls}. */
    @Command(name = "ls", description = "List pieces: CID, state, padded size, blocks, where they are served from.")
    static final class Ls implements Callable<Integer> {
        @Mixin
        RepoOption repo;

        @Option(names = "--json", description = "Print a JSON array of piece records.")
        boolean json;

        @Override
        public Integer call() {
            List<PieceInfo> pieces;
            try (RepoPieceStore s = RepoPieceStore.reader(repo)) {
                pieces = s == null ? List.of() : s.store().directory().pieces().stream().map(s::shown).toList();
            }
            if (json) {
                List<Object> all = new ArrayList<>();
                for (PieceInfo p : pieces) {
                    all.add(record(p));
                }
                Vrn.out().println(Json.write(all));
                return 0;
            }
            for (PieceInfo p : pieces) {
                Vrn.out().println((p.pieceCid() == null ? "#" + p.id() : p.pieceCid().toString()) + "\t"
                        + p.state().name().toLowerCase() + "\t" + p.paddedSize() + "\t" + p.blockCount() + " blocks\t" + location(p));
            }
            return 0;
        }
    }

    /** {@code vrn piece info CID}. */
    @Command(name = "info", description = "Show a piece's record.")
    static final class Info implements Callable<Integer> {
        @Mixin
        RepoOption repo;

        @Parameters(index = "0", paramLabel = "PIECE", description = "Piece CID (v1 or v2), or #ID for an unfinished import.")
        String piece;

        @Option(names = "--json", description = "Print the record as one JSON object.")
        boolean json;

        @Override
        public Integer call() {
            PieceInfo p;
            try (RepoPieceStore s = RepoPieceStore.reader(repo)) {
                if (s == null) {
                    throw new CliException("no piece " + piece);
                }
                p = s.shown(find(s.store(), piece));
            }
            Map<String, Object> m = record(p);
            if (json) {
                Vrn.out().println(Json.write(m));
            } else {
                m.forEach((k, v) -> Vrn.out().println(k + ": " + (v instanceof List<?> l ? String.join(", ", l.stream().map(String::valueOf).toList()) : v)));
            }
            return 0;
        }
    }

    /** {@code vrn piece rm CID}. */
    @Command(name = "rm", description = "Remove a piece: its index entries, cached blocks and copy (blocks other pieces hold stay).")
    static final class Rm implements Callable<Integer> {
        @Mixin
        RepoOption repo;

        @Parameters(index = "0", paramLabel = "PIECE", description = "Piece CID (v1 or v2), or #ID for an unfinished import.")
        String piece;

        @Override
        public Integer call() {
            var api = ApiClient.ofRunningDaemon(Repo.open(repo.path()), Permission.WRITE);
            if (api.isPresent()) {
                JsonNode p = api.get().call("VRN.PieceRemove", piece);
                Vrn.out().println("removed piece " + (p.path("pieceCid").isNull() ? "#" + p.path("id").asLong() : p.path("pieceCid").asText()));
                return 0;
            }
            try (RepoPieceStore s = RepoPieceStore.writer(repo)) {
                PieceInfo p = find(s.store(), piece);
                s.store().remove(p.id());
                Vrn.out().println("removed piece " + (p.pieceCid() == null ? "#" + p.id() : p.pieceCid()));
            }
            return 0;
        }
    }

    /** {@code vrn piece verify CID}. */
    @Command(name = "verify", description = "Re-read a piece and check every block and its commitment against the index.")
    static final class Verify implements Callable<Integer> {
        @Mixin
        RepoOption repo;

        @Parameters(index = "0", paramLabel = "PIECE")
        String piece;

        @Override
        public Integer call() {
            PieceStore.VerifyResult r;
            try (RepoPieceStore s = RepoPieceStore.reader(repo)) {
                if (s == null) {
                    throw new CliException("no piece " + piece);
                }
                PieceInfo p = find(s.store(), piece);
                if (p.pieceCid() == null) {
                    throw new CliException("piece #" + p.id() + " is " + p.state().name().toLowerCase() + "; nothing to verify");
                }
                r = s.store().verify(p.pieceCid());
            }
            if (!r.ok()) {
                throw new CliException("piece " + r.piece().pieceCid() + " failed verification: " + String.join("; ", r.problems()));
            }
            Vrn.out().println("ok: piece " + r.piece().pieceCid() + ", " + r.blocks() + " blocks verified");
            return 0;
        }
    }

    static PieceInfo find(PieceStore store, String arg) {
        if (arg.startsWith("#")) {
            long id;
            try {
                id = Long.parseLong(arg.substring(1));
            } catch (NumberFormatException e) {
                throw new CliException("bad piece record number " + arg);
            }
            return store.directory().piece(id).orElseThrow(() -> new CliException("no piece record " + arg));
        }
        Cid cid = PieceStore.pieceCid(arg);
        return store.directory().piece(cid).orElseThrow(() -> new CliException("no piece " + arg));
    }

    static String location(PieceInfo p) {
        if (p.cached()) {
            return "cached in the blockstore";
        }
        return (p.copied() ? "copied to " : "in place at ") + p.file();
    }

    static Map<String, Object> record(PieceInfo p) {
        return PieceRecords.of(p);
    }
}
