package venus.retrieval.libp2p.multiaddr;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.Varint;
import venus.retrieval.libp2p.Libp2pException;
import venus.retrieval.libp2p.PeerId;

/**
 * A multiaddr: a list of (protocol, value) components, in binary form
 * ({@code varint code ‖ value}, variable values length-prefixed) and string form
 * ({@code /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW…}). Immutable; equality is byte equality.
 */
public final class Multiaddr {
    /** One protocol and its value (empty for valueless protocols). */
    public record Component(Protocol protocol, byte[] value) {
        /** The value in its string form ("" for valueless protocols). */
        public String valueString() {
            return Multiaddr.valueToString(protocol, value);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Component && ((Component) o).protocol == protocol && Arrays.equals(((Component) o).value, value);
        }

        @Override
        public int hashCode() {
            return protocol.hashCode() * 31 + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return protocol.bits() == 0 ? "/" + protocol.protocolName() : "/" + protocol.protocolName() + "/" + valueString();
        }
    }

    private static final int MAX_VALUE_LENGTH = 1024;

    private final List<Component> components;
    private final byte[] bytes;

    private Multiaddr(List<Component> components) {
        this.components = Collections.unmodifiableList(components);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Component c : components) {
            out.writeBytes(Varint.encode(c.protocol.code()));
            if (c.protocol.bits() < 0) {
                out.writeBytes(Varint.encode(c.value.length));
            }
            out.writeBytes(c.value);
        }
        this.bytes = out.toByteArray();
    }

    /** Parses the string form. */
    public static Multiaddr parse(String s) {
        if (s == null || !s.startsWith("/")) {
            throw bad("multiaddr must start with '/': " + s);
        }
        String[] parts = s.split("/", -1);
        List<Component> out = new ArrayList<>();
        int i = 1;
        // a trailing slash is tolerated, as go-multiaddr does
        int end = parts.length > 1 && parts[parts.length - 1].isEmpty() ? parts.length - 1 : parts.length;
        if (end <= 1) {
            throw bad("empty multiaddr");
        }
        while (i < end) {
            Protocol p = Protocol.forName(parts[i]);
            if (p == null) {
                throw bad("unknown multiaddr protocol '" + parts[i] + "' in " + s);
            }
            i++;
            if (p.bits() == 0) {
                out.add(new Component(p, new byte[0]));
                continue;
            }
            if (i >= end) {
                throw bad("/" + p.protocolName() + " needs a value in " + s);
            }
            out.add(new Component(p, valueFromString(p, parts[i])));
            i++;
        }
        return new Multiaddr(out);
    }

    /** Parses the binary form. */
    public static Multiaddr decode(byte[] b) {
        List<Component> out = new ArrayList<>();
        int pos = 0;
        try {
            while (pos < b.length) {
                long code = Varint.decode(b, pos, b.length);
                pos += Varint.size(code);
                Protocol p = Protocol.forCode(code);
                if (p == null) {
                    throw bad("unknown multiaddr protocol code " + code);
                }
                int len;
                if (p.bits() < 0) {
                    long l = Varint.decode(b, pos, b.length);
                    pos += Varint.size(l);
                    if (l > MAX_VALUE_LENGTH) {
                        throw bad("/" + p.protocolName() + " value of " + l + " bytes is too long");
                    }
                    len = (int) l;
                } else {
                    len = p.bits() / 8;
                }
                if (len > b.length - pos) {
                    throw bad("multiaddr truncated in /" + p.protocolName());
                }
                byte[] v = Arrays.copyOfRange(b, pos, pos + len);
                pos += len;
                validate(p, v);
                out.add(new Component(p, v));
            }
        } catch (IpldException e) {
            throw new Libp2pException(Libp2pException.Reason.BAD_MULTIADDR, "bad varint in multiaddr: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw bad("empty multiaddr");
        }
        return new Multiaddr(out);
    }

    /** {@code /ip4/A/tcp/P} or {@code /ip6/A/tcp/P} for a socket address (resolved). */
    public static Multiaddr fromSocketAddress(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        if (ip == null) {
            throw bad("unresolved socket address " + a);
        }
        List<Component> cs = new ArrayList<>();
        cs.add(new Component(ip instanceof Inet4Address ? Protocol.IP4 : Protocol.IP6, ip.getAddress()));
        cs.add(new Component(Protocol.TCP, new byte[] {(byte) (a.getPort() >> 8), (byte) a.getPort()}));
        return new Multiaddr(cs);
    }

    /** The components. */
    public List<Component> components() {
        return components;
    }

    /** The binary form (a copy). */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The first value of {@code p} as a string, or null. */
    public String valueOf(Protocol p) {
        for (Component c : components) {
            if (c.protocol == p) {
                return c.valueString();
            }
        }
        return null;
    }

    /** Whether a component of protocol {@code p} is present. */
    public boolean has(Protocol p) {
        return components.stream().anyMatch(c -> c.protocol == p);
    }

    /** The peer ID of the last {@code /p2p} component, or null. */
    public PeerId peerId() {
        for (int i = components.size() - 1; i >= 0; i--) {
            if (components.get(i).protocol == Protocol.P2P) {
                return PeerId.fromBytes(components.get(i).value);
            }
        }
        return null;
    }

    /** This address with {@code /p2p/<id>} appended (replacing a trailing one). */
    public Multiaddr withPeerId(PeerId id) {
        List<Component> cs = new ArrayList<>(withoutPeerId().components);
        cs.add(new Component(Protocol.P2P, id.bytes()));
        return new Multiaddr(cs);
    }

    /** This address without a trailing {@code /p2p} component. */
    public Multiaddr withoutPeerId() {
        if (!components.isEmpty() && components.get(components.size() - 1).protocol == Protocol.P2P) {
            if (components.size() == 1) {
                return this;
            }
            return new Multiaddr(new ArrayList<>(components.subList(0, components.size() - 1)));
        }
        return this;
    }

    /** This address followed by {@code other}. */
    public Multiaddr encapsulate(Multiaddr other) {
        List<Component> cs = new ArrayList<>(components);
        cs.addAll(other.components);
        return new Multiaddr(cs);
    }

    /**
     * The TCP endpoint to dial: {@code /ip4|ip6|dns|dns4|dns6/H/tcp/P} as the first two components
     * (anything after them, such as {@code /p2p}, is ignored). Host names stay unresolved.
     */
    public InetSocketAddress toTcpSocketAddress() {
        if (components.size() < 2 || components.get(1).protocol != Protocol.TCP) {
            throw new Libp2pException(Libp2pException.Reason.UNSUPPORTED, "not a TCP multiaddr: " + this);
        }
        Component host = components.get(0);
        int port = ((components.get(1).value[0] & 0xFF) << 8) | (components.get(1).value[1] & 0xFF);
        switch (host.protocol) {
            case IP4:
            case IP6:
                try {
                    return new InetSocketAddress(InetAddress.getByAddress(host.value), port);
                } catch (UnknownHostException e) {
                    throw new AssertionError(e);
                }
            case DNS:
            case DNS4:
            case DNS6:
                return InetSocketAddress.createUnresolved(host.valueString(), port);
            default:
                throw new Libp2pException(Libp2pException.Reason.UNSUPPORTED, "cannot dial TCP to " + this);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Multiaddr && Arrays.equals(((Multiaddr) o).bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Component c : components) {
            sb.append(c);
        }
        return sb.toString();
    }

    private static byte[] valueFromString(Protocol p, String v) {
        switch (p) {
            case IP4:
                return parseIp4(v);
            case IP6:
                return parseIp6(v);
            case TCP:
            case UDP: {
                int port;
                try {
                    port = Integer.parseInt(v);
                } catch (NumberFormatException e) {
                    throw bad("bad port '" + v + "'");
                }
                if (port < 0 || port > 65535 || !v.equals(Integer.toString(port))) {
                    throw bad("bad port '" + v + "'");
                }
                return new byte[] {(byte) (port >> 8), (byte) port};
            }
            case P2P:
                try {
                    return PeerId.parse(v).bytes();
                } catch (Libp2pException e) {
                    throw new Libp2pException(Libp2pException.Reason.BAD_MULTIADDR, "bad /p2p value: " + e.getMessage(), e);
                }
            default: {
                byte[] b = v.getBytes(StandardCharsets.UTF_8);
                validate(p, b);
                return b;
            }
        }
    }

    private static void validate(Protocol p, byte[] v) {
        switch (p) {
            case DNS:
            case DNS4:
            case DNS6:
            case DNSADDR:
            case SNI:
                if (v.length == 0) {
                    throw bad("/" + p.protocolName() + " needs a non-empty name");
                }
                for (byte c : v) {
                    if (c == '/' || c < 0x21) {
                        throw bad("/" + p.protocolName() + " name contains an invalid character");
                    }
                }
                break;
            case P2P:
                try {
                    PeerId.fromBytes(v);
                } catch (Libp2pException e) {
                    throw new Libp2pException(Libp2pException.Reason.BAD_MULTIADDR, "bad /p2p value: " + e.getMessage(), e);
                }
                break;
            default:
                break;
        }
    }

    static String valueToString(Protocol p, byte[] v) {
        switch (p) {
            case IP4:
                return (v[0] & 0xFF) + "." + (v[1] & 0xFF) + "." + (v[2] & 0xFF) + "." + (v[3] & 0xFF);
            case IP6:
                return formatIp6(v);
            case TCP:
            case UDP:
                return Integer.toString(((v[0] & 0xFF) << 8) | (v[1] & 0xFF));
            case P2P:
                return PeerId.fromBytes(v).toString();
            default:
                return p.bits() == 0 ? "" : new String(v, StandardCharsets.UTF_8);
        }
    }

    private static byte[] parseIp4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            throw bad("bad IPv4 address '" + s + "'");
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)
                    || (part.length() > 1 && part.charAt(0) == '0')) {
                throw bad("bad IPv4 address '" + s + "'");
            }
            int n = Integer.parseInt(part);
            if (n > 255) {
                throw bad("bad IPv4 address '" + s + "'");
            }
            out[i] = (byte) n;
        }
        return out;
    }

    private static byte[] parseIp6(String s) {
        if (s.indexOf(':') < 0 || !s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
            throw bad("bad IPv6 address '" + s + "'");
        }
        try {
            InetAddress a = InetAddress.getByName(s); // a literal: no name lookup happens
            byte[] b = a.getAddress();
            if (a instanceof Inet6Address) {
                return b;
            }
            byte[] mapped = new byte[16]; // Java turns ::ffff:a.b.c.d into an Inet4Address
            mapped[10] = (byte) 0xFF;
            mapped[11] = (byte) 0xFF;
            System.arraycopy(b, 0, mapped, 12, 4);
            return mapped;
        } catch (UnknownHostException e) {
            throw bad("bad IPv6 address '" + s + "'");
        }
    }

    /** RFC 5952 text: lower-case hex, no leading zeros, the longest run (≥ 2) of zero groups as {@code ::}. */
    private static String formatIp6(byte[] v) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((v[2 * i] & 0xFF) << 8) | (v[2 * i + 1] & 0xFF);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestLen < 2) {
            bestStart = -1;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    private static Libp2pException bad(String msg) {
        return new Libp2pException(Libp2pException.Reason.BAD_MULTIADDR, msg);
    }
}
