package venus.retrieval.libp2p.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.Multibase;
import venus.retrieval.ipld.testing.Vectors;
import venus.retrieval.libp2p.Libp2pException;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.libp2p.Protobuf;
import venus.retrieval.libp2p.crypto.PrivKey;

class NoiseTest {
    final PrivKey dialerKey = PrivKey.generateEd25519();
    final PrivKey listenerKey = PrivKey.generateEd25519();

    static Libp2pException.Reason reason(Throwable t) {
        return ((Libp2pException) (t instanceof DecoderException ? t.getCause() : t)).reason();
    }

    @Test
    void rfc8439AeadVectorWithBothEngines() {
        // RFC 8439 section 2.8.2
        byte[] key = Multibase.unhex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
        byte[] nonce = Multibase.unhex("070000004041424344454647");
        byte[] ad = Multibase.unhex("50515253c0c1c2c3c4c5c6c7");
        byte[] pt = "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."
                .getBytes(StandardCharsets.US_ASCII);
        for (ChaChaPoly.Engine e : ChaChaPoly.Engine.values()) {
            byte[] ct = new byte[pt.length + 16];
            ChaChaPoly.create(e, key).encrypt(nonce, ad, pt, 0, pt.length, ct, 0);
            assertThat(Multibase.hex(Arrays.copyOfRange(ct, 0, 16))).as(e.name()).isEqualTo("d31a8d34648e60db7b86afbc53ef7ec2");
            assertThat(Multibase.hex(Arrays.copyOfRange(ct, pt.length, ct.length))).as(e.name()).isEqualTo("1ae10b594f09e26a7e902ecbd0600691");
            byte[] back = new byte[pt.length];
            ChaChaPoly.create(e, key).decrypt(nonce, ad, ct, 0, ct.length, back, 0);
            assertThat(back).isEqualTo(pt);
            ct[5] ^= 1;
            assertThatThrownBy(() -> ChaChaPoly.create(e, key).decrypt(nonce, ad, ct, 0, ct.length, new byte[pt.length], 0))
                    .isInstanceOf(Libp2pException.class);
        }
    }

    @Test
    void transportNoncesAreLittleEndianCounters() {
        byte[] key = new byte[32];
        key[0] = 7;
        CipherState cs = new CipherState(key);
        byte[] pt = {1, 2, 3};
        byte[] first = new byte[19];
        byte[] second = new byte[19];
        cs.encrypt(pt, 0, 3, first, 0);
        cs.encrypt(pt, 0, 3, second, 0);
        byte[] nonce1 = new byte[12];
        nonce1[4] = 1; // counter 1, little-endian, after four zero bytes
        byte[] expected = new byte[19];
        ChaChaPoly.create(ChaChaPoly.Engine.JDK, key).encrypt(nonce1, new byte[0], pt, 0, 3, expected, 0);
        assertThat(second).isEqualTo(expected);
        assertThat(first).isNotEqualTo(second);
    }

    /** Runs a full handshake and returns {dialer, listener}. */
    NoiseHandshake[] handshake() {
        NoiseHandshake d = new NoiseHandshake(true, dialerKey, PeerIdentity.of(listenerKey).peerId());
        NoiseHandshake l = new NoiseHandshake(false, listenerKey, null);
        byte[] m1 = d.firstMessage();
        assertThat(m1).hasSize(32);
        byte[] m2 = l.onMessage(m1);
        byte[] m3 = d.onMessage(m2);
        assertThat(d.isComplete()).isTrue();
        assertThat(l.onMessage(m3)).isNull();
        assertThat(l.isComplete()).isTrue();
        return new NoiseHandshake[] {d, l};
    }

    @Test
    void handshakeVerifiesBothIdentitiesAndAgreesOnDirectionalKeys() {
        NoiseHandshake[] hs = handshake();
        assertThat(hs[0].remotePeer()).isEqualTo(PeerIdentity.of(listenerKey).peerId());
        assertThat(hs[1].remotePeer()).isEqualTo(PeerIdentity.of(dialerKey).peerId());
        CipherState[] d = hs[0].split();
        CipherState[] l = hs[1].split();
        byte[] msg = "hello".getBytes(StandardCharsets.UTF_8);
        byte[] ct = new byte[msg.length + 16];
        d[0].encrypt(msg, 0, msg.length, ct, 0);
        byte[] pt = new byte[msg.length];
        l[1].decrypt(ct, 0, ct.length, pt, 0);
        assertThat(pt).isEqualTo(msg);
        l[0].encrypt(msg, 0, msg.length, ct, 0);
        d[1].decrypt(ct, 0, ct.length, pt, 0);
        assertThat(pt).isEqualTo(msg);
    }

