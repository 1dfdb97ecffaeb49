package venus.retrieval.libp2p.multiaddr;

/**
 * The multiaddr protocols this node reads and writes, with their multicodec codes and value sizes
 * (bits; 0 = no value; -1 = length-prefixed).
 */
public enum Protocol {
    IP4(4, 32, "ip4"),
    TCP(6, 16, "tcp"),
    DNS(53, -1, "dns"),
    DNS4(54, -1, "dns4"),
    DNS6(55, -1, "dns6"),
    DNSADDR(56, -1, "dnsaddr"),
    IP6(41, 128, "ip6"),
    UDP(273, 16, "udp"),
    P2P_CIRCUIT(290, 0, "p2p-circuit"),
    P2P(421, -1, "p2p"),
    HTTPS(443, 0, "https"),
    TLS(448, 0, "tls"),
    SNI(449, -1, "sni"),
    QUIC(460, 0, "quic"),
    QUIC_V1(461, 0, "quic-v1"),
    WS(477, 0, "ws"),
    WSS(478, 0, "wss"),
    HTTP(480, 0, "http");

    private final int code;
    private final int bits;
    private final String name;

    Protocol(int code, int bits, String name) {
        this.code = code;
        this.bits = bits;
        this.name = name;
    }

    /** The multicodec code. */
    public int code() {
        return code;
    }

    /** Value size in bits: 0 none, -1 variable (length-prefixed). */
    public int bits() {
        return bits;
    }

    /** The name used in the string form. */
    public String protocolName() {
        return name;
    }

    /** The protocol for a code, or null. */
    public static Protocol forCode(long code) {
        for (Protocol p : values()) {
            if (p.code == code) {
                return p;
            }
        }
        return null;
    }

    /** The protocol for a string-form name ({@code ipfs} is the old name of {@code p2p}), or null. */
    public static Protocol forName(String name) {
        if ("ipfs".equals(name)) {
            return P2P;
        }
        for (Protocol p : values()) {
            if (p.name.equals(name)) {
                return p;
            }
        }
        return null;
    }
}
