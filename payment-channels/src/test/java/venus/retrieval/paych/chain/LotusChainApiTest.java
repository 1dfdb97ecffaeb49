package venus.retrieval.paych.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.paych.Address;
import venus.retrieval.paych.PaychException;
import venus.retrieval.paych.Signature;
import venus.retrieval.paych.TokenAmount;

class LotusChainApiTest {
    static final Cid LANES = Cid.of(Multicodec.DAG_CBOR, new byte[] {(byte) 0x84, 3, 0, 0, (byte) 0x83, 0x41, 0, (byte) 0x80, (byte) 0x80});
    static final Cid MSG = Cid.of(Multicodec.DAG_CBOR, new byte[] {1, 2, 3});
    FakeLotusNode node;
    LotusChainApi api;

    @BeforeEach
    void start() throws Exception {
        node = new FakeLotusNode("secret-token");
        api = new LotusChainApi(node.endpoint(), "secret-token", Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        node.close();
    }

    @Test
    void chainHeadReadsHeightAndSendsJsonRpcWithBearerToken() {
        node.on("ChainHead", p -> FakeLotusNode.json("{\"Cids\":[{\"/\":\"" + MSG + "\"}],\"Blocks\":[],\"Height\":4242}"));
        assertThat(api.chainHead()).isEqualTo(4242);
        JsonNode req = node.lastRequest();
        assertThat(req.get("jsonrpc").asText()).isEqualTo("2.0");
        assertThat(req.get("method").asText()).isEqualTo("Filecoin.ChainHead");
        assertThat(req.get("params").isArray()).isTrue();
        assertThat(req.get("params")).isEmpty();
        assertThat(node.authHeaders).containsOnly("Bearer secret-token");
    }

    @Test
    void stateReadStateParsesThePaychActorShape() {
        node.on("StateReadState", p -> FakeLotusNode.json("{\"Balance\":\"5000000000000000000\",\"Code\":{\"/\":\"" + MSG + "\"},"
                + "\"State\":{\"From\":\"f01001\",\"To\":\"f01002\",\"ToSend\":\"1000\",\"SettlingAt\":0,\"MinSettleHeight\":7,"
                + "\"LaneStates\":{\"/\":\"" + LANES + "\"}}}"));
        Address ch = Address.parse("f2edcoyjd4utkafphh3ov6ongftldzsqpninngbla");
        PaychState s = api.stateReadState(ch);
        assertThat(s.balance()).isEqualTo(TokenAmount.ofFil(5));
        assertThat(s.from()).isEqualTo(Address.id(1001));
        assertThat(s.to()).isEqualTo(Address.id(1002));
        assertThat(s.toSend()).isEqualTo(TokenAmount.ofAtto(1000));
        assertThat(s.settlingAt()).isZero();
        assertThat(s.minSettleHeight()).isEqualTo(7);
        assertThat(s.laneStatesRoot()).isEqualTo(LANES);
        // params: [address, null tipset key = head]
        assertThat(node.lastRequest().get("params").toString()).isEqualTo("[\"" + ch + "\",null]");
    }

    @Test
    void missingActorIsChannelNotFound() {
        node.on("StateReadState", p -> {
            throw new FakeLotusNode.RpcError(1, "load state tree: actor not found");
        });
        assertThatThrownBy(() -> api.stateReadState(Address.id(99)))
                .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.CHANNEL_NOT_FOUND);
    }

    @Test
    void addressLookups() {
        node.on("StateAccountKey", p -> "t1d2xrzcslx7xlbbylc5c3d5lvandqw4iwl6epxba");
        node.on("StateLookupID", p -> "f01001");
        assertThat(api.stateAccountKey(Address.id(1001))).isEqualTo(Address.parse("f1d2xrzcslx7xlbbylc5c3d5lvandqw4iwl6epxba"));
        assertThat(node.lastRequest().get("params").get(0).asText()).isEqualTo("f01001");
        assertThat(api.stateLookupId(Address.parse("f1d2xrzcslx7xlbbylc5c3d5lvandqw4iwl6epxba"))).isEqualTo(Address.id(1001));
    }

    @Test
    void walletVerifySendsBase64DataAndTypedSignature() {
        node.on("WalletVerify", p -> p.get(1).asText().equals("AQID") && p.get(2).get("Type").asInt() == 2);
        Signature bls = new Signature(Signature.Type.BLS, new byte[96]);
        assertThat(api.walletVerify(Address.id(5), new byte[] {1, 2, 3}, bls)).isTrue();
        assertThat(node.lastRequest().get("params").get(2).get("Data").asText()).isEqualTo(Base64.getEncoder().encodeToString(new byte[96]));
        assertThat(api.walletVerify(Address.id(5), new byte[] {1, 2, 4}, bls)).isFalse();
    }

