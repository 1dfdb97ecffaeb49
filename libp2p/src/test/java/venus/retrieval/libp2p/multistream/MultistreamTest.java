package venus.retrieval.libp2p.multistream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.Multibase;
import venus.retrieval.libp2p.Libp2pException;

class MultistreamTest {
    static ByteBuf lines(String... s) {
        ByteBuf b = Unpooled.buffer();
        for (String x : s) {
            MultistreamCodec.encode(x, b);
        }
        return b;
    }

    static String hex(ByteBuf b) {
        return ByteBufUtil.hexDump(b);
    }

    @Test
    void wireFormOfTheSpecMessages() {
        // lengths from the multistream-select README: /multistream/1.0.0 is 0x13 with the newline
        assertThat(hex(lines("/multistream/1.0.0"))).isEqualTo("13" + Multibase.hex("/multistream/1.0.0\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(hex(lines("na"))).isEqualTo("036e610a");
        assertThat(hex(lines("ls"))).isEqualTo("036c730a");
        assertThat(hex(lines("/noise")).substring(0, 2)).isEqualTo("07");
        assertThat(hex(lines("/yamux/1.0.0")).substring(0, 2)).isEqualTo("0d");
        assertThat(hex(lines("/tls/1.0.0")).substring(0, 2)).isEqualTo("0b");
        assertThat(hex(lines("/ipfs/id/1.0.0")).substring(0, 2)).isEqualTo("0f");
        String longId = "/" + "x".repeat(200);
        ByteBuf b = lines(longId);
        assertThat(hex(b).substring(0, 4)).isEqualTo("ca01"); // 202 = 0xca 0x01
        assertThat(MultistreamCodec.decode(b)).isEqualTo(longId);
    }

    @Test
    void decodeWaitsForWholeMessages() {
        ByteBuf full = lines("/noise");
        ByteBuf part = full.copy(0, 4);
        assertThat(MultistreamCodec.decode(part)).isNull();
        assertThat(part.readerIndex()).isZero();
        assertThat(MultistreamCodec.decode(full)).isEqualTo("/noise");
        part.release();
    }

    @Test
    void malformedMessagesAreRejected() {
        assertReason(Unpooled.wrappedBuffer(new byte[] {3, 'n', 'a', 'x'}), Libp2pException.Reason.PROTOCOL_VIOLATION);
        assertReason(Unpooled.wrappedBuffer(new byte[] {0}), Libp2pException.Reason.PROTOCOL_VIOLATION);
        assertReason(Unpooled.wrappedBuffer(new byte[] {(byte) 0x81, 0x08}), Libp2pException.Reason.FRAME_TOO_LARGE); // 1025
        assertReason(Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, (byte) 0x80, 1}), Libp2pException.Reason.FRAME_TOO_LARGE);
        assertReason(Unpooled.wrappedBuffer(new byte[] {(byte) 0x81, 0x00}), Libp2pException.Reason.PROTOCOL_VIOLATION);
        assertReason(Unpooled.wrappedBuffer(new byte[] {3, (byte) 0xff, (byte) 0xfe, '\n'}), Libp2pException.Reason.PROTOCOL_VIOLATION);
    }

    static void assertReason(ByteBuf in, Libp2pException.Reason reason) {
        assertThatThrownBy(() -> MultistreamCodec.decode(in)).isInstanceOf(Libp2pException.class)
                .extracting(e -> ((Libp2pException) e).reason()).isEqualTo(reason);
    }

    @Test
    void listenerAnswersNaToTlsThenAcceptsNoiseAndLeavesPipelinedDataAlone() {
        MultistreamNegotiation l = MultistreamNegotiation.listener(Set.of("/noise")::contains);
        ByteBuf out = Unpooled.buffer();
        l.start(out);
        assertThat(MultistreamCodec.decode(out)).isEqualTo("/multistream/1.0.0");
        // Kubo's pipelined dialer: header + /tls/1.0.0 in one write
        ByteBuf in = lines("/multistream/1.0.0", "/tls/1.0.0");
        assertThat(l.onInbound(in, out)).isNull();
        assertThat(MultistreamCodec.decode(out)).isEqualTo("na");
        // then /noise followed at once by protocol bytes (lazy negotiation)
        in.writeBytes(lines("/noise"));
        in.writeBytes(new byte[] {1, 2, 3});
        assertThat(l.onInbound(in, out)).isEqualTo("/noise");
        assertThat(MultistreamCodec.decode(out)).isEqualTo("/noise");
        assertThat(ByteBufUtil.getBytes(in)).containsExactly(1, 2, 3);
        in.release();
        out.release();
    }

