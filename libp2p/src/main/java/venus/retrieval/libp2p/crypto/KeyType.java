package venus.retrieval.libp2p.crypto;

import venus.retrieval.libp2p.Libp2pException;

/** libp2p key types, with their protobuf enum numbers. */
public enum KeyType {
    RSA(0), ED25519(1), SECP256K1(2), ECDSA(3);

    private final int code;

    KeyType(int code) {
        this.code = code;
    }

    /** The protobuf enum value. */
    public int code() {
        return code;
    }

    /** The type for a protobuf enum value. */
    public static KeyType of(long code) {
        for (KeyType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        throw new Libp2pException(Libp2pException.Reason.BAD_KEY, "unknown key type " + code);
    }
}
