package venus.retrieval.node.graphsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.node.NodeException;

/** The zero-copy message encoder and the stream frame decoder. */
class GraphsyncFramingTest {

    private static GsMessage message(SplittableRandom rnd, int... blockSizes) {
        List<GsBlock> blocks = new ArrayList<>();
        List<GsResponse.Metadatum> meta = new ArrayList<>();
        for (int size : blockSizes) {
            byte[] data = new byte[size];
            rnd.nextBytes(data);
            Cid cid = Cid.of(Multicodec.RAW, data);
            blocks.add(GsBlock.of(cid, data));
            meta.add(new GsResponse.Metadatum(cid, LinkAction.PRESENT));
        }
        GsResponse r = new GsResponse(new UUID(rnd.nextLong(), rnd.nextLong()), ResponseStatus.PARTIAL_RESPONSE, meta,
                Map.of("fil/data-transfer/1.1", Node.map(Map.of("x", Node.integer(1)))));
        return new GsMessage(List.of(), List.of(r), blocks);
    }

    @Test
    void framedEncodingHasTheSameBytesAsFrameOfEncode() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int[] sizes : new int[][] {{}, {0}, {10}, {4095}, {4096}, {1 << 20}, {5, 1 << 20, 7, 300_000}}) {
            GsMessage m = message(rnd, sizes);
            ByteBuf framed = GraphsyncCodec.encodeFramed(m);
            try {
                assertThat(ByteBufUtil.getBytes(framed)).isEqualTo(GraphsyncCodec.frame(GraphsyncCodec.encode(m)));
            } finally {
                framed.release();
            }
            assertThat(GraphsyncCodec.decode(GraphsyncCodec.encode(m)).blocks()).hasSize(sizes.length);
        }
        GsMessage req = GsMessage.ofRequests(GsRequest.cancel(UUID.randomUUID()));
        ByteBuf framed = GraphsyncCodec.encodeFramed(req);
        assertThat(ByteBufUtil.getBytes(framed)).isEqualTo(GraphsyncCodec.frame(GraphsyncCodec.encode(req)));
        framed.release();
    }

    @Test
    void largeBlocksAreWrappedNotCopied() {
        GsMessage m = message(new SplittableRandom(4), 1 << 20);
        ByteBuf framed = GraphsyncCodec.encodeFramed(m);
        try {
            byte[] data = m.blocks().get(0).data();
            data[100] ^= 1; // a change to the block shows through: the buffer wraps its array
            assertThat(ByteBufUtil.getBytes(framed)).isEqualTo(GraphsyncCodec.frame(GraphsyncCodec.encode(m)));
        } finally {
            framed.release();
        }
    }

    /** Several frames cut into pieces of random sizes decode to the same bodies, whatever the cuts. */
    @Property(tries = 200, seed = "11")
    void framesSurviveAnySplit(@ForAll @IntRange(min = 1, max = 70_000) int maxPiece, @ForAll @IntRange(min = 0, max = 1000) int seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<byte[]> bodies = List.of(new byte[0], new byte[] {1, 2, 3}, random(rnd, 200), random(rnd, 130_000), new byte[0], random(rnd, 127));
        ByteBuf all = Unpooled.buffer();
        for (byte[] b : bodies) {
            all.writeBytes(GraphsyncCodec.frame(b));
        }
        GraphsyncFrameDecoder dec = new GraphsyncFrameDecoder();
        List<byte[]> out = new ArrayList<>();
        while (all.isReadable()) {
            int n = Math.min(all.readableBytes(), 1 + rnd.nextInt(maxPiece));
            dec.feed(all.readRetainedSlice(n), out::add);
        }
        all.release();
        assertThat(dec.hasPartial()).isFalse();
        assertThat(out).hasSameSizeAs(bodies);
        for (int i = 0; i < bodies.size(); i++) {
            assertThat(out.get(i)).isEqualTo(bodies.get(i));
        }
    }

    @Test
    void partialFrameIsReportedAndReleased() {
        GraphsyncFrameDecoder dec = new GraphsyncFrameDecoder();
        byte[] frame = GraphsyncCodec.frame(new byte[1000]);
        List<byte[]> out = new ArrayList<>();
        dec.feed(Unpooled.wrappedBuffer(frame, 0, 1), out::add); // half a varint
        assertThat(dec.hasPartial()).isTrue();
        dec.feed(Unpooled.wrappedBuffer(frame, 1, 500), out::add);
        assertThat(dec.hasPartial()).isTrue();
        assertThat(out).isEmpty();
        dec.release(); // the retained piece goes back (paranoid leak detection would notice)
        assertThat(dec.hasPartial()).isFalse();
    }

    @Test
    void oversizedOrMalformedLengthsAreBadMessages() {
        GraphsyncFrameDecoder dec = new GraphsyncFrameDecoder();
        byte[] tooBig = new byte[5];
        int n = venus.retrieval.ipld.Varint.write(GraphsyncCodec.MAX_MESSAGE + 1, tooBig, 0);
        assertThatThrownBy(() -> dec.feed(Unpooled.wrappedBuffer(tooBig, 0, n), b -> { }))
                .isInstanceOf(NodeException.class).hasMessageContaining("exceeds");
        GraphsyncFrameDecoder dec2 = new GraphsyncFrameDecoder();
        byte[] endless = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80};
        assertThatThrownBy(() -> dec2.feed(Unpooled.wrappedBuffer(endless), b -> { }))
                .isInstanceOf(NodeException.class).hasMessageContaining("varint too long");
    }

    private static byte[] random(SplittableRandom rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }
}
