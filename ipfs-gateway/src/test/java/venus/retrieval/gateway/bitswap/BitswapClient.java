package venus.retrieval.gateway.bitswap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import venus.retrieval.ipld.Cid;
import venus.retrieval.libp2p.Connection;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.libp2p.Stream;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.libp2p.host.HostConfig;
import venus.retrieval.libp2p.multiaddr.Multiaddr;

/** A minimal Bitswap client on our libp2p host, for loopback tests (and misbehaving on purpose). */
final class BitswapClient implements AutoCloseable {
    final Host host;
    final Connection connection;
    final Map<Cid, byte[]> received = new ConcurrentHashMap<>();
    final BlockingQueue<BitswapMessage> messages = new LinkedBlockingQueue<>();
    final BlockingQueue<Stream> inbound = new LinkedBlockingQueue<>();
    volatile boolean reading = true;
    /** Reset the next reply stream as soon as its first bytes arrive (dropping them). */
    volatile boolean resetNextReply;

    BitswapClient(Multiaddr server) throws Exception {
        host = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
        host.setHandler(BitswapProtocol.V1_2_0.id(), stream -> {
            inbound.add(stream);
            if (!reading) {
                stream.setAutoRead(false);
            }
            BitswapFrameDecoder d = new BitswapFrameDecoder(stream.alloc(), 8 << 20);
            boolean resetThis = resetNextReply;
            resetNextReply = false;
            stream.setListener(new Stream.Listener() {
                @Override
                public void onData(Stream s, ByteBuf data) {
                    if (resetThis) {
                        data.release();
                        s.reset();
                        return;
                    }
                    for (BitswapMessage m : d.decode(data)) {
                        for (BitswapMessage.Block b : m.blocks()) {
                            received.put(b.cid(), b.data());
                        }
                        messages.add(m);
                    }
                }

                @Override
                public void onRemoteClosed(Stream s) {
                    s.closeWrite();
                }

                @Override
                public void onClosed(Stream s, venus.retrieval.libp2p.Libp2pException cause) {
                    d.release();
                }
            });
        });
        connection = host.connect(server).get(30, TimeUnit.SECONDS);
    }

    /** Opens a stream and sends {@code m} on it (left open for more). */
    Stream send(BitswapMessage m) throws Exception {
        Stream s = connection.newStream(List.of(BitswapProtocol.V1_2_0.id())).get(30, TimeUnit.SECONDS);
        s.setListener((st, data) -> data.release());
        s.write(Unpooled.wrappedBuffer(BitswapServer.frame(m)));
        return s;
    }

    /** Sends raw bytes on a fresh stream. */
    Stream sendRaw(byte[] bytes) throws Exception {
        Stream s = connection.newStream(List.of(BitswapProtocol.V1_2_0.id())).get(30, TimeUnit.SECONDS);
        s.setListener((st, data) -> data.release());
        s.write(Unpooled.wrappedBuffer(bytes));
        return s;
    }

    BitswapMessage next() throws InterruptedException {
        BitswapMessage m = messages.poll(20, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("no bitswap message within 20 s");
        }
        return m;
    }

    @Override
    public void close() {
        host.close();
    }
}