    @Test
    void dialerMovesToItsNextProposalOnNaAndFailsWhenNoneIsLeft() {
        MultistreamNegotiation d = MultistreamNegotiation.dialer(List.of("/a", "/b"));
        ByteBuf out = Unpooled.buffer();
        d.start(out);
        assertThat(MultistreamCodec.decode(out)).isEqualTo("/multistream/1.0.0");
        assertThat(MultistreamCodec.decode(out)).isEqualTo("/a");
        assertThat(d.onInbound(lines("/multistream/1.0.0", "na"), out)).isNull();
        assertThat(MultistreamCodec.decode(out)).isEqualTo("/b");
        assertThat(d.onInbound(lines("/b"), out)).isEqualTo("/b");

        MultistreamNegotiation none = MultistreamNegotiation.dialer(List.of("/a"));
        none.start(Unpooled.buffer());
        assertThatThrownBy(() -> none.onInbound(lines("/multistream/1.0.0", "na"), Unpooled.buffer()))
                .isInstanceOf(Libp2pException.class).extracting(e -> ((Libp2pException) e).reason())
                .isEqualTo(Libp2pException.Reason.NEGOTIATION_FAILED);
        MultistreamNegotiation wrong = MultistreamNegotiation.dialer(List.of("/a"));
        assertThatThrownBy(() -> wrong.onInbound(lines("/multistream/2.0.0"), Unpooled.buffer()))
                .isInstanceOf(Libp2pException.class).extracting(e -> ((Libp2pException) e).reason())
                .isEqualTo(Libp2pException.Reason.PROTOCOL_VIOLATION);
        MultistreamNegotiation odd = MultistreamNegotiation.dialer(List.of("/a"));
        assertThatThrownBy(() -> odd.onInbound(lines("/multistream/1.0.0", "/c"), Unpooled.buffer()))
                .isInstanceOf(Libp2pException.class);
    }

    @Test
    void listenerGivesUpOnEndlessProposals() {
        MultistreamNegotiation l = MultistreamNegotiation.listener(p -> false);
        ByteBuf in = lines("/multistream/1.0.0");
        for (int i = 0; i <= MultistreamNegotiation.MAX_PROPOSALS; i++) {
            MultistreamCodec.encode("/p" + i, in);
        }
        assertThatThrownBy(() -> l.onInbound(in, Unpooled.buffer())).isInstanceOf(Libp2pException.class)
                .extracting(e -> ((Libp2pException) e).reason()).isEqualTo(Libp2pException.Reason.NEGOTIATION_FAILED);
    }

    @Test
    void handlerHandsBytesAfterTheAcceptedProposalToTheNextStage() {
        List<Object> seen = new ArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast("ms", new MultistreamHandler(MultistreamNegotiation.listener("/noise"::equals),
                (ctx, proto) -> ctx.pipeline().addAfter(ctx.name(), "next", new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext c, Object msg) {
                        seen.add(proto + ":" + ByteBufUtil.hexDump((ByteBuf) msg));
                        ((ByteBuf) msg).release();
                    }
                })));
        ByteBuf header = ch.readOutbound();
        assertThat(MultistreamCodec.decode(header)).isEqualTo("/multistream/1.0.0");
        header.release();
        ByteBuf in = lines("/multistream/1.0.0", "/noise");
        in.writeBytes(new byte[] {9, 8, 7});
        ch.writeInbound(in);
        assertThat(seen).containsExactly("/noise:090807");
        assertThat(ch.pipeline().get("ms")).isNull();
        ByteBuf echo = ch.readOutbound();
        assertThat(MultistreamCodec.decode(echo)).isEqualTo("/noise");
        echo.release();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Provide
    Arbitrary<byte[]> noise() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    }

    @Property(tries = 500, seed = "20261127")
    void decoderOnRandomBytesOnlyEverThrowsOurException(@ForAll("noise") byte[] bytes) {
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        try {
            for (int i = 0; i < 400 && MultistreamCodec.decode(in) != null; i++) {
                // keep reading messages; bounded
            }
        } catch (Libp2pException expected) {
            // the only acceptable failure
        }
    }

    @Property(tries = 500, seed = "20261128")
    void negotiationOnMutatedTranscriptsOnlyEverThrowsOurException(@ForAll("noise") byte[] junk, @ForAll int position) {
        ByteBuf valid = lines("/multistream/1.0.0", "/tls/1.0.0", "/noise");
        byte[] b = ByteBufUtil.getBytes(valid);
        int at = Math.floorMod(position, b.length);
        byte[] mutated = new byte[at + junk.length];
        System.arraycopy(b, 0, mutated, 0, at);
        System.arraycopy(junk, 0, mutated, at, junk.length);
        MultistreamNegotiation l = MultistreamNegotiation.listener("/noise"::equals);
        ByteBuf out = Unpooled.buffer();
        try {
            l.onInbound(Unpooled.wrappedBuffer(mutated), out);
        } catch (Libp2pException expected) {
            // the only acceptable failure
        }
    }
}
