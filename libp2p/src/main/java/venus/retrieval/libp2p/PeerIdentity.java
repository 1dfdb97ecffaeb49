package venus.retrieval.libp2p;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import venus.retrieval.libp2p.crypto.PrivKey;
import venus.retrieval.libp2p.crypto.PubKey;

/**
 * This node's identity: its private key and the peer ID derived from it. The key file holds the
 * libp2p {@code PrivateKey} protobuf (the format go- and js-libp2p use), readable by the owner only.
 */
public final class PeerIdentity {
    /** Where {@code vrn init} puts the key, relative to the repo. */
    public static final String KEY_FILE = "keystore/libp2p.key";

    private final PrivKey privateKey;
    private final PeerId peerId;

    private PeerIdentity(PrivKey privateKey) {
        this.privateKey = privateKey;
        this.peerId = PeerId.fromPublicKey(privateKey.publicKey());
    }

    /** A new random Ed25519 identity (not persisted). */
    public static PeerIdentity generate() {
        return new PeerIdentity(PrivKey.generateEd25519());
    }

    /** The identity of an existing private key. */
    public static PeerIdentity of(PrivKey key) {
        return new PeerIdentity(key);
    }

    /** Reads a key file; a missing file is {@link Libp2pException.Reason#IO} with a clear message. */
    public static PeerIdentity load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new Libp2pException(Libp2pException.Reason.IO, "no libp2p key at " + file + " (run `vrn init` first)", e);
        } catch (IOException e) {
            throw new Libp2pException(Libp2pException.Reason.IO, "cannot read libp2p key " + file + ": " + e.getMessage(), e);
        }
        try {
            return new PeerIdentity(PrivKey.decode(bytes));
        } catch (Libp2pException e) {
            throw new Libp2pException(e.reason(), "bad libp2p key " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Loads the key at {@code file}, or creates a fresh Ed25519 key there (parent directories too;
     * file mode 0600 where the file system supports POSIX permissions; written atomically).
     */
    public static PeerIdentity loadOrCreate(Path file) {
        if (Files.exists(file)) {
            return load(file);
        }
        PeerIdentity id = generate();
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = dir.resolve(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(tmp);
            }
            Files.write(tmp, id.privateKey.bytes());
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file);
            }
        } catch (FileAlreadyExistsException e) {
            return load(file);
        } catch (IOException e) {
            throw new Libp2pException(Libp2pException.Reason.IO, "cannot write libp2p key " + file + ": " + e.getMessage(), e);
        }
        return id;
    }

    /** The private key. */
    public PrivKey privateKey() {
        return privateKey;
    }

    /** The public key. */
    public PubKey publicKey() {
        return privateKey.publicKey();
    }

    /** The peer ID. */
    public PeerId peerId() {
        return peerId;
    }

    @Override
    public String toString() {
        return "PeerIdentity(" + peerId + ")";
    }
}
