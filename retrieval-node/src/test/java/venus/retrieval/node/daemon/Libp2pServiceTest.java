package venus.retrieval.node.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Libp2pServiceTest {
    @Test
    void dialableAddressTakesHostFromConfigAndPortFromSocket() {
        assertThat(Libp2pService.dialable("/ip4/0.0.0.0/tcp/0", "/ip6/::/tcp/4321")).isEqualTo("/ip4/127.0.0.1/tcp/4321");
        assertThat(Libp2pService.dialable("/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/tcp/5")).isEqualTo("/ip4/127.0.0.1/tcp/5");
        assertThat(Libp2pService.dialable("/ip6/::/tcp/24001", "/ip6/::/tcp/24001")).isEqualTo("/ip6/::1/tcp/24001");
        assertThat(Libp2pService.dialable("/ip4/10.1.2.3/tcp/24001", "/ip4/10.1.2.3/tcp/24001")).isEqualTo("/ip4/10.1.2.3/tcp/24001");
    }
}
