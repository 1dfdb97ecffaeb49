package venus.retrieval.libp2p.identify;

import java.util.ArrayList;
import java.util.List;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.Varint;
import venus.retrieval.libp2p.Libp2pException;
import venus.retrieval.libp2p.Protobuf;
import venus.retrieval.libp2p.multiaddr.Multiaddr;

/**
 * The identify protobuf: protocolVersion = 5, agentVersion = 6, publicKey = 1 (a
 * {@code PublicKey} protobuf), listenAddrs = 2 and observedAddr = 4 (binary multiaddrs),
 * protocols = 3. Multiaddrs we cannot parse are skipped, not fatal: peers advertise transports we lack.
 */
public record IdentifyMessage(String protocolVersion, String agentVersion, byte[] publicKey,
                              List<Multiaddr> listenAddrs, Multiaddr observedAddr, List<String> protocols) {
    /** Largest message accepted (go and js use 8 KiB; we allow more for long protocol lists). */
    public static final int MAX_SIZE = 64 * 1024;

    public IdentifyMessage {
        listenAddrs = List.copyOf(listenAddrs);
        protocols = List.copyOf(protocols);
    }

    /** The protobuf bytes. */
    public byte[] encode() {
        Protobuf.Writer w = new Protobuf.Writer();
        if (publicKey != null) {
            w.bytes(1, publicKey);
        }
        for (Multiaddr a : listenAddrs) {
            w.bytes(2, a.bytes());
        }
        for (String p : protocols) {
            w.string(3, p);
        }
        if (observedAddr != null) {
            w.bytes(4, observedAddr.bytes());
        }
        if (protocolVersion != null) {
            w.string(5, protocolVersion);
        }
        if (agentVersion != null) {
            w.string(6, agentVersion);
        }
        return w.toByteArray();
    }

    /** The length-prefixed form sent on the stream. */
    public byte[] encodeDelimited() {
        byte[] body = encode();
        byte[] len = Varint.encode(body.length);
        byte[] out = new byte[len.length + body.length];
        System.arraycopy(len, 0, out, 0, len.length);
        System.arraycopy(body, 0, out, len.length, body.length);
        return out;
    }

    /** Parses one protobuf message. */
    public static IdentifyMessage decode(byte[] b) {
        String pv = null;
        String av = null;
        byte[] pk = null;
        Multiaddr observed = null;
        List<Multiaddr> listen = new ArrayList<>();
        List<String> protos = new ArrayList<>();
        Protobuf.Reader r = new Protobuf.Reader(b);
        while (r.next()) {
            switch (r.field()) {
                case 1: pk = r.bytes(); break;
                case 2: addIfValid(listen, r.bytes()); break;
                case 3: protos.add(r.string()); break;
                case 4: {
                    List<Multiaddr> one = new ArrayList<>();
                    addIfValid(one, r.bytes());
                    observed = one.isEmpty() ? null : one.get(0);
                    break;
                }
                case 5: pv = r.string(); break;
                case 6: av = r.string(); break;
                default: break; // signedPeerRecord (8) and future fields
            }
        }
        return new IdentifyMessage(pv, av, pk, listen, observed, protos);
    }

    /**
     * Parses what a responder wrote: one or more length-prefixed messages, merged (later fields
     * win, lists are joined), as go and js do.
     */
    public static IdentifyMessage decodeDelimited(byte[] b) {
        IdentifyMessage merged = null;
        int pos = 0;
        if (b.length == 0) {
            throw new Libp2pException(Libp2pException.Reason.PROTOCOL_VIOLATION, "empty identify response");
        }
        while (pos < b.length) {
            long len;
            try {
                len = Varint.decode(b, pos, b.length);
            } catch (IpldException e) {
                throw new Libp2pException(Libp2pException.Reason.PROTOCOL_VIOLATION, "bad identify length prefix: " + e.getMessage(), e);
            }
            pos += Varint.size(len);
            if (len > MAX_SIZE || len > b.length - pos) {
                throw new Libp2pException(Libp2pException.Reason.PROTOCOL_VIOLATION, "identify message length " + len + " is invalid");
            }
            byte[] one = java.util.Arrays.copyOfRange(b, pos, pos + (int) len);
            pos += (int) len;
            IdentifyMessage m = decode(one);
            merged = merged == null ? m : merged.merge(m);
        }
        return merged;
    }

    private IdentifyMessage merge(IdentifyMessage m) {
        List<Multiaddr> la = new ArrayList<>(listenAddrs);
        la.addAll(m.listenAddrs);
        List<String> ps = new ArrayList<>(protocols);
        ps.addAll(m.protocols);
        return new IdentifyMessage(m.protocolVersion != null ? m.protocolVersion : protocolVersion,
                m.agentVersion != null ? m.agentVersion : agentVersion, m.publicKey != null ? m.publicKey : publicKey,
                la, m.observedAddr != null ? m.observedAddr : observedAddr, ps);
    }

    private static void addIfValid(List<Multiaddr> out, byte[] b) {
        try {
            out.add(Multiaddr.decode(b));
        } catch (Libp2pException e) {
            // an address with a transport we do not know; not the peer's fault
        }
    }
}
