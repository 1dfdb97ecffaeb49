package venus.retrieval.libp2p;

import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.Multibase;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.Multihash;
import venus.retrieval.libp2p.crypto.PubKey;

/**
 * A peer's identity: the multihash of its {@code PublicKey} protobuf — identity multihash when the
 * protobuf is at most 42 bytes (Ed25519: {@code 12D3KooW…}), sha2-256 otherwise (RSA: {@code Qm…}).
 * Printed as bare base58btc; parsed from that or from a CIDv1 with codec libp2p-key.
 */
public final class PeerId {
    /** Longest public-key protobuf that is inlined rather than hashed. */
    public static final int MAX_INLINE_KEY_LENGTH = 42;

    private final Multihash multihash;

    private PeerId(Multihash multihash) {
        this.multihash = multihash;
    }

    /** The peer ID of a public key. */
    public static PeerId fromPublicKey(PubKey key) {
        byte[] pb = key.bytes();
        Multihash mh = pb.length <= MAX_INLINE_KEY_LENGTH
                ? Multihash.of(Multicodec.IDENTITY, pb)
                : Multihash.compute(Multicodec.SHA2_256, pb);
        return new PeerId(mh);
    }

    /** Parses the binary form (a multihash). */
    public static PeerId fromBytes(byte[] bytes) {
        Multihash mh;
        try {
            mh = Multihash.decode(bytes);
        } catch (IpldException e) {
            throw new Libp2pException(Libp2pException.Reason.BAD_PEER_ID, "invalid peer ID multihash: " + e.getMessage(), e);
        }
        return fromMultihash(mh);
    }

    /** A peer ID from its multihash (identity or sha2-256 only). */
    public static PeerId fromMultihash(Multihash mh) {
        if (mh.code() == Multicodec.IDENTITY) {
            if (mh.digestLength() > MAX_INLINE_KEY_LENGTH) {
                throw new Libp2pException(Libp2pException.Reason.BAD_PEER_ID, "identity peer ID longer than " + MAX_INLINE_KEY_LENGTH + " bytes");
            }
            PubKey.decode(mh.digest()); // an inline key must be a valid key
        } else if (mh.code() != Multicodec.SHA2_256 || mh.digestLength() != 32) {
            throw new Libp2pException(Libp2pException.Reason.BAD_PEER_ID, "peer ID must be an identity or sha2-256 multihash");
        }
        return new PeerId(mh);
    }

    /** Parses {@code 12D3KooW…}/{@code Qm…} (bare base58btc) or a libp2p-key CIDv1 ({@code bafz…}, {@code k51…}). */
    public static PeerId parse(String s) {
        if (s == null || s.isEmpty()) {
            throw new Libp2pException(Libp2pException.Reason.BAD_PEER_ID, "empty peer ID");
        }
        try {
            if (s.startsWith("1") || s.startsWith("Qm")) {
                return fromBytes(Multibase.decodeRaw(Multibase.Base.BASE58_BTC, s));
            }
            Cid cid = Cid.parse(s);
            if (cid.version() != 1 || cid.codec() != Multicodec.LIBP2P_KEY) {
                throw new Libp2pException(Libp2pException.Reason.BAD_PEER_ID, "CID is not a libp2p-key: " + s);
            }
            return fromMultihash(cid.multihash());
        } catch (IpldException | Libp2pException e) {
            if (e instanceof Libp2pException && ((Libp2pException) e).reason() == Libp2pException.Reason.BAD_PEER_ID) {
                throw e;
            }
            throw new Libp2pException(Libp2pException.Reason.BAD_PEER_ID, "invalid peer ID \"" + s + "\": " + e.getMessage(), e);
        }
    }

    /** The multihash. */
    public Multihash multihash() {
        return multihash;
    }

    /** The binary form (the multihash bytes). */
    public byte[] bytes() {
        return multihash.bytes();
    }

    /** The public key when it is inlined (identity multihash), else null. */
    public PubKey inlinePublicKey() {
        return multihash.code() == Multicodec.IDENTITY ? PubKey.decode(multihash.digest()) : null;
    }

    /** Whether {@code key} is this peer's key. */
    public boolean matches(PubKey key) {
        return equals(fromPublicKey(key));
    }

    /** The peer ID as a CIDv1 (codec libp2p-key). */
    public Cid toCid() {
        return Cid.v1(Multicodec.LIBP2P_KEY, multihash);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PeerId && ((PeerId) o).multihash.equals(multihash);
    }

    @Override
    public int hashCode() {
        return multihash.hashCode();
    }

    /** Bare base58btc of the multihash. */
    @Override
    public String toString() {
        return Multibase.encodeRaw(Multibase.Base.BASE58_BTC, multihash.bytes());
    }

}
