package venus.retrieval.paych.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Base64;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.Multihash;
import venus.retrieval.paych.Address;
import venus.retrieval.paych.PaychException;
import venus.retrieval.paych.Signature;
import venus.retrieval.paych.TokenAmount;

/**
 * Serves a {@link ChainApi} (on a devnet: the {@link DevLedger}) as the Lotus JSON-RPC subset that
 * {@link LotusChainApi} speaks, so every client uses the Lotus code path against it. Transport-free:
 * the host (the daemon, at {@code API/rpc/v1}) hands it a request body and writes back the answer;
 * authentication is the host's job. Methods: {@code Filecoin.ChainHead}, {@code StateReadState},
 * {@code StateAccountKey}, {@code StateLookupID}, {@code WalletVerify}, {@code MpoolPushMessage},
 * {@code StateWaitMsg}, {@code ChainReadObj}, with Lotus' JSON shapes; on a {@link DevLedger} also
 * {@code Filecoin.VrnDevCreateChannel [from, to, attoFIL]} (funds {@code from} from the faucet as
 * needed), {@code Filecoin.VrnDevAdvance [epochs]} and {@code Filecoin.WalletBalance [address]}.
 */
public final class LotusRpcHandler {
    /** JSON-RPC error codes: parse error, invalid request, method not found, and go-jsonrpc's generic handler error. */
    static final int PARSE_ERROR = -32700, INVALID_REQUEST = -32600, METHOD_NOT_FOUND = -32601, HANDLER_ERROR = 1;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A stand-in actor code CID ("paymentchannel"), since the dev ledger has no real actor bundle. */
    private static final Cid PAYCH_CODE = Cid.v1(Multicodec.RAW, Multihash.of(Multicodec.IDENTITY, "fil/dev/paymentchannel".getBytes(java.nio.charset.StandardCharsets.UTF_8)));

    private final ChainApi chain;

    /** A handler that answers the Lotus JSON-RPC subset from {@code chain} (the dev ledger, in the daemon). */
    public LotusRpcHandler(ChainApi chain) {
        this.chain = chain;
    }

