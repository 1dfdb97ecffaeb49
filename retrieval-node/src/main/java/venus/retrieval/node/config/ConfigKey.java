package venus.retrieval.node.config;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One configuration key: its dotted name, a type label for docs, its default (as written in
 * {@code config.toml}), the parser that validates a value, and a one-line description. Keys are
 * declared once, in {@link ConfigKeys}.
 *
 * @param name dotted name; the part before the last dot is the TOML table ({@code gateway.listen})
 * @param type short type label shown in docs and errors
 * @param defaultValue the default, in the same text form a user writes
 * @param quoted whether {@code config.toml} writes the value as a TOML string
 * @param parser turns text into the typed value; throws {@link IllegalArgumentException} with a reason
 * @param doc one-line description
 * @param <T> the parsed value type
 */
public record ConfigKey<T>(String name, String type, String defaultValue, boolean quoted,
                           Function<String, T> parser, String doc) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*");

    public ConfigKey {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad config key name " + name);
        }
        Objects.requireNonNull(parser, "parser");
        parser.apply(defaultValue); // a default that does not validate is a programming error
    }

    /** The environment variable that overrides this key: {@code VRN_} + name upper-cased, dots to underscores. */
    public String envVar() {
        return "VRN_" + name.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    /** Parses and validates a value for this key. */
    public T parse(String text) {
        return parser.apply(text);
    }

    // ---- factories: one per value type ----

    /** Free text. */
    public static ConfigKey<String> string(String name, String def, String doc) {
        return new ConfigKey<>(name, "string", def, true, s -> s, doc);
    }

    /** One of a fixed set of lower-case words. */
    public static ConfigKey<String> choice(String name, String def, String doc, String... allowed) {
        List<String> ok = List.of(allowed);
        return new ConfigKey<>(name, String.join("|", allowed), def, true, s -> {
            if (!ok.contains(s)) {
                throw new IllegalArgumentException("expected one of " + String.join(", ", allowed));
            }
            return s;
        }, doc);
    }

    /** {@code host:port}; port 0 = any free port. */
    public static ConfigKey<HostPort> hostPort(String name, String def, String doc) {
        return new ConfigKey<>(name, "host:port", def, true, HostPort::parse, doc);
    }

    /** One multiaddr or a comma-separated list of them (TCP listen addresses). */
    public static ConfigKey<List<String>> multiaddrs(String name, String def, String doc) {
        return new ConfigKey<>(name, "multiaddr list", def, true, ConfigKey::parseMultiaddrs, doc);
    }

    /** A duration: a whole number with unit {@code ms}, {@code s}, {@code m} or {@code h} ({@code 5s}). */
    public static ConfigKey<Duration> duration(String name, String def, String doc) {
        return new ConfigKey<>(name, "duration", def, true, ConfigKey::parseDuration, doc);
    }

    /** A duration that must be greater than zero. */
    public static ConfigKey<Duration> positiveDuration(String name, String def, String doc) {
        return new ConfigKey<>(name, "duration", def, true, s -> {
            Duration d = parseDuration(s);
            if (d.isZero()) {
                throw new IllegalArgumentException("must be greater than zero");
            }
            return d;
        }, doc);
    }

    /** A byte count: a number, optionally with unit {@code B}, {@code KiB}, {@code MiB}, {@code GiB}, {@code KB}, {@code MB}, {@code GB}. */
    public static ConfigKey<Long> bytes(String name, String def, long min, String doc) {
        return new ConfigKey<>(name, "bytes", def, true, s -> {
            long v = parseBytes(s);
            if (v < min) {
                throw new IllegalArgumentException("must be at least " + min + " bytes");
            }
            return v;
        }, doc);
    }

    /** A non-negative whole amount of attoFIL (10^-18 FIL), written as a decimal string. */
    public static ConfigKey<BigInteger> attoFil(String name, String def, String doc) {
        return new ConfigKey<>(name, "attoFIL", def, true, s -> {
            if (!s.matches("\\d{1,78}")) {
                throw new IllegalArgumentException("expected a non-negative whole number of attoFIL");
            }
            return new BigInteger(s);
        }, doc);
    }

    /** {@code true} or {@code false}. */
    public static ConfigKey<Boolean> bool(String name, boolean def, String doc) {
        return new ConfigKey<>(name, "boolean", Boolean.toString(def), false, s -> {
            if (!s.equals("true") && !s.equals("false")) {
                throw new IllegalArgumentException("expected true or false");
            }
            return Boolean.parseBoolean(s);
        }, doc);
    }

    /** A whole number within [min, max]. */
    public static ConfigKey<Long> integer(String name, long def, long min, long max, String doc) {
        return new ConfigKey<>(name, "integer", Long.toString(def), false, s -> {
            long v;
            try {
                v = Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a whole number");
            }
            if (v < min || v > max) {
                throw new IllegalArgumentException("must be in " + min + ".." + max);
            }
            return v;
        }, doc);
    }

    // ---- parsers (package-private for tests) ----

    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h)");

    static Duration parseDuration(String s) {
        Matcher m = DURATION.matcher(s.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a duration like 500ms, 5s, 2m or 1h");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    private static final Pattern BYTES = Pattern.compile("(\\d{1,19})\\s*(B|KiB|MiB|GiB|TiB|KB|MB|GB|TB)?");

    static long parseBytes(String s) {
        Matcher m = BYTES.matcher(s.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a byte count like 1048576, 64KiB, 256MiB or 1GB");
        }
        long mult = switch (m.group(2) == null ? "B" : m.group(2)) {
            case "KiB" -> 1L << 10;
            case "MiB" -> 1L << 20;
            case "GiB" -> 1L << 30;
            case "TiB" -> 1L << 40;
            case "KB" -> 1_000L;
            case "MB" -> 1_000_000L;
            case "GB" -> 1_000_000_000L;
            case "TB" -> 1_000_000_000_000L;
            default -> 1L;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), mult);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("byte count too large");
        }
    }

    static List<String> parseMultiaddrs(String s) {
        List<String> out = new ArrayList<>();
        for (String part : s.split(",", -1)) {
            String a = part.trim();
            if (a.isEmpty()) {
                throw new IllegalArgumentException("empty multiaddr in list");
            }
            checkTcpMultiaddr(a);
            out.add(a);
        }
        return List.copyOf(out);
    }

    /** Checks the shape /ip4|ip6|dns|dns4|dns6/HOST/tcp/PORT (the only transport the node listens on). */
    private static void checkTcpMultiaddr(String a) {
        String[] p = a.split("/", -1);
        if (p.length != 5 || !p[0].isEmpty()) {
            throw new IllegalArgumentException("\"" + a + "\" is not a TCP multiaddr like /ip4/0.0.0.0/tcp/24001");
        }
        switch (p[1]) {
            case "ip4" -> {
                String[] octets = p[2].split("\\.", -1);
                boolean ok = octets.length == 4 && Arrays.stream(octets)
                        .allMatch(o -> o.matches("\\d{1,3}") && Integer.parseInt(o) <= 255);
                if (!ok) {
                    throw new IllegalArgumentException("\"" + p[2] + "\" is not an IPv4 address in " + a);
                }
            }
            case "ip6" -> {
                if (!p[2].matches("[0-9a-fA-F:.]+") || !p[2].contains(":")) {
                    throw new IllegalArgumentException("\"" + p[2] + "\" is not an IPv6 address in " + a);
                }
            }
            case "dns", "dns4", "dns6" -> {
                if (!p[2].matches("[A-Za-z0-9.-]+")) {
                    throw new IllegalArgumentException("\"" + p[2] + "\" is not a host name in " + a);
                }
            }
            default -> throw new IllegalArgumentException("\"" + a + "\" must start with /ip4, /ip6, /dns, /dns4 or /dns6");
        }
        if (!p[3].equals("tcp") || !p[4].matches("\\d{1,5}") || Integer.parseInt(p[4]) > 65535) {
            throw new IllegalArgumentException("\"" + a + "\" must end with /tcp/PORT (0..65535)");
        }
    }
}
