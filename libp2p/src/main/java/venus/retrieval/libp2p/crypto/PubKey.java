package venus.retrieval.libp2p.crypto;

import java.util.Arrays;
import venus.retrieval.libp2p.Libp2pException;
import venus.retrieval.libp2p.Protobuf;

/**
 * A peer's public key as libp2p carries it: a type and the type's own encoding of the key
 * ({@link #raw()}). {@link #bytes()} is the deterministic {@code PublicKey} protobuf that peer IDs
 * hash. Ed25519, secp256k1, ECDSA and RSA keys can all verify signatures.
 */
public abstract class PubKey {
    private final KeyType type;
    private final byte[] raw;

    PubKey(KeyType type, byte[] raw) {
        this.type = type;
        this.raw = raw.clone();
    }

    /** Parses a {@code PublicKey} protobuf; the key material is validated. */
    public static PubKey decode(byte[] protobuf) {
        Protobuf.Reader r = new Protobuf.Reader(protobuf);
        KeyType type = null;
        byte[] data = null;
        try {
            while (r.next()) {
                if (r.field() == 1) {
                    type = KeyType.of(r.varint());
                } else if (r.field() == 2) {
                    data = r.bytes();
                }
            }
        } catch (Libp2pException e) {
            throw new Libp2pException(Libp2pException.Reason.BAD_KEY, "malformed PublicKey protobuf: " + e.getMessage(), e);
        }
        if (type == null || data == null) {
            throw new Libp2pException(Libp2pException.Reason.BAD_KEY, "PublicKey protobuf lacks its Type or Data");
        }
        return of(type, data);
    }

    /** A key from its type and its type's encoding of the key. */
    public static PubKey of(KeyType type, byte[] raw) {
        switch (type) {
            case ED25519: return new Ed25519PubKey(raw);
            case SECP256K1: return new Secp256k1PubKey(raw);
            case ECDSA: return new EcdsaPubKey(raw);
            case RSA: return new RsaPubKey(raw);
            default: throw new AssertionError(type);
        }
    }

    /** The key type. */
    public KeyType type() {
        return type;
    }

    /** A copy of the key in its type's encoding (raw 32 bytes, compressed point, or DER PKIX). */
    public byte[] raw() {
        return raw.clone();
    }

    /** The deterministic {@code PublicKey} protobuf. */
    public byte[] bytes() {
        return new Protobuf.Writer().varint(1, type.code()).bytes(2, raw).toByteArray();
    }

    /** Whether {@code signature} is this key's signature over {@code data}. Never throws for bad input. */
    public abstract boolean verify(byte[] data, byte[] signature);

    @Override
    public boolean equals(Object o) {
        return o instanceof PubKey && ((PubKey) o).type == type && Arrays.equals(((PubKey) o).raw, raw);
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + Arrays.hashCode(raw);
    }

    @Override
    public String toString() {
        return type + " public key";
    }

    static Libp2pException bad(String msg, Throwable cause) {
        return new Libp2pException(Libp2pException.Reason.BAD_KEY, msg, cause);
    }
}
