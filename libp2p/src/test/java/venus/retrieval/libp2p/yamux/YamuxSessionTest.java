package venus.retrieval.libp2p.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import venus.retrieval.libp2p.Libp2pException;
import venus.retrieval.libp2p.Stream;

class YamuxSessionTest {
    EmbeddedChannel ch;
    YamuxSession session;
    final List<YamuxStream> accepted = new ArrayList<>();
    final List<String> events = new ArrayList<>();

    void open(YamuxConfig config) {
        done();
        session = new YamuxSession(true, config, s -> {
            accepted.add(s);
            s.assumeProtocol("/test");
            s.setListener(recorder());
        });
        ch = new EmbeddedChannel(new YamuxFrameDecoder(config.maxWindow()), new YamuxFrameEncoder(), session);
        YamuxFrame ping = next();
        assertThat(ping.type()).isEqualTo(YamuxFrame.TYPE_PING); // the RTT probe
    }

    void open() {
        open(YamuxConfig.defaults());
    }

    @AfterEach
    void done() {
        if (ch != null) {
            try {
                ch.finishAndReleaseAll();
            } catch (RuntimeException alreadyReported) {
                // the test asserted on it
            }
            ch = null;
        }
    }

    Stream.Listener recorder() {
        return new Stream.Listener() {
            @Override
            public void onData(Stream s, ByteBuf data) {
                events.add("data:" + data.readableBytes());
                data.release();
            }

            @Override
            public void onRemoteClosed(Stream s) {
                events.add("fin");
            }

            @Override
            public void onClosed(Stream s, Libp2pException cause) {
                events.add(cause == null ? "closed" : "closed:" + cause.reason());
            }
        };
    }

    static ByteBuf frame(int type, int flags, int id, int length, byte[] data) {
        ByteBuf b = Unpooled.buffer();
        YamuxFrameEncoder.encodeHeader(YamuxFrame.control(type, flags, id, data == null ? length : data.length), b);
        if (data != null) {
            b.writeBytes(data);
        }
        return b;
    }

    /** The next frame we sent (header bytes and payload arrive as separate buffers). */
    YamuxFrame next() {
        ByteBuf all = Unpooled.buffer();
        ByteBuf b;
        YamuxFrame f = null;
        while (f == null && (b = ch.readOutbound()) != null) {
            all.writeBytes(b);
            b.release();
            f = YamuxFrameDecoder.decode(all, Integer.MAX_VALUE);
        }
        all.release();
        return f;
    }

