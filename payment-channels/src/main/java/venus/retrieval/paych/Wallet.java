package venus.retrieval.paych;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The client wallet: secp256k1 keys in {@code REPO/keystore/wallet/<address>.key} (mode 0600,
 * JSON in the Lotus key-info shape {@code {"Type":"secp256k1","PrivateKey":"<base64>"}}), and the
 * default address in {@code REPO/keystore/wallet/default}. Every file is written to a temporary
 * name, synced, then renamed, so a crash never leaves half a key.
 */
public final class Wallet {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY_SUFFIX = ".key";
    private static final String DEFAULT_FILE = "default";

    private final Path dir;

    private Wallet(Path dir) {
        this.dir = dir;
    }

    /** The wallet directory of a repo. */
    public static Path directory(Path repo) {
        return repo.resolve("keystore").resolve("wallet");
    }

    /** Opens (creating the directory if needed) the wallet of {@code repo}. */
    public static Wallet open(Path repo) {
        Path dir = directory(repo);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new PaychException(PaychException.Reason.WALLET, "cannot create wallet directory " + dir + ": " + e.getMessage(), e);
        }
        return new Wallet(dir);
    }

    /**
     * Opens the wallet of {@code repo} and makes sure it has a default address, creating a new
     * key for it if the wallet is empty. {@code vrn init} calls this.
     */
    public static Wallet loadOrCreateDefault(Path repo) {
        Wallet w = open(repo);
        if (w.defaultAddressIfSet() == null) {
            List<Address> existing = w.list();
            w.setDefault(existing.isEmpty() ? w.newAddress() : existing.get(0));
        }
        return w;
    }

    /** Creates a new secp256k1 key; returns its f1 address. The first key becomes the default. */
    public Address newAddress() {
        return importKey(Secp256k1.generatePrivateKey());
    }

    /** Stores a 32-byte secp256k1 private key; returns its f1 address. */
    public Address importKey(byte[] privateKey) {
        Address a = Secp256k1.address(privateKey);
        ObjectNode info = JSON.createObjectNode();
        info.put("Type", "secp256k1");
        info.put("PrivateKey", Base64.getEncoder().encodeToString(privateKey));
        writeAtomically(dir.resolve(a + KEY_SUFFIX), info.toString().getBytes(StandardCharsets.UTF_8));
        if (defaultAddressIfSet() == null) {
            setDefault(a);
        }
        return a;
    }

    /** Every address the wallet holds a key for, sorted by string. */
    public List<Address> list() {
        List<Address> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files.sorted()::iterator) {
                String name = p.getFileName().toString();
                if (name.endsWith(KEY_SUFFIX)) {
                    out.add(Address.parse(name.substring(0, name.length() - KEY_SUFFIX.length())));
                }
            }
        } catch (IOException e) {
            throw new PaychException(PaychException.Reason.WALLET, "cannot list wallet " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Whether the wallet holds the key of {@code address} (compared without network prefix). */
    public boolean has(Address address) {
        return Files.exists(keyFile(address));
    }

    /** The default address; fails when none is set. */
    public Address defaultAddress() {
        Address a = defaultAddressIfSet();
        if (a == null) {
            throw new PaychException(PaychException.Reason.WALLET, "the wallet has no default address (run `vrn wallet new`)");
        }
        return a;
    }

    /** Makes {@code address} (whose key the wallet holds) the default. */
    public void setDefault(Address address) {
        if (!has(address)) {
            throw new PaychException(PaychException.Reason.WALLET, "the wallet has no key for " + address);
        }
        writeAtomically(dir.resolve(DEFAULT_FILE), address.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Signs {@code message} with the key of {@code signer}. */
    public Signature sign(Address signer, byte[] message) {
        return new Signature(Signature.Type.SECP256K1, Secp256k1.sign(privateKey(signer), message));
    }

    /** A key file read and checked, with the file attributes it was read at. */
    private record LoadedKey(byte[] key, java.nio.file.attribute.FileTime modified, long size) {}

    /** Keys already read (a voucher is signed every payment interval); re-read when the file changes. */
    private final java.util.Map<Address, LoadedKey> loaded = new java.util.concurrent.ConcurrentHashMap<>();

    /** The 32-byte private key of {@code address}. */
    byte[] privateKey(Address address) {
        Path f = keyFile(address);
        try {
            var attrs = Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class);
            LoadedKey k = loaded.get(address);
            if (k != null && k.modified().equals(attrs.lastModifiedTime()) && k.size() == attrs.size()) {
                return k.key().clone();
            }
            byte[] key = readKey(f, address);
            loaded.put(address, new LoadedKey(key.clone(), attrs.lastModifiedTime(), attrs.size()));
            return key;
        } catch (java.nio.file.NoSuchFileException e) {
            loaded.remove(address);
            throw new PaychException(PaychException.Reason.WALLET, "the wallet has no key for " + address);
        } catch (IOException e) {
            throw new PaychException(PaychException.Reason.WALLET, "cannot read key file " + f + ": " + e.getMessage(), e);
        }
    }

    private static byte[] readKey(Path f, Address address) {
        try {
            JsonNode info = JSON.readTree(Files.readAllBytes(f));
            if (!"secp256k1".equals(info.path("Type").asText())) {
                throw new PaychException(PaychException.Reason.WALLET, "key file " + f + " is not a secp256k1 key");
            }
            byte[] key = Base64.getDecoder().decode(info.path("PrivateKey").asText());
            if (!Secp256k1.address(key).equals(address)) {
                throw new PaychException(PaychException.Reason.WALLET, "key file " + f + " holds the key of another address");
            }
            return key;
        } catch (java.nio.file.NoSuchFileException e) {
            throw new PaychException(PaychException.Reason.WALLET, "the wallet has no key for " + address);
        } catch (IOException | IllegalArgumentException e) {
            throw new PaychException(PaychException.Reason.WALLET, "cannot read key file " + f + ": " + e.getMessage(), e);
        }
    }

    private Address defaultAddressIfSet() {
        Path f = dir.resolve(DEFAULT_FILE);
        if (!Files.exists(f)) {
            return null;
        }
        try {
            return Address.parse(Files.readString(f, StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            throw new PaychException(PaychException.Reason.WALLET, "cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    private Path keyFile(Address address) {
        return dir.resolve(address + KEY_SUFFIX);
    }

    private static void writeAtomically(Path target, byte[] content) {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), ownerOnly())) {
                ch.write(java.nio.ByteBuffer.wrap(content));
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory(target.getParent());
        } catch (FileAlreadyExistsException e) {
            throw new PaychException(PaychException.Reason.WALLET, "another process is writing " + target, e);
        } catch (IOException e) {
            throw new PaychException(PaychException.Reason.WALLET, "cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    private static FileAttribute<?>[] ownerOnly() {
        if (!java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[0];
        }
        Set<PosixFilePermission> rw = PosixFilePermissions.fromString("rw-------");
        return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(rw)};
    }

    private static void syncDirectory(Path dir) {
        // makes the rename durable on Linux; not every platform can open a directory
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
