package venus.retrieval.node.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.googlecode.jsonrpc4j.JsonRpcMethod;
import org.junit.jupiter.api.Test;
import venus.retrieval.node.NodeException;

class RpcDispatcherTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    public interface TestApi {
        @JsonRpcMethod("Test.Add")
        @RequiresPermission(Permission.READ)
        long add(long a, long b);

        @JsonRpcMethod("Test.NodeError")
        @RequiresPermission(Permission.WRITE)
        String nodeError();

        @JsonRpcMethod("Test.Bug")
        String bug(String secret);
    }

    public interface Unnamed {
        String noName();
    }

    static final class Impl implements TestApi {
        @Override
        public long add(long a, long b) {
            return a + b;
        }

        @Override
        public String nodeError() {
            throw new NodeException(NodeException.Reason.IO, "disk on fire");
        }

        @Override
        public String bug(String secret) {
            throw new IllegalStateException("oops " + secret);
        }
    }

    private final RpcDispatcher rpc = new RpcDispatcher(JSON).register(TestApi.class, new Impl());

    private JsonNode call(String body) throws Exception {
        return rpc.handle(JSON.readTree(body), Permission.ADMIN);
    }

    @Test
    void permissionsFromAnnotationsDefaultAdmin() {
        assertThat(rpc.requiredPermission("Test.Add")).contains(Permission.READ);
        assertThat(rpc.requiredPermission("Test.NodeError")).contains(Permission.WRITE);
        assertThat(rpc.requiredPermission("Test.Bug")).contains(Permission.ADMIN);
        assertThat(rpc.requiredPermission("Test.Nope")).isEmpty();
        assertThat(Permission.WRITE.allows(Permission.READ)).isTrue();
        assertThat(Permission.WRITE.allows(Permission.ADMIN)).isFalse();
    }

    @Test
    void registrationErrors() {
        assertThatThrownBy(() -> rpc.register(TestApi.class, new Impl())).hasMessageContaining("registered twice");
        assertThatThrownBy(() -> new RpcDispatcher(JSON).register(Unnamed.class, () -> "x")).hasMessageContaining("no @JsonRpcMethod");
    }

    @Test
    void positionalParamsAndBadTypes() throws Exception {
        assertThat(call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"Test.Add\",\"params\":[2,3]}").get("result").asLong()).isEqualTo(5);
        JsonNode bad = call("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"Test.Add\",\"params\":[\"x\",3]}");
        assertThat(bad.at("/error/code").asInt()).isEqualTo(-32602);
        assertThat(bad.at("/error/message").asText()).startsWith("invalid params: ");
        assertThat(bad.get("id").asInt()).isEqualTo(9);
    }

    @Test
    void errorsAreOneLineWithoutParameters() throws Exception {
        JsonNode node = call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"Test.NodeError\"}");
        assertThat(node.at("/error/code").asInt()).isEqualTo(RpcDispatcher.NODE_ERROR);
        assertThat(node.at("/error/message").asText()).isEqualTo("disk on fire");
        assertThat(node.at("/error/data/reason").asText()).isEqualTo("IO");
        JsonNode bug = call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"Test.Bug\",\"params\":[\"hunter2\"]}");
        assertThat(bug.at("/error/code").asInt()).isEqualTo(-32603);
        assertThat(bug.at("/error/message").asText()).isEqualTo("internal error in Test.Bug");
        assertThat(bug.toString()).doesNotContain("hunter2").doesNotContain("IllegalStateException");
    }
}
