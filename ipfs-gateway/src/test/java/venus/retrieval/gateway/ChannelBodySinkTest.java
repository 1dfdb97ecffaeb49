package venus.retrieval.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The body sink on its own: small writes are gathered into chunks, not sent one flush each. */
class ChannelBodySinkTest {

    @Test
    void smallWritesAreGatheredIntoOneChunk() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel();
        try {
            ChannelBodySink sink = new ChannelBodySink(ch, false, TimeUnit.SECONDS.toNanos(5), new GatewayStats());
            byte[] piece = new byte[1000];
            for (int i = 0; i < 10; i++) {
                piece[0] = (byte) i;
                sink.write(piece, 0, piece.length);
            }
            // 10 kB is below one chunk: nothing may have been sent yet (a CAR writer does many tiny writes).
            assertThat((Object) ch.readOutbound()).isNull();
            sink.finish();
            HttpContent c = ch.readOutbound();
            try {
                assertThat(c.content().readableBytes()).isEqualTo(10_000);
                for (int i = 0; i < 10; i++) {
                    assertThat(c.content().getByte(i * 1000)).isEqualTo((byte) i);
                }
            } finally {
                c.release();
            }
            assertThat((Object) ch.readOutbound()).isNull();
            assertThat(sink.written()).isEqualTo(10_000);
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void aFullChunkIsSentAtOnceAndTheRestOnFinish() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel();
        try {
            ChannelBodySink sink = new ChannelBodySink(ch, false, TimeUnit.SECONDS.toNanos(5), new GatewayStats());
            byte[] piece = new byte[1000];
            for (int i = 0; i < 70; i++) {
                sink.write(piece, 0, piece.length);
            }
            HttpContent first = ch.readOutbound();
            try {
                assertThat(first.content().readableBytes()).isEqualTo(ChannelBodySink.CHUNK);
            } finally {
                first.release();
            }
            assertThat((Object) ch.readOutbound()).isNull();
            sink.finish();
            HttpContent rest = ch.readOutbound();
            try {
                assertThat(rest.content().readableBytes()).isEqualTo(70_000 - ChannelBodySink.CHUNK);
            } finally {
                rest.release();
            }
        } finally {
            ch.finishAndReleaseAll();
        }
    }
}