    @Test
    void dialingTheWrongPeerFailsTheHandshake() {
        NoiseHandshake d = new NoiseHandshake(true, dialerKey, PeerIdentity.generate().peerId());
        NoiseHandshake l = new NoiseHandshake(false, listenerKey, null);
        byte[] m2 = l.onMessage(d.firstMessage());
        assertThatThrownBy(() -> d.onMessage(m2)).isInstanceOf(Libp2pException.class)
                .extracting(e -> ((Libp2pException) e).reason()).isEqualTo(Libp2pException.Reason.PEER_MISMATCH);
    }

    @Test
    void aSignatureByAnotherKeyIsRejected() {
        // a listener that claims listenerKey's identity but signs its static key with another key
        NoiseHandshake d = new NoiseHandshake(true, dialerKey, null);
        HandshakeState evil = new HandshakeState(false, new byte[0], HandshakeState.newPrivateKey(), null);
        evil.readMessage(d.firstMessage());
        byte[] toSign = concat(NoiseHandshake.SIGNATURE_PREFIX, evil.localStaticPublicKey());
        byte[] payload = new Protobuf.Writer().bytes(1, listenerKey.publicKey().bytes())
                .bytes(2, PrivKey.generateEd25519().sign(toSign)).toByteArray();
        byte[] m2 = evil.writeMessage(payload);
        assertThatThrownBy(() -> d.onMessage(m2)).isInstanceOf(Libp2pException.class)
                .extracting(e -> ((Libp2pException) e).reason()).isEqualTo(Libp2pException.Reason.BAD_SIGNATURE);
    }

    @Test
    void tamperedHandshakeMessagesAreRejected() {
        NoiseHandshake d = new NoiseHandshake(true, dialerKey, null);
        NoiseHandshake l = new NoiseHandshake(false, listenerKey, null);
        byte[] m2 = l.onMessage(d.firstMessage());
        m2[40] ^= 0x10;
        assertThatThrownBy(() -> d.onMessage(m2)).isInstanceOf(Libp2pException.class)
                .extracting(e -> ((Libp2pException) e).reason()).isEqualTo(Libp2pException.Reason.HANDSHAKE_FAILED);
        NoiseHandshake l2 = new NoiseHandshake(false, listenerKey, null);
        assertThatThrownBy(() -> l2.onMessage(new byte[31])).isInstanceOf(Libp2pException.class);
    }

    @Test
    void transportHandlersCutFramesAtTheLimitAndRejectGarbage() {
        NoiseHandshake[] hs = handshake();
        CipherState[] d = hs[0].split();
        CipherState[] l = hs[1].split();
        EmbeddedChannel sender = new EmbeddedChannel(new NoiseFrameDecoder(), new NoiseTransportHandler(d[0], d[1]));
        EmbeddedChannel receiver = new EmbeddedChannel(new NoiseFrameDecoder(), new NoiseTransportHandler(l[0], l[1]));
        byte[] data = Vectors.xorshift(3, 200_000);
        sender.writeAndFlush(Unpooled.wrappedBuffer(data));
        ByteBuf wire = Unpooled.buffer();
        ByteBuf b;
        while ((b = sender.readOutbound()) != null) {
            int len = b.getUnsignedShort(b.readerIndex());
            assertThat(len).isLessThanOrEqualTo(65535);
            assertThat(b.readableBytes()).isEqualTo(2 + len);
            wire.writeBytes(b);
            b.release();
        }
        assertThat(wire.readableBytes()).isEqualTo(200_000 + 4 * (2 + 16)); // 3 full frames + 1
        assertThat(decryptAll(receiver, wire)).isEqualTo(data);
        ByteBuf garbage = Unpooled.buffer();
        garbage.writeShort(40);
        garbage.writeBytes(new byte[40]);
        assertThatThrownBy(() -> receiver.writeInbound(garbage))
                .satisfies(t -> assertThat(reason(t)).isEqualTo(Libp2pException.Reason.DECRYPT_FAILED));
        sender.finishAndReleaseAll();
        try {
            receiver.finishAndReleaseAll();
        } catch (RuntimeException alreadyAsserted) {
            // the decrypt failure above
        }
    }

