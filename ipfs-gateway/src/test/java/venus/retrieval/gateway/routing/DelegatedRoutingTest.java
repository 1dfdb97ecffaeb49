package venus.retrieval.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import venus.retrieval.gateway.BodySink;
import venus.retrieval.gateway.GatewayException;
import venus.retrieval.gateway.GatewayRequest;
import venus.retrieval.gateway.GatewayResponse;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multicodec;

class DelegatedRoutingTest {
    private static final Cid HELD = Cid.of(Multicodec.RAW, new byte[] {1});
    private static final Cid OTHER = Cid.of(Multicodec.RAW, new byte[] {2});
    private final DelegatedRouting routing = new DelegatedRouting(
            req -> GatewayResponse.text(200, "next"),
            HELD::equals,
            () -> List.of(new DelegatedRouting.ProviderRecord("12D3KooWTest", List.of("/ip4/127.0.0.1/tcp/4001", "/ip4/127.0.0.1/tcp/8080/http"),
                    List.of("transport-bitswap", "transport-ipfs-gateway-http"))));

    private static GatewayRequest get(String path, String accept) {
        HttpHeaders h = new DefaultHttpHeaders();
        if (accept != null) {
            h.set("Accept", accept);
        }
        return GatewayRequest.of("GET", path, h, new InetSocketAddress("127.0.0.1", 1), "http/1.1");
    }

    private static String body(GatewayResponse r) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        r.body().writeTo(new BodySink() {
            @Override
            public void write(byte[] b, int off, int len) {
                out.write(b, off, len);
            }

            @Override
            public void writeFile(Path file, long position, long count) {
                throw new UnsupportedOperationException();
            }
        });
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void providersAsJson() throws Exception {
        GatewayResponse r = routing.handle(get("/routing/v1/providers/" + HELD, null));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().get("Content-Type")).isEqualTo("application/json");
        assertThat(r.paidContent()).isNull();
        JsonNode n = new ObjectMapper().readTree(body(r));
        JsonNode p = n.get("Providers").get(0);
        assertThat(p.get("Schema").asText()).isEqualTo("peer");
        assertThat(p.get("ID").asText()).isEqualTo("12D3KooWTest");
        assertThat(p.get("Addrs").get(0).asText()).isEqualTo("/ip4/127.0.0.1/tcp/4001");
        assertThat(p.get("Protocols").toString()).isEqualTo("[\"transport-bitswap\",\"transport-ipfs-gateway-http\"]");
    }

    @Test
    void providersAsNdjson() throws Exception {
        GatewayResponse r = routing.handle(get("/routing/v1/providers/" + HELD, "application/x-ndjson"));
        assertThat(r.headers().get("Content-Type")).isEqualTo("application/x-ndjson");
        String[] lines = body(r).split("\n");
        assertThat(lines).hasSize(1);
        assertThat(new ObjectMapper().readTree(lines[0]).get("ID").asText()).isEqualTo("12D3KooWTest");
    }

    @Test
    void notHeldIs404BadCidIs400OtherPathsPassThrough() throws Exception {
        assertThat(routing.handle(get("/routing/v1/providers/" + OTHER, null)).status()).isEqualTo(404);
        assertThatThrownBy(() -> routing.handle(get("/routing/v1/providers/notacid", null)))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.reason()).isEqualTo(GatewayException.Reason.BAD_REQUEST));
        assertThatThrownBy(() -> routing.handle(get("/routing/v1/peers/12D3KooWTest", null)))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.reason()).isEqualTo(GatewayException.Reason.NOT_FOUND));
        assertThat(body(routing.handle(get("/ipfs/" + HELD, null)))).isEqualTo("next\n");
    }
}
