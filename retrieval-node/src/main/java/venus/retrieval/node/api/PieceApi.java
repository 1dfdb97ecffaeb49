package venus.retrieval.node.api;

import com.googlecode.jsonrpc4j.JsonRpcMethod;
import com.googlecode.jsonrpc4j.JsonRpcParam;
import java.util.List;
import java.util.Map;

/**
 * Pieces on a running node: import from a path on the node's filesystem (the daemon holds the
 * writer lock, so {@code vrn piece add|rm} go through here while it runs), list, inspect, remove,
 * verify. Records are the maps {@code vrn piece info --json} prints ({@link PieceRecords#of}).
 */
public interface PieceApi {
    /**
     * The options of {@code vrn piece add}; null fields take the defaults.
     *
     * @param pieceCid expected piece CID (v1 or v2), or null
     * @param cache copy the blocks into the blockstore
     * @param copy copy the file into {@code REPO/pieces/}
     * @param isPublic serve the piece's blocks to anyone
     * @param deals storage deal ids
     * @param miners miner actor ids
     * @param skipCommP trust {@code pieceCid} instead of computing the commitment
     */
    record AddOptions(String pieceCid, Boolean cache, Boolean copy, Boolean isPublic, List<Long> deals, List<String> miners,
                      Boolean skipCommP) {
    }

    /** Imports the CAR or unsealed piece file at {@code path} (absolute, on the node's filesystem). */
    @JsonRpcMethod("VRN.PieceAdd")
    @RequiresPermission(Permission.WRITE)
    Map<String, Object> pieceAdd(@JsonRpcParam("path") String path, @JsonRpcParam("options") AddOptions options);

    /** Every piece record. */
    @JsonRpcMethod("VRN.PieceList")
    @RequiresPermission(Permission.READ)
    List<Map<String, Object>> pieceList();

    /** One piece's record: piece CID (v1 or v2) or {@code #ID}. */
    @JsonRpcMethod("VRN.PieceInfo")
    @RequiresPermission(Permission.READ)
    Map<String, Object> pieceInfo(@JsonRpcParam("piece") String piece);

    /** Removes a piece; returns the removed record. */
    @JsonRpcMethod("VRN.PieceRemove")
    @RequiresPermission(Permission.WRITE)
    Map<String, Object> pieceRemove(@JsonRpcParam("piece") String piece);

    /** Re-reads a piece and checks every block and its commitment: {@code {pieceCid, ok, blocks, problems}}. */
    @JsonRpcMethod("VRN.PieceVerify")
    @RequiresPermission(Permission.READ)
    Map<String, Object> pieceVerify(@JsonRpcParam("piece") String piece);
}