    @Test
    void aLargeWriteReachesTheSocketWhileItIsStillBeingEncrypted() {
        // a 1 MiB message in one write: its frames go to the socket a few at a time as they are
        // encrypted (the peer decrypts them meanwhile), not all at once at the end
        NoiseHandshake[] hs = handshake();
        CipherState[] d = hs[0].split();
        CipherState[] l = hs[1].split();
        List<Integer> framesAtFlush = new ArrayList<>();
        int[] written = {0};
        io.netty.channel.ChannelOutboundHandlerAdapter socket = new io.netty.channel.ChannelOutboundHandlerAdapter() {
            @Override
            public void write(io.netty.channel.ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise promise) {
                written[0]++;
                ctx.write(msg, promise);
            }

            @Override
            public void flush(io.netty.channel.ChannelHandlerContext ctx) {
                framesAtFlush.add(written[0]);
                ctx.flush();
            }
        };
        EmbeddedChannel sender = new EmbeddedChannel(socket, new NoiseFrameDecoder(), new NoiseTransportHandler(d[0], d[1]));
        EmbeddedChannel receiver = new EmbeddedChannel(new NoiseFrameDecoder(), new NoiseTransportHandler(l[0], l[1]));
        byte[] data = Vectors.xorshift(5, 1 << 20);
        sender.writeAndFlush(Unpooled.wrappedBuffer(data));
        int frames = (data.length + NoiseTransportHandler.MAX_PLAINTEXT - 1) / NoiseTransportHandler.MAX_PLAINTEXT;
        assertThat(written[0]).isEqualTo(frames);
        int before = 0;
        for (int at : framesAtFlush) {
            assertThat(at - before).isLessThanOrEqualTo(NoiseTransportHandler.FLUSH_EVERY_FRAMES);
            before = at;
        }
        assertThat(before).isEqualTo(frames);
        ByteBuf wire = Unpooled.buffer();
        drainFrames(sender, wire);
        assertThat(decryptAll(receiver, wire)).isEqualTo(data);
        sender.finishAndReleaseAll();
        receiver.finishAndReleaseAll();
    }

    @Test
    void writesOfCompositeHeapBuffersDecryptToTheSameBytesAndAreReleased() {
        // the shapes Yamux hands Noise: a small header, then a retained slice of a graphsync
        // CompositeByteBuf whose components wrap block arrays at non-zero offsets; frame boundaries
        // fall inside components and across them, and the tail is shorter than a frame
        NoiseHandshake[] hs = handshake();
        CipherState[] d = hs[0].split();
        CipherState[] l = hs[1].split();
        EmbeddedChannel sender = new EmbeddedChannel(new NoiseFrameDecoder(), new NoiseTransportHandler(d[0], d[1]));
        EmbeddedChannel receiver = new EmbeddedChannel(new NoiseFrameDecoder(), new NoiseTransportHandler(l[0], l[1]));
        byte[] data = Vectors.xorshift(11, 420_000);
        ByteBuf header = Unpooled.directBuffer(12).writeBytes(data, 0, 12);
        io.netty.buffer.CompositeByteBuf message = Unpooled.compositeBuffer();
        int at = 12 - 50; // the slice below skips the composite's first 50 bytes
        byte[] lead = new byte[50];
        message.addComponent(true, Unpooled.wrappedBuffer(lead));
        at += 50;
        for (int size : new int[] {140_000, 3, 1, 70_000, 65_519, 20_000}) {
            byte[] block = new byte[size + 9]; // the block's bytes at offset 7 of a larger array
            System.arraycopy(data, at, block, 7, size);
            message.addComponent(true, Unpooled.wrappedBuffer(block, 7, size));
            at += size;
        }
        message.skipBytes(50);
        ByteBuf slice = message.readRetainedSlice(message.readableBytes() - 1000);
        ByteBuf rest = message.readRetainedSlice(1000); // a tail smaller than a frame, still in one array
        message.release();
        ByteBuf heap = Unpooled.buffer(data.length - at + 100).writerIndex(100).readerIndex(100).writeBytes(data, at, data.length - at - 700);
        ByteBuf direct = Unpooled.directBuffer(700).writeBytes(data, data.length - 700, 700);
        List<ByteBuf> inputs = List.of(header, slice, rest, heap, direct);
        assertThat(inputs.stream().mapToInt(ByteBuf::readableBytes).sum()).isEqualTo(data.length);
        for (ByteBuf in : inputs) {
            sender.write(in);
        }
        sender.flush();
        for (ByteBuf in : inputs) {
            assertThat(in.refCnt()).isZero();
        }
        ByteBuf wire = Unpooled.buffer();
        int frames = drainFrames(sender, wire);
        assertThat(frames).isEqualTo((data.length + NoiseTransportHandler.MAX_PLAINTEXT - 1) / NoiseTransportHandler.MAX_PLAINTEXT);
        assertThat(wire.readableBytes()).isEqualTo(data.length + frames * (2 + ChaChaPoly.TAG));
        assertThat(decryptAll(receiver, wire)).isEqualTo(data);
        sender.finishAndReleaseAll();
        receiver.finishAndReleaseAll();
    }

