package venus.retrieval.libp2p.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.testing.Vectors;
import venus.retrieval.libp2p.Connection;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.libp2p.Protobuf;
import venus.retrieval.libp2p.crypto.PrivKey;
import venus.retrieval.libp2p.multiaddr.Multiaddr;
import venus.retrieval.libp2p.multistream.MultistreamCodec;
import venus.retrieval.libp2p.noise.HandshakeState;

/** Peers that break the protocols lose their own connection; everyone else carries on. */
class MisbehavingPeerTest {
    Host host;
    Host good;
    Connection goodConnection;

    @BeforeEach
    void start() throws Exception {
        host = Host.create(PeerIdentity.generate(), HostConfig.defaults().withHandshakeTimeout(Duration.ofSeconds(3)))
                .start(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
        good = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start();
        goodConnection = good.connect(host.listenAddrs().get(0).withPeerId(host.peerId())).get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        // the well-behaved peer's connection survived whatever the test did
        assertThat(good.ping(goodConnection).get(30, TimeUnit.SECONDS)).isPositive();
        good.close();
        host.close();
    }

    Socket raw() throws IOException {
        var a = host.listenAddrs().get(0).toTcpSocketAddress();
        Socket s = new Socket(a.getAddress(), a.getPort());
        s.setSoTimeout(15_000);
        return s;
    }

    /** Reads until the host closes the connection; fails if it does not within the socket timeout. */
    static void assertClosedByHost(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        try {
            while (in.read(buf) >= 0) {
                // drain whatever the host sent before closing
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("host kept the connection open", e);
        } catch (SocketException reset) {
            // closed with RST: also closed
        }
        s.close();
    }

    @Test
    void garbageBeforeTheHandshake() throws Exception {
        try (Socket s = raw()) {
            s.getOutputStream().write(Vectors.xorshift(1, 300));
            assertClosedByHost(s);
        }
    }

    @Test
    void silenceTimesOutTheHandshake() throws Exception {
        try (Socket s = raw()) {
            assertClosedByHost(s);
        }
    }

    @Test
    void aBadNoiseSignature() throws Exception {
        try (Socket s = raw()) {
            HandshakeState hs = noiseUpToMessage3(s);
            byte[] payload = new Protobuf.Writer().bytes(1, PrivKey.generateEd25519().publicKey().bytes())
                    .bytes(2, new byte[64]).toByteArray();
            writeFrame(s.getOutputStream(), hs.writeMessage(payload));
            assertClosedByHost(s);
        }
    }

    @Test
    void garbageAfterTheHandshake() throws Exception {
        try (Socket s = raw()) {
            HandshakeState hs = noiseUpToMessage3(s);
            PrivKey me = PrivKey.generateEd25519();
            byte[] toSign = concat("noise-libp2p-static-key:".getBytes(StandardCharsets.US_ASCII), hs.localStaticPublicKey());
            byte[] payload = new Protobuf.Writer().bytes(1, me.publicKey().bytes()).bytes(2, me.sign(toSign)).toByteArray();
            writeFrame(s.getOutputStream(), hs.writeMessage(payload));
            writeFrame(s.getOutputStream(), Vectors.xorshift(2, 1000)); // not encrypted with the session key
            assertClosedByHost(s);
        }
    }

    @Test
    void oversizedMultistreamLine() throws Exception {
        try (Socket s = raw()) {
            ByteBuf b = Unpooled.buffer();
            MultistreamCodec.encode(MultistreamCodec.PROTOCOL_ID, b);
            b.writeByte(0xff).writeByte(0x7f); // a 16,383-byte "protocol id"
            b.writeBytes(new byte[2000]);
            s.getOutputStream().write(ByteBufUtil.getBytes(b));
            b.release();
            assertClosedByHost(s);
        }
    }

    /** multistream /noise, then Noise messages 1 and 2; returns the initiator state ready for message 3. */
    HandshakeState noiseUpToMessage3(Socket s) throws IOException {
        OutputStream out = s.getOutputStream();
        ByteBuf hello = Unpooled.buffer();
        MultistreamCodec.encode(MultistreamCodec.PROTOCOL_ID, hello);
        MultistreamCodec.encode("/noise", hello);
        out.write(ByteBufUtil.getBytes(hello));
        hello.release();
        DataInputStream in = new DataInputStream(s.getInputStream());
        ByteBuf got = Unpooled.buffer();
        int answers = 0;
        while (answers < 2) {
            got.writeByte(in.readUnsignedByte());
            String line = MultistreamCodec.decode(got);
            if (line != null) {
                answers++;
                assertThat(line).isEqualTo(answers == 1 ? MultistreamCodec.PROTOCOL_ID : "/noise");
            }
        }
        got.release();
        HandshakeState hs = new HandshakeState(true, new byte[0], HandshakeState.newPrivateKey(), null);
        writeFrame(out, hs.writeMessage(new byte[0]));
        int len = in.readUnsignedShort();
        byte[] m2 = new byte[len];
        in.readFully(m2);
        hs.readMessage(m2);
        return hs;
    }

    static void writeFrame(OutputStream out, byte[] msg) throws IOException {
        byte[] f = new byte[2 + msg.length];
        f[0] = (byte) (msg.length >> 8);
        f[1] = (byte) msg.length;
        System.arraycopy(msg, 0, f, 2, msg.length);
        out.write(f);
        out.flush();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
