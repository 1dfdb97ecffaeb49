package venus.retrieval.node.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import venus.retrieval.blockstore.ImportOptions;
import venus.retrieval.blockstore.ImportResult;
import venus.retrieval.blockstore.PieceInfo;
import venus.retrieval.blockstore.PieceStore;
import venus.retrieval.node.NodeException;
import venus.retrieval.node.NodeException.Reason;

/** {@link PieceApi} over the daemon's piece store; counts imports in the metrics. */
public final class PieceApiImpl implements PieceApi {
    private final PieceStore store;
    private final Counter importedPieces;
    private final Counter importedBytes;
    private final Counter importFailures;
    private final Counter removed;

    public PieceApiImpl(PieceStore store, MeterRegistry metrics) {
        this.store = store;
        this.importedPieces = Counter.builder("vrn.import.pieces").description("pieces imported through the API").register(metrics);
        this.importedBytes = Counter.builder("vrn.import.bytes").description("file bytes read by imports through the API")
                .baseUnit("bytes").register(metrics);
        this.importFailures = Counter.builder("vrn.import.failures").description("imports through the API that failed").register(metrics);
        this.removed = Counter.builder("vrn.pieces.removed").description("pieces removed through the API").register(metrics);
    }

    @Override
    public Map<String, Object> pieceAdd(String path, AddOptions o) {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("VRN.PieceAdd needs a path");
        }
        Path file = Path.of(path);
        if (!file.isAbsolute()) {
            throw new IllegalArgumentException("VRN.PieceAdd needs an absolute path on the node's filesystem, not " + path);
        }
        if (!Files.isRegularFile(file)) {
            throw new NodeException(Reason.NOT_FOUND, "no such file on the node: " + path);
        }
        AddOptions opt = o == null ? new AddOptions(null, null, null, null, null, null, null) : o;
        if (Boolean.TRUE.equals(opt.skipCommP()) && opt.pieceCid() == null) {
            throw new IllegalArgumentException("skipCommP needs pieceCid");
        }
        ImportOptions io = ImportOptions.defaults().withPieceCid(opt.pieceCid()).withCache(Boolean.TRUE.equals(opt.cache()))
                .withCopy(Boolean.TRUE.equals(opt.copy())).withPublic(Boolean.TRUE.equals(opt.isPublic()))
                .withDeals(opt.deals() == null ? List.of() : opt.deals())
                .withMiners(opt.miners() == null ? List.of() : opt.miners())
                .withSkipCommP(Boolean.TRUE.equals(opt.skipCommP()));
        long[] read = new long[1];
        ImportResult r;
        try {
            r = store.importPiece(file, io, (done, total) -> read[0] = done);
        } catch (RuntimeException e) {
            importFailures.increment();
            throw e;
        } finally {
            importedBytes.increment(read[0]);
        }
        if (!r.alreadyPresent()) {
            importedPieces.increment();
        }
        Map<String, Object> m = new LinkedHashMap<>(PieceRecords.of(r.piece()));
        m.put("alreadyPresent", r.alreadyPresent());
        return m;
    }

    @Override
    public List<Map<String, Object>> pieceList() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (PieceInfo p : store.directory().pieces()) {
            out.add(PieceRecords.of(p));
        }
        return out;
    }

    @Override
    public Map<String, Object> pieceInfo(String piece) {
        return PieceRecords.of(find(piece));
    }

    @Override
    public Map<String, Object> pieceRemove(String piece) {
        PieceInfo p = store.remove(find(piece).id());
        removed.increment();
        return PieceRecords.of(p);
    }

    @Override
    public Map<String, Object> pieceVerify(String piece) {
        PieceInfo p = find(piece);
        if (p.pieceCid() == null) {
            throw new NodeException(Reason.IO, "piece #" + p.id() + " is " + p.state().name().toLowerCase() + "; nothing to verify");
        }
        PieceStore.VerifyResult r = store.verify(p.pieceCid());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pieceCid", p.pieceCid().toString());
        m.put("ok", r.ok());
        m.put("blocks", r.blocks());
        m.put("problems", r.problems());
        return m;
    }

    private PieceInfo find(String arg) {
        if (arg == null || arg.isBlank()) {
            throw new IllegalArgumentException("a piece CID or #ID is needed");
        }
        if (arg.startsWith("#")) {
            long id;
            try {
                id = Long.parseLong(arg.substring(1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad piece record number " + arg);
            }
            return store.directory().piece(id).orElseThrow(() -> new NodeException(Reason.NOT_FOUND, "no piece record " + arg));
        }
        return store.directory().piece(PieceStore.pieceCid(arg)).orElseThrow(() -> new NodeException(Reason.NOT_FOUND, "no piece " + arg));
    }
}
