package venus.retrieval.node.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.traversal.Selectors;
import venus.retrieval.libp2p.Connection;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.libp2p.host.HostConfig;
import venus.retrieval.libp2p.multiaddr.Multiaddr;
import venus.retrieval.node.config.NodeConfig;
import venus.retrieval.node.graphsync.Graphsync;
import venus.retrieval.node.graphsync.GraphsyncHooks;
import venus.retrieval.node.graphsync.OutgoingRequest;
import venus.retrieval.node.graphsync.ReceivedBlocks;
import venus.retrieval.node.graphsync.ResponseStatus;
import venus.retrieval.node.repo.Repo;
import venus.retrieval.node.repo.RepoInit;

/** The daemon serves graphsync on its libp2p host (the retrieval provider's hooks) and identify advertises it. */
class GraphsyncServiceTest {
    @TempDir
    Path tmp;

    Daemon daemon;
    Host client;
    Graphsync gs;

    @BeforeEach
    void start() throws Exception {
        Repo repo = RepoInit.init(tmp.resolve("repo")).repo();
        daemon = Daemon.start(repo, NodeConfig.load(repo.configFile(), Map.of(),
                List.of("api.listen=127.0.0.1:0", "gateway.listen=127.0.0.1:0", "libp2p.listen=/ip4/127.0.0.1/tcp/0", "daemon.shutdown_grace=1s")));
        client = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
        gs = Graphsync.register(client, cid -> null, GraphsyncHooks.FREE, 1);
    }

    @AfterEach
    void stop() {
        gs.close();
        client.close();
        daemon.stop();
    }

    @Test
    void daemonAnswersGraphsync() throws Exception {
        String p2p = new ObjectMapper().readTree(tmp.resolve("repo/daemon.json").toFile()).get("libp2p").get(0).asText();
        Connection c = client.connect(Multiaddr.parse(p2p)).get(30, TimeUnit.SECONDS);
        assertThat(c.identified().get(30, TimeUnit.SECONDS).protocols()).contains(Graphsync.PROTOCOL);
        // The daemon's graphsync runs the retrieval provider's hooks: like Boost, a request without a
        // data-transfer deal proposal is rejected (30) instead of served for free (RetrievalServiceTest
        // retrieves through the daemon with a proposal).
        Cid inline = Cid.parse("bafkqaaa");
        OutgoingRequest r = gs.requester().request(c.remotePeer(), inline, Selectors.exploreAllRecursively(), Map.of(),
                ReceivedBlocks.inMemory(), new OutgoingRequest.Listener() {});
        assertThat(r.completion().get(30, TimeUnit.SECONDS)).isEqualTo(ResponseStatus.REQUEST_REJECTED);
    }
}
