package venus.retrieval.node.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import venus.retrieval.node.NodeException;
import venus.retrieval.node.NodeException.Reason;
import venus.retrieval.node.repo.Repo;

/**
 * The admin API's bearer tokens: one random 256-bit hex token per {@link Permission}, each in its own
 * owner-only file {@code keystore/api-token-<permission>} written by {@code vrn init}. Tokens are
 * compared in constant time and never logged.
 */
public final class ApiTokens {
    private final Map<Permission, byte[]> tokens;

    private ApiTokens(Map<Permission, byte[]> tokens) {
        this.tokens = tokens;
    }

    /** The token file for a permission. */
    public static Path file(Repo repo, Permission p) {
        return repo.keystore().resolve("api-token-" + p.label());
    }

    /** Creates a fresh token file for every permission (fails if one exists). */
    public static void create(Repo repo) {
        SecureRandom rnd = new SecureRandom();
        for (Permission p : Permission.values()) {
            byte[] raw = new byte[32];
            rnd.nextBytes(raw);
            Repo.writeSecret(file(repo, p), (HexFormat.of().formatHex(raw) + "\n").getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** Loads the token files of a repository; a missing file means that permission has no token. */
    public static ApiTokens load(Repo repo) {
        Map<Permission, byte[]> m = new EnumMap<>(Permission.class);
        for (Permission p : Permission.values()) {
            Path f = file(repo, p);
            if (Files.isRegularFile(f)) {
                try {
                    String t = Files.readString(f, StandardCharsets.US_ASCII).trim();
                    if (!t.isEmpty()) {
                        m.put(p, t.getBytes(StandardCharsets.US_ASCII));
                    }
                } catch (IOException e) {
                    throw new NodeException(Reason.IO, "cannot read " + f + ": " + e.getMessage(), e);
                }
            }
        }
        if (m.isEmpty()) {
            throw new NodeException(Reason.IO, "no API token in " + repo.keystore() + " (run `vrn init` on a new repository)");
        }
        return new ApiTokens(m);
    }

    /** The token text of a permission (for local CLI clients that call the running daemon). */
    public Optional<String> token(Permission p) {
        byte[] t = tokens.get(p);
        return t == null ? Optional.empty() : Optional.of(new String(t, StandardCharsets.US_ASCII));
    }

    /**
     * The permission a presented token grants, or empty for an unknown token. Every stored token is
     * compared, in constant time, so timing does not reveal which prefix matched.
     */
    public Optional<Permission> check(String presented) {
        if (presented == null) {
            return Optional.empty();
        }
        byte[] given = presented.trim().getBytes(StandardCharsets.US_ASCII);
        Permission found = null;
        for (Map.Entry<Permission, byte[]> e : tokens.entrySet()) {
            if (MessageDigest.isEqual(e.getValue(), given)) {
                found = e.getKey();
            }
        }
        return Optional.ofNullable(found);
    }
}
