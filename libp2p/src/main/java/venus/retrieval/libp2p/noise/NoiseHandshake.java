package venus.retrieval.libp2p.noise;

import java.nio.charset.StandardCharsets;
import venus.retrieval.libp2p.Libp2pException;
import venus.retrieval.libp2p.PeerId;
import venus.retrieval.libp2p.Protobuf;
import venus.retrieval.libp2p.crypto.PrivKey;
import venus.retrieval.libp2p.crypto.PubKey;

/**
 * The libp2p Noise handshake ({@code /noise}) on top of {@link HandshakeState}: empty prologue, a
 * fresh static X25519 key per connection, and the signed payload that binds it to the libp2p
 * identity ({@code NoiseHandshakePayload}: identity_key = 1, identity_sig = 2 over
 * {@code "noise-libp2p-static-key:" ‖ static key}). No extensions are sent, so the muxer is
 * always negotiated with multistream-select afterwards.
 */
public final class NoiseHandshake {
    /** The multistream protocol id. */
    public static final String PROTOCOL_ID = "/noise";
    static final byte[] SIGNATURE_PREFIX = "noise-libp2p-static-key:".getBytes(StandardCharsets.US_ASCII);

    private final boolean initiator;
    private final PrivKey identity;
    private final PeerId expectedRemote;
    private final HandshakeState state;
    private PubKey remoteKey;
    private PeerId remotePeer;

    /**
     * @param expectedRemote the peer the dialer wants, or null to accept anyone (always null for the listener)
     */
    public NoiseHandshake(boolean initiator, PrivKey identity, PeerId expectedRemote) {
        this(initiator, identity, expectedRemote, HandshakeState.newPrivateKey());
    }

    NoiseHandshake(boolean initiator, PrivKey identity, PeerId expectedRemote, byte[] staticPriv) {
        this.initiator = initiator;
        this.identity = identity;
        this.expectedRemote = expectedRemote;
        this.state = new HandshakeState(initiator, new byte[0], staticPriv, null);
    }

    /** Whether this is the dialer's side. */
    public boolean isInitiator() {
        return initiator;
    }

    /** The dialer's first message (ephemeral key, empty payload). */
    public byte[] firstMessage() {
        if (!initiator) {
            throw new IllegalStateException("only the initiator speaks first");
        }
        return state.writeMessage(new byte[0]);
    }

    /**
     * Processes the peer's next handshake message; returns the message to send back, or null.
     *
     * @throws Libp2pException HANDSHAKE_FAILED, BAD_SIGNATURE, BAD_KEY or PEER_MISMATCH
     */
    public byte[] onMessage(byte[] msg) {
        if (state.isComplete() || state.isMyTurn()) {
            throw new Libp2pException(Libp2pException.Reason.PROTOCOL_VIOLATION, "unexpected Noise handshake message");
        }
        byte[] payload = state.readMessage(msg);
        if (initiator) {
            verify(payload);               // message 2 carries the listener's identity
            return state.writeMessage(ourPayload());
        }
        if (state.isComplete()) {
            verify(payload);               // message 3 carries the dialer's identity
            return null;
        }
        return state.writeMessage(ourPayload());
    }

    /** Whether the handshake is over and the remote identity verified. */
    public boolean isComplete() {
        return state.isComplete() && remotePeer != null;
    }

    /** The verified remote identity key. */
    public PubKey remoteKey() {
        return remoteKey;
    }

    /** The verified remote peer ID. */
    public PeerId remotePeer() {
        return remotePeer;
    }

    /** The transport cipher states {send, receive}. */
    public CipherState[] split() {
        return state.split();
    }

    private byte[] ourPayload() {
        byte[] toSign = concat(SIGNATURE_PREFIX, state.localStaticPublicKey());
        return new Protobuf.Writer()
                .bytes(1, identity.publicKey().bytes())
                .bytes(2, identity.sign(toSign))
                .toByteArray();
    }

    private void verify(byte[] payload) {
        byte[] key = null;
        byte[] sig = null;
        try {
            Protobuf.Reader r = new Protobuf.Reader(payload);
            while (r.next()) {
                if (r.field() == 1) {
                    key = r.bytes();
                } else if (r.field() == 2) {
                    sig = r.bytes();
                }
            }
        } catch (Libp2pException e) {
            throw new Libp2pException(Libp2pException.Reason.HANDSHAKE_FAILED, "malformed Noise handshake payload: " + e.getMessage(), e);
        }
        if (key == null || sig == null) {
            throw new Libp2pException(Libp2pException.Reason.HANDSHAKE_FAILED, "Noise handshake payload lacks the identity key or signature");
        }
        PubKey pk = PubKey.decode(key);
        if (!pk.verify(concat(SIGNATURE_PREFIX, state.remoteStaticPublicKey()), sig)) {
            throw new Libp2pException(Libp2pException.Reason.BAD_SIGNATURE, "Noise static key signature does not verify");
        }
        PeerId id = PeerId.fromPublicKey(pk);
        if (expectedRemote != null && !expectedRemote.equals(id)) {
            throw new Libp2pException(Libp2pException.Reason.PEER_MISMATCH, "dialed " + expectedRemote + " but reached " + id);
        }
        remoteKey = pk;
        remotePeer = id;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
