package venus.retrieval.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multibase;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.cbor.DagCbor;
import venus.retrieval.ipld.json.DagJson;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.ipld.pb.DagPb;
import venus.retrieval.ipld.pb.PbLink;
import venus.retrieval.ipld.pb.PbNode;

/**
 * CID parse/format and codec decode/encode, in operations per second. The dag-cbor "message" is
 * a real data-transfer pull request with a retrieval deal proposal (531 bytes, §10.4 of the
 * retrieval notes); the "links" block is a map holding a list of 174 CIDv1 links (what a
 * dag-cbor index node looks like); the dag-pb node is a UnixFS file root with 174 links, as
 * Kubo's balanced layout writes it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class IpldCodecsBench {
    private static final String DT_PULL_REQUEST =
            "a36449735271f56752657175657374aa6442436964d82a5827000171a0e402200a2439495cfb5eafbb79669f644ca2c5a3d31b28e96c424cde5dd0e540a7d9486454797065006450617573f46450617274f46450756c6cf56453746f72a16152a2616ca1646e6f6e65a0623a3ea16161a1613ea16140a065566f756368a36a5061796c6f6164434944d82a5827000171a0e402200a2439495cfb5eafbb79669f644ca2c5a3d31b28e96c424cde5dd0e540a7d9486249440166506172616d73a66853656c6563746f72a16152a2616ca1646e6f6e65a0623a3ea16161a1613ea16140a0685069656365434944f66c5072696365506572427974654200646f5061796d656e74496e74657276616c192710775061796d656e74496e74657276616c496e6372656173651903e86b556e7365616c50726963654064565479707752657472696576616c4465616c50726f706f73616c2f3166586665724944016e526573746172744368616e6e656c8360600068526573706f6e7365f6";

    private String cidV1String;
    private String cidV0String;
    private Cid cidV1;
    private Cid cidV0;
    private byte[] message;
    private Node messageNode;
    private byte[] links;
    private Node linksNode;
    private byte[] linksJson;
    private byte[] pb;
    private PbNode pbNode;

    @Setup
    public void setup() {
        cidV1 = Cid.of(Multicodec.DAG_CBOR, new byte[] {1, 2, 3});
        cidV1String = cidV1.toString();
        cidV0 = Cid.parse("QmTTA2daxGqo5denp6SwLzzkLJm3fuisYEi9CoWsuHpzfb");
        cidV0String = cidV0.toString();
        message = Multibase.unhex(DT_PULL_REQUEST);
        messageNode = DagCbor.decode(message);
        List<Node> l = new ArrayList<>();
        List<PbLink> pl = new ArrayList<>();
        for (int i = 0; i < 174; i++) {
            Cid c = Cid.of(Multicodec.RAW, new byte[] {(byte) i, (byte) (i >> 8)});
            l.add(Node.link(c));
            pl.add(PbLink.of(c, "", 262158));
        }
        linksNode = Node.mapBuilder().put("entries", Node.list(l)).put("count", 174).build();
        links = DagCbor.encode(linksNode);
        linksJson = DagJson.encode(linksNode);
        pbNode = new PbNode(pl, new byte[] {8, 2, 24, (byte) 0x80, (byte) 0x80, (byte) 0xae, 0x15});
        pb = DagPb.encode(pbNode);
    }

    @Benchmark
    public Cid cidParseV1() {
        return Cid.parse(cidV1String);
    }

    @Benchmark
    public Cid cidParseV0() {
        return Cid.parse(cidV0String);
    }

    @Benchmark
    public String cidToStringV1() {
        return cidV1.toString();
    }

    @Benchmark
    public String cidToStringV0() {
        return cidV0.toString();
    }

    @Benchmark
    public Node dagCborDecodeMessage() {
        return DagCbor.decode(message);
    }

    @Benchmark
    public byte[] dagCborEncodeMessage() {
        return DagCbor.encode(messageNode);
    }

    @Benchmark
    public Node dagCborDecodeLinks() {
        return DagCbor.decode(links);
    }

    @Benchmark
    public byte[] dagCborEncodeLinks() {
        return DagCbor.encode(linksNode);
    }

    @Benchmark
    public Node dagJsonDecodeLinks() {
        return DagJson.decode(linksJson);
    }

    @Benchmark
    public byte[] dagJsonEncodeLinks() {
        return DagJson.encode(linksNode);
    }

    @Benchmark
    public PbNode dagPbDecode() {
        return DagPb.decode(pb);
    }

    @Benchmark
    public byte[] dagPbEncode() {
        return DagPb.encode(pbNode);
    }
}
