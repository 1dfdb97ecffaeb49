package venus.retrieval.node.config;

/**
 * A listen address {@code host:port}; port 0 asks the OS for any free port. IPv6 hosts are written
 * in brackets ({@code [::1]:8080}).
 */
public record HostPort(String host, int port) {
    public HostPort {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range 0..65535");
        }
    }

    /**
     * Parses {@code host:port} or {@code [v6]:port}.
     *
     * @throws IllegalArgumentException with a reason fit for a one-line error
     */
    public static HostPort parse(String s) {
        String text = s.trim();
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf("]:");
            if (close < 0) {
                throw new IllegalArgumentException("expected [ipv6]:port");
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon <= 0 || text.indexOf(':') != colon) {
                throw new IllegalArgumentException("expected host:port, e.g. 127.0.0.1:8080");
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
        }
        if (!port.matches("\\d{1,5}")) {
            throw new IllegalArgumentException("port \"" + port + "\" is not a number in 0..65535");
        }
        if (!host.matches("[A-Za-z0-9._:%-]+")) {
            throw new IllegalArgumentException("host \"" + host + "\" is not a host name or IP address");
        }
        return new HostPort(host, Integer.parseInt(port));
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