    List<YamuxFrame> drain() {
        List<YamuxFrame> out = new ArrayList<>();
        ByteBuf all = Unpooled.buffer();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            all.writeBytes(b);
            b.release();
        }
        YamuxFrame f;
        while ((f = YamuxFrameDecoder.decode(all, Integer.MAX_VALUE)) != null) {
            out.add(f);
        }
        all.release();
        return out;
    }

    static Libp2pException.Reason reasonOf(Throwable t) {
        Throwable c = t instanceof DecoderException ? t.getCause() : t;
        return ((Libp2pException) c).reason();
    }

    @Test
    void pingsAreAnsweredWithTheSameValue() {
        open();
        ch.writeInbound(frame(YamuxFrame.TYPE_PING, YamuxFrame.FLAG_SYN, 0, 0xCAFE, null));
        YamuxFrame pong = next();
        assertThat(pong.type()).isEqualTo(YamuxFrame.TYPE_PING);
        assertThat(pong.flags()).isEqualTo(YamuxFrame.FLAG_ACK);
        assertThat(pong.length()).isEqualTo(0xCAFE);
    }

    @Test
    void inboundStreamIsAcknowledgedDeliversDataAndHalfClosesBothWays() {
        open();
        ch.writeInbound(frame(YamuxFrame.TYPE_DATA, YamuxFrame.FLAG_SYN, 2, 0, new byte[100]));
        YamuxFrame ack = next();
        assertThat(ack.type()).isEqualTo(YamuxFrame.TYPE_WINDOW_UPDATE);
        assertThat(ack.flags()).isEqualTo(YamuxFrame.FLAG_ACK);
        assertThat(ack.streamId()).isEqualTo(2);
        assertThat(events).containsExactly("data:100");
        ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_FIN, 2, 0, null));
        assertThat(events).containsExactly("data:100", "fin");
        YamuxStream s = accepted.get(0);
        s.write(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
        s.closeWrite();
        List<YamuxFrame> out = drain();
        assertThat(out).hasSize(2);
        assertThat(out.get(0).type()).isEqualTo(YamuxFrame.TYPE_DATA);
        assertThat(out.get(0).length()).isEqualTo(3);
        assertThat(out.get(1).flags()).isEqualTo(YamuxFrame.FLAG_FIN);
        out.forEach(YamuxFrame::release);
        assertThat(events).containsExactly("data:100", "fin", "closed");
        assertThat(session.streamCount()).isZero();
        assertThat(s.closeFuture()).isCompleted();
    }

    @Test
    void windowUpdatesFollowConsumptionAndOverrunningTheWindowIsAViolation() {
        open();
        ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, 2, 0, null));
        next(); // ACK
        ch.writeInbound(frame(YamuxFrame.TYPE_DATA, 0, 2, 0, new byte[128 * 1024]));
        YamuxFrame wu = next();
        assertThat(wu.type()).isEqualTo(YamuxFrame.TYPE_WINDOW_UPDATE);
        assertThat(Integer.toUnsignedLong(wu.length())).isGreaterThanOrEqualTo(128 * 1024);

        open();
        ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, 2, 0, null));
        accepted.get(accepted.size() - 1).setAutoRead(false); // nothing consumed, so no window comes back
        ch.writeInbound(frame(YamuxFrame.TYPE_DATA, 0, 2, 0, new byte[256 * 1024]));
        assertThatThrownBy(() -> ch.writeInbound(frame(YamuxFrame.TYPE_DATA, 0, 2, 0, new byte[1])))
                .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(Libp2pException.Reason.FLOW_CONTROL));
    }

    @Test
    void outboundDataWaitsForTheSendWindow() {
        open();
        YamuxStream s = session.openStream();
        YamuxFrame syn = next();
        assertThat(syn.flags()).isEqualTo(YamuxFrame.FLAG_SYN);
        assertThat(syn.streamId()).isEqualTo(1);
        s.assumeProtocol("/test");
        s.write(Unpooled.wrappedBuffer(new byte[300 * 1024]));
        long sent = drain().stream().mapToLong(f -> { f.release(); return f.length(); }).sum();
        assertThat(sent).isEqualTo(256 * 1024);
        ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_ACK, 1, 1024 * 1024, null));
        long more = drain().stream().mapToLong(f -> { f.release(); return f.length(); }).sum();
        assertThat(more).isEqualTo(44 * 1024);
    }

    @Test
    void queuedWritesShareDataFramesCutToWholeEncryptedFrames() {
        int align = 1000;
        open(new YamuxConfig(YamuxConfig.DEFAULT_WINDOW, YamuxConfig.DEFAULT_WINDOW, 8, 1 << 20, 10_000, align));
        YamuxStream s = session.openStream();
        next(); // SYN
        s.assumeProtocol("/test");
        s.write(Unpooled.wrappedBuffer(new byte[YamuxConfig.DEFAULT_WINDOW])); // uses up the send window
        List<YamuxFrame> first = drain();
        assertThat(first).allSatisfy(f -> assertThat(f.length()).isLessThanOrEqualTo(9988));
        first.forEach(YamuxFrame::release);
        // Ten small writes queue while there is no window, then leave as few, aligned frames.
        byte[] data = new byte[25_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        for (int off = 0; off < data.length; off += 2500) {
            s.write(Unpooled.wrappedBuffer(data, off, 2500));
        }
        assertThat(drain()).isEmpty();
        ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, 0, 1, 1 << 20, null));
        List<YamuxFrame> out = drain();
        // The 10,000-byte budget is cut to 10 × 1,000 − 12 = 9,988 (header + payload = 10 frames of 1,000).
        assertThat(out).extracting(YamuxFrame::length).containsExactly(9988, 9988, 25_000 - 2 * 9988);
        ByteBuf all = Unpooled.buffer();
        out.forEach(f -> {
            all.writeBytes(f.data());
            f.release();
        });
        assertThat(io.netty.buffer.ByteBufUtil.getBytes(all)).isEqualTo(data);
        all.release();
        assertThat(s.bytesSent()).isEqualTo(YamuxConfig.DEFAULT_WINDOW + data.length);
    }

    @Test
    void streamFloodsAreResetThenEndTheSession() {
        open(new YamuxConfig(YamuxConfig.DEFAULT_WINDOW, YamuxConfig.DEFAULT_WINDOW, 2, 4096, 64 * 1024));
        ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, 2, 0, null));
        ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, 4, 0, null));
        drain().forEach(YamuxFrame::release);
        ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, 6, 0, null));
        YamuxFrame rst = next();
        assertThat(rst.flags()).isEqualTo(YamuxFrame.FLAG_RST);
        assertThat(rst.streamId()).isEqualTo(6);
        assertThatThrownBy(() -> {
            for (int id = 8; id < 200; id += 2) {
                ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, id, 0, null));
            }
        }).satisfies(t -> assertThat(reasonOf(t)).isEqualTo(Libp2pException.Reason.LIMIT_EXCEEDED));
    }

    @Test
    void wrongParityReusedIdsUnknownVersionsAndHugeFramesAreViolations() {
        open();
        assertThatThrownBy(() -> ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, 3, 0, null)))
                .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(Libp2pException.Reason.PROTOCOL_VIOLATION));
        open();
        ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, 4, 0, null));
        assertThatThrownBy(() -> ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, 2, 0, null)))
                .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(Libp2pException.Reason.PROTOCOL_VIOLATION));
        open();
        ByteBuf v1 = frame(YamuxFrame.TYPE_PING, YamuxFrame.FLAG_SYN, 0, 1, null);
        v1.setByte(0, 1);
        assertThatThrownBy(() -> ch.writeInbound(v1))
                .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(Libp2pException.Reason.PROTOCOL_VIOLATION));
        open();
        ByteBuf huge = Unpooled.buffer();
        YamuxFrameEncoder.encodeHeader(YamuxFrame.control(YamuxFrame.TYPE_DATA, 0, 2, 64 * 1024 * 1024), huge);
        assertThatThrownBy(() -> ch.writeInbound(huge))
                .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(Libp2pException.Reason.FRAME_TOO_LARGE));
    }

    @Test
    void resetAndGoAway() {
        open();
        ch.writeInbound(frame(YamuxFrame.TYPE_DATA, YamuxFrame.FLAG_SYN, 2, 0, new byte[5]));
        ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_RST, 2, 0, null));
        assertThat(events).containsExactly("data:5", "closed:RESET");
        ch.writeInbound(frame(YamuxFrame.TYPE_GO_AWAY, 0, 0, YamuxFrame.GO_AWAY_NORMAL, null));
        assertThatThrownBy(() -> session.openStream()).isInstanceOf(Libp2pException.class)
                .extracting(e -> ((Libp2pException) e).reason()).isEqualTo(Libp2pException.Reason.CLOSED);
    }

    @Test
    void lazyNegotiationDeliversDataPipelinedBehindTheProposal() {
        session = new YamuxSession(false, YamuxConfig.defaults(), s -> s.negotiate(
                venus.retrieval.libp2p.multistream.MultistreamNegotiation.listener("/echo"::equals),
                new YamuxStream.NegotiationCallback() {
                    @Override
                    public void negotiated(YamuxStream st, String protocol) {
                        events.add("protocol:" + protocol);
                        st.setListener(recorder());
                    }

                    @Override
                    public void failed(YamuxStream st, Libp2pException cause) {
                        events.add("failed:" + cause.reason());
                    }
                }));
        ch = new EmbeddedChannel(new YamuxFrameDecoder(1 << 20), new YamuxFrameEncoder(), session);
        next(); // RTT probe
        ByteBuf payload = Unpooled.buffer();
        venus.retrieval.libp2p.multistream.MultistreamCodec.encode("/multistream/1.0.0", payload);
        venus.retrieval.libp2p.multistream.MultistreamCodec.encode("/echo", payload);
        payload.writeBytes("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        byte[] bytes = new byte[payload.readableBytes()];
        payload.readBytes(bytes);
        payload.release();
        // header, proposal and data in the stream's very first frame, as go's lazy client sends them
        ch.writeInbound(frame(YamuxFrame.TYPE_DATA, YamuxFrame.FLAG_SYN, 1, 0, bytes));
        assertThat(events).containsExactly("protocol:/echo", "data:5");
        List<YamuxFrame> out = drain();
        ByteBuf answer = Unpooled.buffer();
        for (YamuxFrame f : out) {
            if (f.data() != null) {
                answer.writeBytes(f.data());
            }
            f.release();
        }
        assertThat(venus.retrieval.libp2p.multistream.MultistreamCodec.decode(answer)).isEqualTo("/multistream/1.0.0");
        assertThat(venus.retrieval.libp2p.multistream.MultistreamCodec.decode(answer)).isEqualTo("/echo");
        answer.release();
    }

    @Test
    void writabilityFollowsPendingBytesAndComesBackWithTheWindow() {
        open(new YamuxConfig(YamuxConfig.DEFAULT_WINDOW, YamuxConfig.DEFAULT_WINDOW, 8, 64 * 1024, 64 * 1024));
        YamuxStream s = session.openStream();
        s.assumeProtocol("/test");
        List<Boolean> changes = new ArrayList<>();
        s.setListener(new Stream.Listener() {
            @Override
            public void onData(Stream st, ByteBuf data) {
                data.release();
            }

            @Override
            public void onWritabilityChanged(Stream st) {
                changes.add(st.isWritable());
            }
        });
        s.write(Unpooled.wrappedBuffer(new byte[256 * 1024])); // exactly the send window: over the mark, then all of it leaves
        assertThat(s.isWritable()).isTrue();
        assertThat(changes).containsExactly(false, true);
        changes.clear();
        s.write(Unpooled.wrappedBuffer(new byte[100 * 1024])); // no window left: it waits
        assertThat(s.isWritable()).isFalse();
        assertThat(changes).containsExactly(false);
        drain().forEach(YamuxFrame::release);
        ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_ACK, 1, 256 * 1024, null));
        assertThat(s.isWritable()).isTrue();
        assertThat(changes).containsExactly(false, true);
        long sent = drain().stream().mapToLong(f -> { f.release(); return f.length(); }).sum();
        assertThat(sent).isEqualTo(100 * 1024);
    }

    @Provide
    Arbitrary<byte[]> junk() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
    }

    @Property(tries = 500, seed = "20261129")
    void decoderOnRandomBytesOnlyEverThrowsOurException(@ForAll("junk") byte[] bytes) {
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        try {
            YamuxFrame f;
            while ((f = YamuxFrameDecoder.decode(in, 1 << 20)) != null) {
                f.release();
            }
        } catch (Libp2pException expected) {
            // the only acceptable failure
        }
    }

    @Property(tries = 300, seed = "20261130")
    void sessionOnMutatedFramesOnlyEverFailsWithOurException(@ForAll("junk") byte[] junk, @ForAll int at) {
        open();
        ByteBuf valid = Unpooled.wrappedBuffer(frame(YamuxFrame.TYPE_DATA, YamuxFrame.FLAG_SYN, 2, 0, new byte[20]),
                frame(YamuxFrame.TYPE_PING, YamuxFrame.FLAG_SYN, 0, 7, null),
                frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_FIN, 2, 0, null));
        byte[] b = new byte[valid.readableBytes()];
        valid.readBytes(b);
        valid.release();
        for (int i = 0; i < junk.length; i++) {
            b[Math.floorMod(at + i * 7, b.length)] ^= junk[i];
        }
        try {
            ch.writeInbound(Unpooled.wrappedBuffer(b));
        } catch (DecoderException e) {
            assertThat(e.getCause()).isInstanceOf(Libp2pException.class);
        } catch (Libp2pException expected) {
            // the only acceptable failure
        }
        done();
        accepted.clear();
        events.clear();
    }
}
