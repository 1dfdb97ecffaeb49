package venus.retrieval.libp2p.host;

import io.netty.channel.Channel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import venus.retrieval.libp2p.Connection;
import venus.retrieval.libp2p.Libp2pException;
import venus.retrieval.libp2p.PeerId;
import venus.retrieval.libp2p.Stream;
import venus.retrieval.libp2p.crypto.PubKey;
import venus.retrieval.libp2p.multiaddr.Multiaddr;
import venus.retrieval.libp2p.multistream.MultistreamNegotiation;
import venus.retrieval.libp2p.yamux.YamuxSession;
import venus.retrieval.libp2p.yamux.YamuxStream;

/** A connection whose upgrade finished: the channel, its Yamux session and the verified peer. */
final class ConnectionImpl implements Connection {
    private final Channel channel;
    private final YamuxSession session;
    private final PeerId remotePeer;
    private final PubKey remoteKey;
    private final boolean initiator;
    private final Multiaddr remoteAddress;
    private final Multiaddr localAddress;
    private final CompletableFuture<PeerInfo> identified = new CompletableFuture<>();
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
    private volatile PeerInfo peerInfo;

    ConnectionImpl(Channel channel, YamuxSession session, PeerId remotePeer, PubKey remoteKey, boolean initiator,
                   Multiaddr remoteAddress, Multiaddr localAddress) {
        this.channel = channel;
        this.session = session;
        this.remotePeer = remotePeer;
        this.remoteKey = remoteKey;
        this.initiator = initiator;
        this.remoteAddress = remoteAddress;
        this.localAddress = localAddress;
        channel.closeFuture().addListener(f -> {
            closeFuture.complete(null);
            identified.completeExceptionally(new Libp2pException(Libp2pException.Reason.CLOSED, "connection closed"));
        });
    }

    Channel channel() {
        return channel;
    }

    YamuxSession session() {
        return session;
    }

    CompletableFuture<PeerInfo> identifiedFuture() {
        return identified;
    }

    @Override
    public PeerId remotePeer() {
        return remotePeer;
    }

    @Override
    public PubKey remotePublicKey() {
        return remoteKey;
    }

    @Override
    public Multiaddr remoteAddress() {
        return remoteAddress;
    }

    @Override
    public Multiaddr localAddress() {
        return localAddress;
    }

    @Override
    public boolean isInitiator() {
        return initiator;
    }

    @Override
    public boolean isOpen() {
        return channel.isActive();
    }

    @Override
    public CompletableFuture<Stream> newStream(List<String> protocolIds) {
        CompletableFuture<Stream> f = new CompletableFuture<>();
        List<String> protos = List.copyOf(protocolIds);
        channel.eventLoop().execute(() -> {
            YamuxStream s;
            try {
                s = session.openStream();
            } catch (Libp2pException e) {
                f.completeExceptionally(e);
                return;
            }
            s.negotiate(MultistreamNegotiation.dialer(protos), new YamuxStream.NegotiationCallback() {
                @Override
                public void negotiated(YamuxStream stream, String protocol) {
                    if (!f.complete(stream)) {
                        stream.reset();
                    }
                }

                @Override
                public void failed(YamuxStream stream, Libp2pException cause) {
                    f.completeExceptionally(cause);
                }
            });
        });
        return f;
    }

    @Override
    public CompletableFuture<PeerInfo> identified() {
        return identified;
    }

    @Override
    public PeerInfo peerInfo() {
        return peerInfo;
    }

    void peerInfo(PeerInfo info) {
        peerInfo = info;
        identified.complete(info);
    }

    @Override
    public void close() {
        channel.close();
    }

    @Override
    public CompletableFuture<Void> closeFuture() {
        return closeFuture;
    }

    @Override
    public String toString() {
        return "Connection(" + remotePeer + " at " + remoteAddress + (initiator ? ", outbound)" : ", inbound)");
    }
}
