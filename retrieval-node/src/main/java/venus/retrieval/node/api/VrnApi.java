package venus.retrieval.node.api;

import com.googlecode.jsonrpc4j.JsonRpcMethod;
import java.util.List;
import java.util.Map;

/**
 * The node's own admin API methods (Lotus-style names {@code VRN.*}). Other parts add their own
 * interface (pieces, vouchers, deals...) the same way and register it in {@code Daemon}.
 */
public interface VrnApi {
    /** Build and API version. */
    record Version(String version, String apiVersion, String network) {
    }

    /** Identity and addresses of the node. */
    record Identity(String peerId, List<String> libp2p, String gateway, String api) {
    }

    @JsonRpcMethod("VRN.Version")
    @RequiresPermission(Permission.READ)
    Version version();

    @JsonRpcMethod("VRN.ID")
    @RequiresPermission(Permission.READ)
    Identity id();

    /** The effective configuration (key → value text); holds no secrets. */
    @JsonRpcMethod("VRN.Config")
    @RequiresPermission(Permission.READ)
    Map<String, String> config();

    /** The permissions of the token used for this call. */
    @JsonRpcMethod("VRN.AuthVerify")
    @RequiresPermission(Permission.READ)
    List<String> authVerify();

    /** Stops the daemon, as SIGTERM does. */
    @JsonRpcMethod("VRN.Shutdown")
    @RequiresPermission(Permission.ADMIN)
    boolean shutdown();
}
