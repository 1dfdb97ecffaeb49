package venus.retrieval.libp2p.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import venus.retrieval.libp2p.Libp2pException;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.libp2p.Stream;
import venus.retrieval.libp2p.multiaddr.Multiaddr;

/** {@link Stream#whenSent()}: done once the written bytes were handed to the connection, within the peer's window. */
class StreamWhenSentTest {
    static final String SINK = "/vrn-test/sink/1";

    @Test
    void waitsForThePeersWindowAndFailsWhenTheStreamEndsFirst() throws Exception {
        LinkedBlockingQueue<Stream> sinks = new LinkedBlockingQueue<>();
        try (Host a = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
             Host b = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start()) {
            // a peer that reads nothing until told: it grants no window beyond the first 256 KiB
            a.setHandler(SINK, s -> {
                s.setAutoRead(false);
                s.setListener((st, data) -> data.release());
                sinks.add(s);
            });
            Multiaddr addr = a.listenAddrs().get(0).withPeerId(a.peerId());
            Stream s = b.newStream(addr, List.of(SINK)).get(30, TimeUnit.SECONDS);
            s.setListener((st, data) -> data.release());
            s.write(Unpooled.wrappedBuffer(new byte[1000]));
            s.whenSent().get(30, TimeUnit.SECONDS); // within the window: handed over
            s.write(Unpooled.wrappedBuffer(new byte[512 * 1024]));
            CompletableFuture<Void> held = s.whenSent();
            Stream sink = sinks.poll(30, TimeUnit.SECONDS);
            assertThat(sink).isNotNull();
            assertThat(held).isNotDone(); // 512 KiB cannot pass a 256 KiB window nobody grants
            sink.setAutoRead(true); // the peer reads: window granted, the rest goes out
            held.get(30, TimeUnit.SECONDS);

            Stream s2 = b.newStream(addr, List.of(SINK)).get(30, TimeUnit.SECONDS);
            s2.setListener((st, data) -> data.release());
            s2.write(Unpooled.wrappedBuffer(new byte[512 * 1024]));
            CompletableFuture<Void> lost = s2.whenSent();
            assertThat(sinks.poll(30, TimeUnit.SECONDS)).isNotNull();
            s2.reset(); // the unsent rest is dropped
            assertThatThrownBy(() -> lost.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(Libp2pException.class);
            assertThatThrownBy(() -> s2.whenSent().get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(Libp2pException.class); // and asked after the end
        }
    }
}
