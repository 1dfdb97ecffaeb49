package venus.retrieval.libp2p;

/** Hears about connections as they come and go (called on the connection's event loop; keep it short). */
public interface ConnectionListener {
    /** A connection finished its upgrade (Noise + Yamux) and can carry streams. */
    default void onConnected(Connection connection) {}

    /** Identify finished on {@code connection}. */
    default void onIdentified(Connection connection, Connection.PeerInfo info) {}

    /** {@code connection} closed. */
    default void onDisconnected(Connection connection) {}
}
