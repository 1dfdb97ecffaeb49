package venus.retrieval.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.node.NodeException;

class NodeConfigTest {
    @TempDir
    Path tmp;

    private Path toml(String text) throws Exception {
        Path f = tmp.resolve("config.toml");
        Files.writeString(f, text);
        return f;
    }

    private static NodeException configError(Runnable r) {
        try {
            r.run();
        } catch (NodeException e) {
            assertThat(e.reason()).isEqualTo(NodeException.Reason.CONFIG_INVALID);
            assertThat(e.getMessage()).doesNotContain("\n");
            return e;
        }
        throw new AssertionError("expected a config error");
    }

    @Test
    void defaults() {
        NodeConfig c = NodeConfig.defaults();
        assertThat(c.get(ConfigKeys.NETWORK)).isEqualTo("mainnet");
        assertThat(c.get(ConfigKeys.GATEWAY_LISTEN)).isEqualTo(new HostPort("127.0.0.1", 8080));
        assertThat(c.get(ConfigKeys.API_LISTEN)).isEqualTo(new HostPort("127.0.0.1", 5780));
        assertThat(c.get(ConfigKeys.LIBP2P_LISTEN)).containsExactly("/ip4/0.0.0.0/tcp/24001");
        assertThat(c.get(ConfigKeys.DAEMON_SHUTDOWN_GRACE)).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.get(ConfigKeys.BLOCKSTORE_CACHE_BYTES)).isEqualTo(256L << 20);
        assertThat(c.get(ConfigKeys.RETRIEVAL_PRICE_PER_BYTE)).isEqualTo(BigInteger.ZERO);
        assertThat(c.get(ConfigKeys.RETRIEVAL_UNSEAL_PRICE)).isEqualTo(BigInteger.ZERO);
        assertThat(c.get(ConfigKeys.RETRIEVAL_PAYMENT_INTERVAL)).isEqualTo(1L << 20);
        assertThat(c.get(ConfigKeys.RETRIEVAL_PAYMENT_INTERVAL_INCREASE)).isEqualTo(1L << 20);
        assertThat(c.source(ConfigKeys.NETWORK)).isEqualTo("default");
    }

    @Test
    void generatedTemplateParsesToDefaultsAndListsEveryKey() throws Exception {
        String template = ConfigTemplate.toml();
        NodeConfig c = NodeConfig.load(toml(template), Map.of(), List.of());
        assertThat(c.texts()).isEqualTo(NodeConfig.defaults().texts());
        Map<String, String> flat = NodeConfig.flattenToml(template, "template");
        assertThat(flat.keySet()).containsExactlyInAnyOrderElementsOf(ConfigKeys.byName().keySet());
        for (ConfigKey<?> k : ConfigKeys.all()) {
            assertThat(template).contains("# " + k.doc());
        }
    }

    @Test
    void tomlTablesArraysAndNumbers() throws Exception {
        NodeConfig c = NodeConfig.load(toml("""
                network = "calibnet"
                [gateway]
                listen = "0.0.0.0:9090"
                [libp2p]
                listen = ["/ip4/127.0.0.1/tcp/0", "/ip6/::1/tcp/4001"]
                [blockstore]
                cache_bytes = 1024
                [daemon]
                shutdown_grace = "250ms"
                """), Map.of(), List.of());
        assertThat(c.get(ConfigKeys.NETWORK)).isEqualTo("calibnet");
        assertThat(c.get(ConfigKeys.GATEWAY_LISTEN)).isEqualTo(new HostPort("0.0.0.0", 9090));
        assertThat(c.get(ConfigKeys.LIBP2P_LISTEN)).containsExactly("/ip4/127.0.0.1/tcp/0", "/ip6/::1/tcp/4001");
        assertThat(c.get(ConfigKeys.BLOCKSTORE_CACHE_BYTES)).isEqualTo(1024L);
        assertThat(c.get(ConfigKeys.DAEMON_SHUTDOWN_GRACE)).isEqualTo(Duration.ofMillis(250));
        assertThat(c.source(ConfigKeys.NETWORK)).isEqualTo(tmp.resolve("config.toml").toString());
    }

    @Test
    void precedenceIsFileThenEnvThenSet() throws Exception {
        Path f = toml("[gateway]\nlisten = \"127.0.0.1:1\"\n[api]\nlisten = \"127.0.0.1:2\"\n");
        Map<String, String> env = Map.of("VRN_GATEWAY_LISTEN", "127.0.0.1:3", "VRN_NETWORK", "devnet",
                "VRN_REPO", "/ignored", "VRN_NOT_A_KEY", "ignored");
        NodeConfig c = NodeConfig.load(f, env, List.of("network=calibnet", "network=mainnet"));
        assertThat(c.get(ConfigKeys.API_LISTEN).port()).isEqualTo(2);          // file
        assertThat(c.get(ConfigKeys.GATEWAY_LISTEN).port()).isEqualTo(3);      // env beats file
        assertThat(c.source(ConfigKeys.GATEWAY_LISTEN)).isEqualTo("env VRN_GATEWAY_LISTEN");
        assertThat(c.get(ConfigKeys.NETWORK)).isEqualTo("mainnet");            // last --set beats env
        assertThat(c.source(ConfigKeys.NETWORK)).isEqualTo("--set");
        NodeConfig c2 = NodeConfig.load(f, env, List.of("gateway.listen=127.0.0.1:0"));
        assertThat(c2.get(ConfigKeys.GATEWAY_LISTEN).port()).isZero();
    }

    @Test
    void verifyReadsIsOffByDefaultAndSetByFileEnvOrSet() throws Exception {
        assertThat(NodeConfig.defaults().get(ConfigKeys.BLOCKSTORE_VERIFY_READS)).isFalse();
        assertThat(ConfigKeys.BLOCKSTORE_VERIFY_READS.envVar()).isEqualTo("VRN_BLOCKSTORE_VERIFY_READS");
        Path f = toml("[blockstore]\nverify_reads = true\n");
        NodeConfig file = NodeConfig.load(f, Map.of(), List.of());
        assertThat(file.get(ConfigKeys.BLOCKSTORE_VERIFY_READS)).isTrue();
        NodeConfig env = NodeConfig.load(f, Map.of("VRN_BLOCKSTORE_VERIFY_READS", "false"), List.of());
        assertThat(env.get(ConfigKeys.BLOCKSTORE_VERIFY_READS)).isFalse();
        assertThat(env.source(ConfigKeys.BLOCKSTORE_VERIFY_READS)).isEqualTo("env VRN_BLOCKSTORE_VERIFY_READS");
        assertThat(NodeConfig.load(null, Map.of("VRN_BLOCKSTORE_VERIFY_READS", "true"), List.of())
                .get(ConfigKeys.BLOCKSTORE_VERIFY_READS)).isTrue();
        assertThat(NodeConfig.load(null, Map.of("VRN_BLOCKSTORE_VERIFY_READS", "true"), List.of("blockstore.verify_reads=false"))
                .get(ConfigKeys.BLOCKSTORE_VERIFY_READS)).isFalse();
        assertThat(configError(() -> NodeConfig.load(null, Map.of("VRN_BLOCKSTORE_VERIFY_READS", "yes"), List.of())).getMessage())
                .isEqualTo("config: blockstore.verify_reads = \"yes\" (from env VRN_BLOCKSTORE_VERIFY_READS): expected true or false");
    }

    @Test
    void envVarNames() {
        assertThat(ConfigKeys.GATEWAY_LISTEN.envVar()).isEqualTo("VRN_GATEWAY_LISTEN");
        assertThat(ConfigKeys.DAEMON_SHUTDOWN_GRACE.envVar()).isEqualTo("VRN_DAEMON_SHUTDOWN_GRACE");
    }

    @Test
    void unknownKeysAreRefused() throws Exception {
        Path f = toml("[gateway]\nlisten = \"127.0.0.1:1\"\nlsten = \"x\"\n");
        assertThat(configError(() -> NodeConfig.load(f, Map.of(), List.of())).getMessage())
                .isEqualTo("config: unknown key \"gateway.lsten\" in " + f + " (see docs/config.md)");
        assertThat(configError(() -> NodeConfig.load(null, Map.of(), List.of("gatway.listen=1.2.3.4:5"))).getMessage())
                .contains("unknown key \"gatway.listen\" in --set");
        assertThat(configError(() -> NodeConfig.load(null, Map.of(), List.of("network"))).getMessage())
                .contains("--set \"network\" is not key=value");
    }

    @Test
    void badValuesNameTheKeyAndSource() {
        assertThat(configError(() -> NodeConfig.load(null, Map.of(), List.of("network=testnet"))).getMessage())
                .isEqualTo("config: network = \"testnet\" (from --set): expected one of mainnet, calibnet, devnet");
        assertThat(configError(() -> NodeConfig.load(null, Map.of("VRN_API_LISTEN", "localhost"), List.of())).getMessage())
                .startsWith("config: api.listen = \"localhost\" (from env VRN_API_LISTEN): expected host:port");
        assertThat(configError(() -> NodeConfig.load(null, Map.of(), List.of("gateway.listen=127.0.0.1:70000"))).getMessage())
                .contains("gateway.listen").contains("0..65535");
        assertThat(configError(() -> NodeConfig.load(null, Map.of(), List.of("gateway.listen=127.0.0.1:http"))).getMessage())
                .contains("gateway.listen").contains("port \"http\"");
        assertThat(configError(() -> NodeConfig.load(null, Map.of(), List.of("libp2p.listen=/ip4/1.2.3.4/udp/1"))).getMessage())
                .contains("libp2p.listen").contains("/tcp/PORT");
        assertThat(configError(() -> NodeConfig.load(null, Map.of(), List.of("libp2p.listen=/ip4/1.2.3.999/tcp/1"))).getMessage())
                .contains("not an IPv4 address");
        assertThat(configError(() -> NodeConfig.load(null, Map.of(), List.of("libp2p.listen=/ip4/1.2.3.4/tcp/1,"))).getMessage())
                .contains("empty multiaddr");
        assertThat(configError(() -> NodeConfig.load(null, Map.of(), List.of("daemon.shutdown_grace=5"))).getMessage())
                .contains("daemon.shutdown_grace").contains("duration");
        assertThat(configError(() -> NodeConfig.load(null, Map.of(), List.of("blockstore.cache_bytes=-1"))).getMessage())
                .contains("blockstore.cache_bytes");
        assertThat(configError(() -> NodeConfig.load(null, Map.of(), List.of("retrieval.payment_interval=0"))).getMessage())
                .contains("retrieval.payment_interval").contains("at least 1");
        assertThat(configError(() -> NodeConfig.load(null, Map.of(), List.of("retrieval.price_per_byte=1.5"))).getMessage())
                .contains("retrieval.price_per_byte").contains("attoFIL");
        assertThat(configError(() -> NodeConfig.load(null, Map.of(), List.of("log.level=loud"))).getMessage())
                .contains("log.level");
    }

    @Test
    void badTomlAndMissingFile() throws Exception {
        Path f = toml("[gateway\nlisten = 1\n");
        assertThat(configError(() -> NodeConfig.load(f, Map.of(), List.of())).getMessage()).startsWith("config: cannot parse " + f);
        assertThat(configError(() -> NodeConfig.load(tmp.resolve("nope.toml"), Map.of(), List.of())).getMessage())
                .contains("does not exist");
    }

    @Test
    void valueParsers() {
        assertThat(ConfigKey.parseBytes("64KiB")).isEqualTo(65536);
        assertThat(ConfigKey.parseBytes("1GB")).isEqualTo(1_000_000_000L);
        assertThat(ConfigKey.parseBytes("7")).isEqualTo(7);
        assertThatThrownBy(() -> ConfigKey.parseBytes("99999999999TiB")).hasMessageContaining("too large");
        assertThat(ConfigKey.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(HostPort.parse("[::1]:80")).isEqualTo(new HostPort("::1", 80));
        assertThat(HostPort.parse("[::1]:80").toString()).isEqualTo("[::1]:80");
        assertThatThrownBy(() -> HostPort.parse("::1:80")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HostPort.parse(":80")).isInstanceOf(IllegalArgumentException.class);
    }
}
