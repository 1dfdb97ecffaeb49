package venus.retrieval.libp2p;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import venus.retrieval.libp2p.crypto.PubKey;
import venus.retrieval.libp2p.multiaddr.Multiaddr;

/** A secured, multiplexed connection to one peer (TCP + Noise + Yamux). */
public interface Connection {
    /** The verified peer at the other end. */
    PeerId remotePeer();

    /** The peer's identity key, verified in the Noise handshake. */
    PubKey remotePublicKey();

    /** The peer's address as we see it. */
    Multiaddr remoteAddress();

    /** Our local address of this connection. */
    Multiaddr localAddress();

    /** Whether we dialed this connection. */
    boolean isInitiator();

    /** Whether it is still open. */
    boolean isOpen();

    /** Opens a stream, proposing {@code protocolIds} in order; completes once one was agreed. */
    CompletableFuture<Stream> newStream(List<String> protocolIds);

    /** What the peer told us about itself via identify; completes once the first identify is done. */
    CompletableFuture<PeerInfo> identified();

    /** The latest identify information (identify push updates it), or null before identify. */
    PeerInfo peerInfo();

    /** Closes the connection (Yamux go-away, then TCP close). */
    void close();

    /** Completes when the connection is closed. */
    CompletableFuture<Void> closeFuture();

    /** What identify taught us about a peer. */
    record PeerInfo(PeerId peerId, PubKey publicKey, List<String> protocols, List<Multiaddr> listenAddrs,
                    Multiaddr observedAddr, String protocolVersion, String agentVersion) {
        public PeerInfo {
            protocols = List.copyOf(protocols);
            listenAddrs = List.copyOf(listenAddrs);
        }
    }
}
