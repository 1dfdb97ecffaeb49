package venus.retrieval.node.repo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;
import venus.retrieval.node.NodeException;
import venus.retrieval.node.NodeException.Reason;

/**
 * The node's repository directory ({@code --repo}, {@code VRN_REPO}, default {@code ~/.vrn}) and the
 * paths inside it. Opening checks the repo format; writers ({@code vrn daemon}, offline imports) take
 * {@link #lockForWrite()}, readers take no lock.
 *
 * <pre>
 * version          repo format number ({@link #FORMAT})
 * config.toml      node configuration (every key, commented)
 * keystore/        0700: libp2p.key, api-token-{read,write,admin}, wallet keys
 * lmdb/            blockstore + piece directory environment; lmdb/paych/ holds vouchers
 * pieces/          unsealed piece files the node holds itself
 * daemon.json      written by a running daemon (addresses, peer id, pid)
 * repo.lock        the writer lock (holds the writer's pid)
 * </pre>
 */
public final class Repo {
    /** The repo format this build reads and writes. Bump when the layout changes incompatibly. */
    public static final int FORMAT = 1;

    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");

    private final Path dir;

    private Repo(Path dir) {
        this.dir = dir;
    }

    /**
     * Opens an existing repository.
     *
     * @throws NodeException {@code REPO_MISSING} when {@code dir} holds no repository,
     *     {@code REPO_VERSION} when it was written by another repo format
     */
    public static Repo open(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        Path version = abs.resolve("version");
        if (!Files.isRegularFile(version)) {
            throw new NodeException(Reason.REPO_MISSING, "no vrn repository at " + abs + " (run `vrn init`)");
        }
        String text;
        try {
            text = Files.readString(version, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new NodeException(Reason.IO, "cannot read " + version + ": " + e.getMessage(), e);
        }
        int format;
        try {
            format = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new NodeException(Reason.REPO_VERSION,
                    "repository " + abs + " has an unreadable version file (\"" + abbreviate(text) + "\")");
        }
        if (format != FORMAT) {
            throw new NodeException(Reason.REPO_VERSION, "repository " + abs + " was written by repo format "
                    + format + "; this vrn reads format " + FORMAT);
        }
        return new Repo(abs);
    }

    /** True when {@code dir} looks like a repository (has a {@code version} file), whatever its format. */
    public static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve("version"));
    }

    /**
     * Creates the directory layout of a new repository and returns it. The {@code version} file is
     * written last so that an interrupted create does not look like a repository. Callers (see
     * {@code vrn init}) then write the config and keys.
     *
     * @throws NodeException {@code REPO_NOT_EMPTY} when {@code dir} exists, is not empty and is not
     *     a repository; {@code REPO_VERSION}-free: an existing repository is reported by {@link #exists}
     */
    public static Repo create(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        try {
            if (Files.exists(abs)) {
                if (!Files.isDirectory(abs)) {
                    throw new NodeException(Reason.REPO_NOT_EMPTY, abs + " exists and is not a directory");
                }
                try (Stream<Path> entries = Files.list(abs)) {
                    if (entries.findAny().isPresent()) {
                        throw new NodeException(Reason.REPO_NOT_EMPTY, "refusing to initialise " + abs
                                + ": the directory is not empty and is not a vrn repository");
                    }
                }
            }
            Files.createDirectories(abs);
            Repo repo = new Repo(abs);
            createPrivateDirectory(repo.keystore());
            Files.createDirectories(repo.paychLmdb());
            Files.createDirectories(repo.pieces());
            return repo;
        } catch (IOException e) {
            throw new NodeException(Reason.IO, "cannot create repository at " + abs + ": " + e.getMessage(), e);
        }
    }

    /** Marks a fully written repository as usable: writes the {@code version} file. */
    public void markInitialised() {
        writeAtomically(versionFile(), (FORMAT + "\n").getBytes(StandardCharsets.UTF_8), false);
    }

    /** The repository directory (absolute). */
    public Path dir() {
        return dir;
    }

    public Path versionFile() {
        return dir.resolve("version");
    }

    public Path configFile() {
        return dir.resolve("config.toml");
    }

    /** Secrets: owner-only directory (0700). */
    public Path keystore() {
        return dir.resolve("keystore");
    }

    /** The libp2p identity key, in the libp2p module's own format. */
    public Path libp2pKey() {
        return keystore().resolve("libp2p.key");
    }

    /** The LMDB environment of the blockstore and piece directory. */
    public Path lmdb() {
        return dir.resolve("lmdb");
    }

    /** The payment-channel module's own LMDB environment (vouchers). */
    public Path paychLmdb() {
        return lmdb().resolve("paych");
    }

    public Path pieces() {
        return dir.resolve("pieces");
    }

    /** Written by a running daemon; absent when none runs. */
    public Path daemonJson() {
        return dir.resolve("daemon.json");
    }

    public Path lockFile() {
        return dir.resolve("repo.lock");
    }

    /**
     * Takes the repository's writer lock for the life of this process (or until closed). The lock file
     * records the holder's pid so a refused writer can name it.
     *
     * @throws NodeException {@code REPO_IN_USE} when another process (or this one) holds it
     */
    public WriteLock lockForWrite() {
        Path lockFile = lockFile();
        FileChannel ch = null;
        try {
            ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                String holder = readPid(ch);
                ch.close();
                throw new NodeException(Reason.REPO_IN_USE, "repository " + dir + " is in use by another vrn process (pid "
                        + holder + ")");
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            ch.force(false);
            return new WriteLock(ch, lock);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new NodeException(Reason.IO, "cannot lock " + lockFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether a writer process may be running: the lock file names a live process (a stale or
     * unreadable file counts as running, the safe answer). Takes no lock, so it never disturbs a
     * writer that is starting.
     */
    public boolean writerMayBeRunning() {
        Path lockFile = lockFile();
        if (!Files.exists(lockFile)) {
            return false;
        }
        try {
            String pid = Files.readString(lockFile, StandardCharsets.US_ASCII).strip();
            if (!pid.matches("\\d{1,18}")) {
                return !pid.isEmpty();
            }
            return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException e) {
            return true;
        }
    }

    private static String readPid(FileChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(32);
        ch.read(buf, 0);
        String pid = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
        return pid.matches("\\d+") ? pid : "unknown";
    }

    /** The writer lock; closing releases it (the lock file stays, its content is stale by then). */
    public static final class WriteLock implements AutoCloseable {
        private final FileChannel channel;
        private final FileLock lock;

        private WriteLock(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }

        /** True until closed. */
        public boolean isValid() {
            return lock.isValid();
        }

        @Override
        public void close() {
            try {
                if (lock.isValid()) {
                    lock.release();
                }
            } catch (IOException ignored) {
                // The channel close below releases it anyway.
            }
            closeQuietly(channel);
        }
    }

    /**
     * Writes a file atomically: a temp file in the same directory, then a rename, so readers see the
     * old content or the new, never a torn file.
     *
     * @param ownerOnly create the file 0600 (secrets)
     */
    public static void writeAtomically(Path target, byte[] content, boolean ownerOnly) {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            Files.deleteIfExists(tmp);
            if (ownerOnly && posix(target.getParent())) {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_FILE));
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort
            }
            throw new NodeException(Reason.IO, "cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Creates a new owner-only (0600) file with the given content; fails if it exists, so a secret is
     * never silently replaced.
     */
    public static void writeSecret(Path target, byte[] content) {
        try {
            if (posix(target.getParent())) {
                Files.createFile(target, PosixFilePermissions.asFileAttribute(OWNER_FILE));
            } else {
                Files.createFile(target);
            }
            Files.write(target, content, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (FileAlreadyExistsException e) {
            throw new NodeException(Reason.IO, "refusing to overwrite existing secret " + target);
        } catch (IOException e) {
            throw new NodeException(Reason.IO, "cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    private static void createPrivateDirectory(Path d) throws IOException {
        if (posix(d.getParent())) {
            Files.createDirectory(d, PosixFilePermissions.asFileAttribute(OWNER_DIR));
            // createDirectory is subject to the umask; set the mode explicitly.
            Files.setPosixFilePermissions(d, OWNER_DIR);
        } else {
            Files.createDirectory(d);
        }
    }

    private static boolean posix(Path anyPathOnTheFileSystem) {
        return anyPathOnTheFileSystem.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing useful to do
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 20 ? s : s.substring(0, 20) + "…";
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
