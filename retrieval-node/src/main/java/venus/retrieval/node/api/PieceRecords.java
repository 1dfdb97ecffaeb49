package venus.retrieval.node.api;

import java.util.LinkedHashMap;
import java.util.Map;
import venus.retrieval.blockstore.PieceInfo;
import venus.retrieval.ipld.Cid;

/** A piece record as JSON-friendly map: the one shape the CLI ({@code --json}) and the admin API print. */
public final class PieceRecords {
    private PieceRecords() {
    }

    /** The record of {@code p}, keys in a stable order. */
    public static Map<String, Object> of(PieceInfo p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.id());
        m.put("pieceCid", p.pieceCid() == null ? null : p.pieceCid().toString());
        Cid v2 = p.isReady() ? p.pieceCidV2() : null;
        m.put("pieceCidV2", v2 == null ? null : v2.toString());
        m.put("state", p.state().name().toLowerCase());
        m.put("paddedSize", p.paddedSize());
        m.put("payloadSize", p.payloadSize());
        m.put("fileSize", p.fileSize());
        m.put("blocks", p.blockCount());
        m.put("roots", p.roots().stream().map(Cid::toString).toList());
        m.put("file", p.file() == null ? null : p.file().toString());
        m.put("copied", p.copied());
        m.put("cached", p.cached());
        m.put("public", p.isPublic());
        m.put("dealIds", p.dealIds());
        m.put("minerIds", p.minerIds());
        m.put("sectorId", p.sectorId() < 0 ? null : p.sectorId());
        m.put("sectorOffset", p.sectorOffset() < 0 ? null : p.sectorOffset());
        m.put("fastRetrieval", p.fastRetrieval());
        m.put("announced", p.announced());
        m.put("createdAt", p.createdAt().toString());
        m.put("updatedAt", p.updatedAt().toString());
        m.put("error", p.error());
        return m;
    }
}
