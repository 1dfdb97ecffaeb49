package venus.retrieval.node.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.blockstore.ImportOptions;
import venus.retrieval.blockstore.ImportProgress;
import venus.retrieval.gateway.bitswap.BitswapCodec;
import venus.retrieval.gateway.bitswap.BitswapMessage;
import venus.retrieval.gateway.bitswap.BitswapMessage.Entry;
import venus.retrieval.gateway.bitswap.BitswapMessage.Presence;
import venus.retrieval.gateway.bitswap.BitswapMessage.PresenceType;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Varint;
import venus.retrieval.ipld.testing.Vectors;
import venus.retrieval.libp2p.Connection;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.libp2p.Stream;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.libp2p.host.HostConfig;
import venus.retrieval.libp2p.multiaddr.Multiaddr;
import venus.retrieval.node.NodeException;
import venus.retrieval.node.config.NodeConfig;
import venus.retrieval.node.repo.Repo;
import venus.retrieval.node.repo.RepoInit;

/** The daemon's Bitswap and delegated routing: identify, the public-pieces policy, provider records. */
class BitswapServiceTest {
    static final String PUBLIC_ROOT = "bafybeiacftqp4vjhb5aelbt76t7vpx64flvtz7ikieeezyckdlss4gpwma"; // file-1048577 v1
    static final String SITE = "bafybeico3ftrhbglzf46qejzpogtcqsscwyrovzb2pis6ehemxsl4fcbou";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    Daemon daemon;
    Host client;
    final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (daemon != null) {
            daemon.stop();
        }
    }

    private JsonNode start(String... extra) throws Exception {
        JsonNode dj = startEmpty(extra);
        daemon.context().store().importPiece(Vectors.file("unixfs/file-1048577-unixfs-v1-2025.car"),
                ImportOptions.defaults().withPublic(true), ImportProgress.NONE);
        daemon.context().store().importPiece(Vectors.file("unixfs/dir-site.car"), ImportOptions.defaults(), ImportProgress.NONE);
        return dj;
    }

    private JsonNode startEmpty(String... extra) throws Exception {
        Repo repo = RepoInit.init(tmp.resolve("repo")).repo();
        List<String> sets = new ArrayList<>(List.of("api.listen=127.0.0.1:0", "gateway.listen=127.0.0.1:0",
                "libp2p.listen=/ip4/127.0.0.1/tcp/0", "daemon.shutdown_grace=1s"));
        sets.addAll(List.of(extra));
        daemon = Daemon.start(repo, NodeConfig.load(repo.configFile(), Map.of(), sets));
        return JSON.readTree(repo.daemonJson().toFile());
    }

    /** Sends one wantlist and collects everything the daemon answers until it half-closes its stream. */
    private BitswapMessage exchange(String libp2pAddr, List<Entry> wants) throws Exception {
        client = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
        CompletableFuture<byte[]> answer = new CompletableFuture<>();
        client.setHandler("/ipfs/bitswap/1.2.0", stream -> {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            stream.setListener(new Stream.Listener() {
                @Override
                public void onData(Stream s, ByteBuf data) {
                    byte[] b = new byte[data.readableBytes()];
                    data.readBytes(b);
                    data.release();
                    buf.writeBytes(b);
                }

                @Override
                public void onRemoteClosed(Stream s) {
                    answer.complete(buf.toByteArray());
                    s.closeWrite();
                }
            });
        });
        Connection c = client.connect(Multiaddr.parse(libp2pAddr)).get(30, TimeUnit.SECONDS);
        assertThat(c.identified().get(30, TimeUnit.SECONDS).protocols())
                .contains("/ipfs/bitswap/1.2.0", "/ipfs/bitswap/1.1.0", "/ipfs/bitswap/1.0.0", "/ipfs/bitswap");
        Stream s = c.newStream(List.of("/ipfs/bitswap/1.2.0")).get(30, TimeUnit.SECONDS);
        s.setListener((st, data) -> data.release());
        byte[] body = BitswapCodec.encode(BitswapMessage.wants(wants, false));
        byte[] framed = new byte[Varint.size(body.length) + body.length];
        System.arraycopy(body, 0, framed, Varint.write(body.length, framed, 0), body.length);
        s.write(Unpooled.wrappedBuffer(framed));
        s.closeWrite();
        byte[] all = answer.get(30, TimeUnit.SECONDS);
        List<BitswapMessage.Block> blocks = new ArrayList<>();
        List<Presence> presences = new ArrayList<>();
        int off = 0;
        while (off < all.length) {
            long len = Varint.decode(all, off, all.length);
            off += Varint.size(len);
            BitswapMessage m = BitswapCodec.decode(java.util.Arrays.copyOfRange(all, off, off + (int) len));
            off += (int) len;
            blocks.addAll(m.blocks());
            presences.addAll(m.presences());
        }
        return new BitswapMessage(List.of(), false, List.of(), blocks, presences, 0);
    }

    @Test
    void publicScopeServesOnlyPublicPiecesAndRoutingAnswersForThem() throws Exception {
        JsonNode dj = start("bitswap.serve=public");
        String p2p = dj.get("libp2p").get(0).asText();
        Cid pub = Cid.parse(PUBLIC_ROOT);
        Cid priv = Cid.parse(SITE);
        BitswapMessage got = exchange(p2p, List.of(Entry.wantBlock(pub), Entry.wantBlock(priv)));
        assertThat(got.blocks()).hasSize(1);
        assertThat(got.blocks().get(0).cid()).isEqualTo(pub);
        assertThat(got.presences()).containsExactly(new Presence(priv, PresenceType.DONT_HAVE));

        String gw = dj.get("gateway").asText();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gw + "/routing/v1/providers/" + PUBLIC_ROOT)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode p = JSON.readTree(r.body()).get("Providers").get(0);
        assertThat(p.get("ID").asText()).isEqualTo(dj.get("peerId").asText());
        List<String> addrs = new ArrayList<>();
        p.get("Addrs").forEach(a -> addrs.add(a.asText()));
        URI g = URI.create(gw);
        assertThat(addrs).containsExactly(p2p.substring(0, p2p.indexOf("/p2p/")), "/ip4/127.0.0.1/tcp/" + g.getPort() + "/http");
        assertThat(p.get("Protocols").toString()).isEqualTo("[\"transport-bitswap\",\"transport-ipfs-gateway-http\"]");
        HttpResponse<String> none = http.send(HttpRequest.newBuilder(URI.create(gw + "/routing/v1/providers/" + SITE)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).isEqualTo(404);
    }

    @Test
    void defaultScopeServesEverythingHeld() throws Exception {
        JsonNode dj = start();
        Cid priv = Cid.parse(SITE);
        BitswapMessage got = exchange(dj.get("libp2p").get(0).asText(), List.of(Entry.wantHave(priv)));
        assertThat(got.blocks()).extracting(BitswapMessage.Block::cid).containsExactly(priv); // small: the block itself
    }

    @Test
    void aWantForABlockWeLackIsServedOnceAnImportBringsIt() throws Exception {
        JsonNode dj = startEmpty();
        client = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
        java.util.concurrent.BlockingQueue<BitswapMessage> replies = new java.util.concurrent.LinkedBlockingQueue<>();
        client.setHandler("/ipfs/bitswap/1.2.0", stream -> {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            stream.setListener(new Stream.Listener() {
                @Override
                public void onData(Stream st, ByteBuf data) {
                    byte[] b = new byte[data.readableBytes()];
                    data.readBytes(b);
                    data.release();
                    buf.writeBytes(b);
                    byte[] all = buf.toByteArray();
                    int off = 0;
                    while (off < all.length) { // whole messages only; the rest waits for more bytes
                        long len = Varint.decode(all, off, all.length);
                        int start = off + Varint.size(len);
                        if (start + len > all.length) {
                            break;
                        }
                        replies.add(BitswapCodec.decode(java.util.Arrays.copyOfRange(all, start, start + (int) len)));
                        off = start + (int) len;
                    }
                    buf.reset();
                    buf.write(all, off, all.length - off);
                }

                @Override
                public void onRemoteClosed(Stream st) {
                    st.closeWrite();
                }
            });
        });
        Connection c = client.connect(Multiaddr.parse(dj.get("libp2p").get(0).asText())).get(30, TimeUnit.SECONDS);
        Stream s = c.newStream(List.of("/ipfs/bitswap/1.2.0")).get(30, TimeUnit.SECONDS);
        s.setListener((st, data) -> data.release());
        Cid site = Cid.parse(SITE);
        byte[] body = BitswapCodec.encode(BitswapMessage.wants(List.of(Entry.wantBlock(site)), false));
        byte[] framed = new byte[Varint.size(body.length) + body.length];
        System.arraycopy(body, 0, framed, Varint.write(body.length, framed, 0), body.length);
        s.write(Unpooled.wrappedBuffer(framed));
        BitswapMessage first = replies.poll(30, TimeUnit.SECONDS);
        assertThat(first).isNotNull();
        assertThat(first.presences()).containsExactly(new Presence(site, PresenceType.DONT_HAVE));
        daemon.context().store().importPiece(Vectors.file("unixfs/dir-site.car"), ImportOptions.defaults(), ImportProgress.NONE);
        BitswapMessage second = replies.poll(30, TimeUnit.SECONDS);
        assertThat(second).isNotNull();
        assertThat(second.blocks()).extracting(BitswapMessage.Block::cid).containsExactly(site);
        assertThat(second.blocks().get(0).data()).isEqualTo(daemon.context().store().blockSource().get(site));
    }

    @Test
    void badAllowListIsOneConfigLine() {
        assertThatThrownBy(() -> start("bitswap.allow_peers=notapeer"))
                .isInstanceOf(NodeException.class).hasMessage("config: bitswap.allow_peers: not a peer ID: notapeer");
    }
}