    @Test
    void pushAndWaitForAMessage() {
        node.on("MpoolPushMessage", p -> FakeLotusNode.json("{\"Message\":" + p.get(0) + ",\"Signature\":{\"Type\":1,\"Data\":\"AA==\"},\"CID\":{\"/\":\"" + MSG + "\"}}"));
        node.on("StateWaitMsg", p -> FakeLotusNode.json("{\"Message\":" + p.get(0) + ",\"Receipt\":{\"ExitCode\":16,\"Return\":null,\"GasUsed\":100},"
                + "\"ReturnDec\":null,\"TipSet\":[],\"Height\":77}"));
        Message m = new Message(Address.id(1003), Address.id(1002), TokenAmount.ZERO, Message.METHOD_UPDATE_CHANNEL_STATE, new byte[] {(byte) 0x82});
        Cid c = api.mpoolPushMessage(m);
        assertThat(c).isEqualTo(MSG);
        JsonNode sent = node.lastRequest().get("params");
        assertThat(sent.get(0).get("To").asText()).isEqualTo("f01003");
        assertThat(sent.get(0).get("From").asText()).isEqualTo("f01002");
        assertThat(sent.get(0).get("Method").asLong()).isEqualTo(2);
        assertThat(sent.get(0).get("Value").asText()).isEqualTo("0");
        assertThat(sent.get(0).get("Params").asText()).isEqualTo("gg==");
        assertThat(sent.get(1).get("MaxFee").asText()).isEqualTo("0");
        MessageReceipt r = api.stateWaitMsg(c, 2);
        assertThat(r.exitCode()).isEqualTo(16);
        assertThat(r.ok()).isFalse();
        assertThat(r.height()).isEqualTo(77);
        assertThat(node.lastRequest().get("params").toString()).isEqualTo("[{\"/\":\"" + MSG + "\"},2,-1,true]");
    }

    @Test
    void chainReadObjDecodesBase64() {
        node.on("ChainReadObj", p -> Base64.getEncoder().encodeToString(new byte[] {7, 7}));
        assertThat(api.chainReadObj(LANES)).containsExactly(7, 7);
        assertThat(node.lastRequest().get("params").get(0).get("/").asText()).isEqualTo(LANES.toString());
    }

    @Test
    void errorsAreOneClearLine() throws Exception {
        node.on("ChainHead", p -> {
            throw new FakeLotusNode.RpcError(13, "payment channels disabled");
        });
        assertThatThrownBy(() -> api.chainHead()).hasMessageContaining("payment channels disabled").hasMessageContaining("code 13");
        assertThatThrownBy(() -> api.stateLookupId(Address.id(1))).hasMessageContaining("not found");
        LotusChainApi wrongToken = new LotusChainApi(node.endpoint(), "nope", Duration.ofSeconds(5));
        assertThatThrownBy(wrongToken::chainHead).hasMessageContaining("HTTP 401").hasMessageContaining("token");
        node.on("StateAccountKey", p -> 12);
        assertThatThrownBy(() -> api.stateAccountKey(Address.id(1))).hasMessageContaining("unexpected StateAccountKey answer");
        node.close();
        assertThatThrownBy(() -> api.chainHead()).hasMessageContaining("unreachable")
                .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.CHAIN);
    }

    @Test
    void apiInfoConvention() {
        LotusChainApi a = LotusChainApi.fromApiInfo("tok:/ip4/127.0.0.1/tcp/1234/http", Duration.ofSeconds(1));
        assertThat(a.endpoint().toString()).isEqualTo("http://127.0.0.1:1234/rpc/v1");
        assertThat(LotusChainApi.fromApiInfo("http://h:9/", Duration.ofSeconds(1)).endpoint().toString()).isEqualTo("http://h:9/rpc/v1");
        assertThat(LotusChainApi.fromApiInfo("tok:http://h:9", Duration.ofSeconds(1)).endpoint().toString()).isEqualTo("http://h:9/rpc/v1");
        assertThatThrownBy(() -> LotusChainApi.fromApiInfo("tok:/ip4/1.2.3.4/udp/1", Duration.ofSeconds(1))).hasMessageContaining("API address");
    }
}
