package venus.retrieval.node.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import venus.retrieval.node.config.ConfigKeys;
import venus.retrieval.node.daemon.DaemonContext;

/** The node's own admin API methods. */
public final class VrnApiImpl implements VrnApi {
    /** The node's version (kept in step with the Maven version). */
    public static final String VERSION = "0.1.0-SNAPSHOT";
    /** Bumped when a method changes incompatibly. */
    public static final String API_VERSION = "0";

    private final DaemonContext ctx;

    public VrnApiImpl(DaemonContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Version version() {
        return new Version(VERSION, API_VERSION, ctx.config().get(ConfigKeys.NETWORK));
    }

    @Override
    public Identity id() {
        Map<String, List<String>> bound = ctx.boundAddresses();
        return new Identity(ctx.identity().peerId().toString(), bound.getOrDefault("libp2p", List.of()),
                first(bound.get("gateway")), first(bound.get("api")));
    }

    private static String first(List<String> l) {
        return l == null || l.isEmpty() ? null : l.get(0);
    }

    @Override
    public Map<String, String> config() {
        return ctx.config().texts();
    }

    @Override
    public List<String> authVerify() {
        List<String> out = new ArrayList<>();
        Permission caller = RpcDispatcher.caller();
        for (Permission p : Permission.values()) {
            if (caller.allows(p)) {
                out.add(p.label());
            }
        }
        return out;
    }

    @Override
    public boolean shutdown() {
        ctx.requestShutdown();
        return true;
    }
}
