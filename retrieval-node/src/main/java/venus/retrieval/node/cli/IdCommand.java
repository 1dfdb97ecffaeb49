package venus.retrieval.node.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.node.config.ConfigKeys;
import venus.retrieval.node.config.NodeConfig;
import venus.retrieval.node.repo.Repo;

/**
 * {@code vrn id}: the node's libp2p peer ID (from {@code keystore/libp2p.key}) and its configured
 * listen addresses ({@code libp2p.listen}, each with {@code /p2p/<id>} appended).
 */
@Command(name = "id", description = "Print the libp2p peer ID and the configured listen addresses.")
public final class IdCommand implements Callable<Integer> {
    @Mixin
    RepoOption repo;

    @Option(names = "--json", description = "Print {\"peerId\",\"publicKey\",\"addresses\"} as one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        Repo r = Repo.open(repo.path());
        PeerIdentity id = PeerIdentity.load(r.libp2pKey());
        NodeConfig config = NodeConfig.load(r.configFile(), System.getenv(), List.of());
        List<String> addrs = new ArrayList<>();
        for (String a : config.get(ConfigKeys.LIBP2P_LISTEN)) {
            addrs.add(a + "/p2p/" + id.peerId());
        }
        if (json) {
            ObjectNode o = Json.MAPPER.createObjectNode();
            o.put("peerId", id.peerId().toString());
            o.put("publicKey", Base64.getEncoder().encodeToString(id.publicKey().bytes()));
            ArrayNode a = o.putArray("addresses");
            addrs.forEach(a::add);
            Vrn.out().println(o.toString());
        } else {
            Vrn.out().println("peer id: " + id.peerId());
            for (String a : addrs) {
                Vrn.out().println("listen:  " + a);
            }
        }
        return 0;
    }
}