    @Test
    void aFrameIsEncryptedInPlaceOnlyWhenItLiesInOneHeapArray() {
        byte[] a = Vectors.xorshift(1, 100);
        byte[] b = Vectors.xorshift(2, 100);
        io.netty.buffer.CompositeByteBuf c = Unpooled.compositeBuffer();
        c.addComponents(true, Unpooled.wrappedBuffer(a, 10, 80), Unpooled.wrappedBuffer(b));
        c.skipBytes(5);
        java.nio.ByteBuffer inside = NoiseTransportHandler.oneHeapArray(c, 60);
        assertThat(inside.array()).isSameAs(a);
        assertThat(inside.arrayOffset() + inside.position()).isEqualTo(15);
        assertThat(NoiseTransportHandler.oneHeapArray(c, 80)).isNull(); // spans both arrays
        ByteBuf slice = c.retainedSlice(85, 50); // inside b (which starts at 80), through a slice as Yamux makes them
        java.nio.ByteBuffer inB = NoiseTransportHandler.oneHeapArray(slice, 50);
        assertThat(inB.array()).isSameAs(b);
        assertThat(inB.arrayOffset() + inB.position()).isEqualTo(5);
        ByteBuf heap = Unpooled.wrappedBuffer(b, 30, 70).skipBytes(4);
        java.nio.ByteBuffer inHeap = NoiseTransportHandler.oneHeapArray(heap, 20);
        assertThat(inHeap.array()).isSameAs(b);
        assertThat(inHeap.arrayOffset() + inHeap.position()).isEqualTo(34);
        ByteBuf direct = Unpooled.directBuffer(16).writeZero(16);
        assertThat(NoiseTransportHandler.oneHeapArray(direct, 16)).isNull();
        assertThat(NoiseTransportHandler.oneHeapArray(Unpooled.wrappedBuffer(a).asReadOnly(), 10)).isNull();
        direct.release();
        slice.release();
        c.release();
    }

    /** Feeds {@code wire} to {@code receiver}; the plaintext it hands on. */
    private static byte[] decryptAll(EmbeddedChannel receiver, ByteBuf wire) {
        receiver.writeInbound(wire);
        ByteBuf got = Unpooled.buffer();
        ByteBuf b;
        while ((b = receiver.readInbound()) != null) {
            got.writeBytes(b);
            b.release();
        }
        byte[] out = ByteBufUtil.getBytes(got);
        got.release();
        return out;
    }

    /** Moves every flushed frame to {@code wire}; returns how many there were. */
    private static int drainFrames(EmbeddedChannel ch, ByteBuf wire) {
        int n = 0;
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            wire.writeBytes(b);
            b.release();
            n++;
        }
        return n;
    }

    @Provide
    Arbitrary<byte[]> junk() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
    }

    @Property(tries = 200, seed = "20261131")
    void handshakeOnRandomOrMutatedMessagesOnlyEverThrowsOurException(@ForAll("junk") byte[] junk, @ForAll int at) {
        NoiseHandshake l = new NoiseHandshake(false, listenerKey, null);
        try {
            l.onMessage(junk);
        } catch (Libp2pException expected) {
            // the only acceptable failure
        }
        NoiseHandshake d = new NoiseHandshake(true, dialerKey, null);
        NoiseHandshake l2 = new NoiseHandshake(false, listenerKey, null);
        byte[] m2 = l2.onMessage(d.firstMessage());
        for (int i = 0; i < junk.length; i++) {
            m2[Math.floorMod(at + i, m2.length)] ^= junk[i];
        }
        try {
            byte[] m3 = d.onMessage(junk.length == 0 ? m2 : Arrays.copyOf(m2, Math.floorMod(at, m2.length + 50)));
            l2.onMessage(m3);
        } catch (Libp2pException expected) {
            // the only acceptable failure
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