    /** Answers one JSON-RPC 2.0 request body. */
    public byte[] handle(byte[] body) {
        ObjectNode resp = JSON.createObjectNode();
        resp.put("jsonrpc", "2.0");
        JsonNode req;
        try {
            req = JSON.readTree(body);
        } catch (IOException e) {
            resp.putNull("id");
            return error(resp, PARSE_ERROR, "parse error: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
        if (req == null || !req.isObject() || !req.path("method").isTextual()) {
            resp.putNull("id");
            return error(resp, INVALID_REQUEST, "invalid request");
        }
        resp.set("id", req.get("id"));
        JsonNode p = req.path("params");
        try {
            JsonNode result = dispatch(req.get("method").asText(), p);
            if (result == null) {
                return error(resp, METHOD_NOT_FOUND, "method '" + req.get("method").asText() + "' not found");
            }
            resp.set("result", result);
            return bytes(resp);
        } catch (PaychException e) {
            String msg = e.reason() == PaychException.Reason.CHANNEL_NOT_FOUND ? "actor not found: " + e.getMessage() : e.getMessage();
            return error(resp, HANDLER_ERROR, msg);
        } catch (IpldException | IllegalArgumentException | NullPointerException e) {
            return error(resp, HANDLER_ERROR, "bad params: " + e.getMessage());
        }
    }

    private JsonNode dispatch(String method, JsonNode p) {
        switch (method) {
            case "Filecoin.ChainHead": {
                ObjectNode ts = JSON.createObjectNode();
                ts.putArray("Cids");
                ts.putArray("Blocks");
                ts.put("Height", chain.chainHead());
                return ts;
            }
            case "Filecoin.StateReadState": {
                PaychState s = chain.stateReadState(address(p.get(0)));
                ObjectNode o = JSON.createObjectNode();
                o.put("Balance", s.balance().toAttoString());
                o.set("Code", link(PAYCH_CODE));
                ObjectNode st = o.putObject("State");
                st.put("From", s.from().toString());
                st.put("To", s.to().toString());
                st.put("ToSend", s.toSend().toAttoString());
                st.put("SettlingAt", s.settlingAt());
                st.put("MinSettleHeight", s.minSettleHeight());
                st.set("LaneStates", link(s.laneStatesRoot()));
                return o;
            }
            case "Filecoin.StateAccountKey":
                return JSON.getNodeFactory().textNode(chain.stateAccountKey(address(p.get(0))).toString());
            case "Filecoin.StateLookupID":
                return JSON.getNodeFactory().textNode(chain.stateLookupId(address(p.get(0))).toString());
            case "Filecoin.WalletVerify": {
                JsonNode sig = p.get(2);
                Signature s = new Signature(Signature.Type.of(sig.get("Type").asInt()), Base64.getDecoder().decode(sig.get("Data").asText()));
                return JSON.getNodeFactory().booleanNode(chain.walletVerify(address(p.get(0)), Base64.getDecoder().decode(p.get(1).asText()), s));
            }
            case "Filecoin.MpoolPushMessage": {
                JsonNode m = p.get(0);
                byte[] params = m.path("Params").isTextual() ? Base64.getDecoder().decode(m.get("Params").asText()) : new byte[0];
                Cid c = chain.mpoolPushMessage(new Message(address(m.get("To")), address(m.get("From")),
                        TokenAmount.ofAtto(m.path("Value").asText("0")), m.path("Method").asLong(), params));
                ObjectNode o = JSON.createObjectNode();
                o.set("Message", m);
                o.putObject("Signature").put("Type", Signature.Type.SECP256K1.code()).put("Data", "");
                o.set("CID", link(c));
                return o;
            }
            case "Filecoin.StateWaitMsg": {
                MessageReceipt r = chain.stateWaitMsg(cid(p.get(0)), p.path(1).asLong(0));
                ObjectNode o = JSON.createObjectNode();
                o.set("Message", link(r.message()));
                ObjectNode rc = o.putObject("Receipt");
                rc.put("ExitCode", r.exitCode());
                if (r.returnValue().length == 0) {
                    rc.putNull("Return");
                } else {
                    rc.put("Return", Base64.getEncoder().encodeToString(r.returnValue()));
                }
                rc.put("GasUsed", 0);
                o.putNull("ReturnDec");
                o.putArray("TipSet");
                o.put("Height", r.height());
                return o;
            }
            case "Filecoin.VrnDevCreateChannel": {
                // devnet only: fund From from the faucet if needed, then create the channel
                DevLedger dev = devLedger();
                Address from = address(p.get(0));
                TokenAmount amount = TokenAmount.ofAtto(p.get(2).asText());
                TokenAmount have = dev.balance(from);
                if (have.lessThan(amount)) {
                    dev.fund(from, amount.subtract(have));
                }
                Address ch = dev.createChannel(from, address(p.get(1)), amount);
                ObjectNode o = JSON.createObjectNode();
                o.put("Channel", ch.toString());
                o.put("ChannelID", dev.stateLookupId(ch).toString());
                return o;
            }
            case "Filecoin.WalletBalance":
                // Lotus answers any address's balance; only the dev ledger keeps balances here
                return JSON.getNodeFactory().textNode(devLedger().balance(address(p.get(0))).toAttoString());
            case "Filecoin.VrnDevAdvance":
                return JSON.getNodeFactory().numberNode(devLedger().advance(p.get(0).asLong()));
            case "Filecoin.ChainReadObj":
                return JSON.getNodeFactory().textNode(Base64.getEncoder().encodeToString(chain.chainReadObj(cid(p.get(0)))));
            default:
                return null;
        }
    }

    /** Whether {@code method} changes state (pushes a message or uses the dev faucet): hosts require write access for these. */
    public static boolean writes(String method) {
        return method.equals("Filecoin.MpoolPushMessage") || method.startsWith("Filecoin.VrnDev");
    }

    private DevLedger devLedger() {
        if (!(chain instanceof DevLedger d)) {
            throw new IllegalArgumentException("this node does not run a dev ledger");
        }
        return d;
    }

    private static Address address(JsonNode n) {
        if (n == null || !n.isTextual()) {
            throw new IllegalArgumentException("expected an address string");
        }
        return Address.parse(n.asText());
    }

    private static Cid cid(JsonNode n) {
        if (n == null || !n.path("/").isTextual()) {
            throw new IllegalArgumentException("expected a CID link {\"/\": …}");
        }
        return Cid.parse(n.get("/").asText());
    }

    private static ObjectNode link(Cid c) {
        ObjectNode o = JSON.createObjectNode();
        o.put("/", c.toString());
        return o;
    }

    private static byte[] error(ObjectNode resp, int code, String message) {
        resp.putObject("error").put("code", code).put("message", message);
        return bytes(resp);
    }

    private static byte[] bytes(ObjectNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
