package venus.retrieval.libp2p.multistream;

import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.function.Predicate;
import venus.retrieval.libp2p.Libp2pException;

/**
 * One multistream-select 1.0 negotiation, as a pure state machine over byte buffers, usable on a
 * connection (security, muxer) and on a stream (application protocol).
 *
 * <p>The dialer sends the header and its first proposal in one write and waits for the echo,
 * moving to its next proposal on {@code na}. The listener sends the header at once, answers
 * {@code na} to what it does not support, echoes what it does, and stops reading right after the
 * accepted proposal: any bytes behind it (pipelined or lazy negotiation) belong to the protocol.
 */
public final class MultistreamNegotiation {
    /** Proposals a listener answers before giving up on the peer. */
    static final int MAX_PROPOSALS = 64;

    private final boolean dialer;
    private final List<String> proposals;
    private final Predicate<String> supported;
    private boolean headerSeen;
    private int next;
    private int rejected;
    private String selected;

    private MultistreamNegotiation(boolean dialer, List<String> proposals, Predicate<String> supported) {
        this.dialer = dialer;
        this.proposals = proposals;
        this.supported = supported;
    }

    /** The dialer side, proposing {@code proposals} in order. */
    public static MultistreamNegotiation dialer(List<String> proposals) {
        if (proposals.isEmpty()) {
            throw new IllegalArgumentException("no protocol to propose");
        }
        return new MultistreamNegotiation(true, List.copyOf(proposals), null);
    }

    /** The listener side, accepting the first proposal {@code supported} accepts. */
    public static MultistreamNegotiation listener(Predicate<String> supported) {
        return new MultistreamNegotiation(false, List.of(), supported);
    }

    /** Writes what this side sends without waiting: the header (and the dialer's first proposal). */
    public void start(ByteBuf out) {
        MultistreamCodec.encode(MultistreamCodec.PROTOCOL_ID, out);
        if (dialer) {
            MultistreamCodec.encode(proposals.get(next), out);
        }
    }

    /**
     * Consumes complete messages from {@code in}, writing answers into {@code out}. Returns the
     * agreed protocol once negotiation is over (reading stops right after the deciding message),
     * or null while more input is needed.
     *
     * @throws Libp2pException PROTOCOL_VIOLATION, FRAME_TOO_LARGE, or NEGOTIATION_FAILED
     */
    public String onInbound(ByteBuf in, ByteBuf out) {
        while (selected == null) {
            String msg = MultistreamCodec.decode(in);
            if (msg == null) {
                return null;
            }
            if (!headerSeen) {
                if (!MultistreamCodec.PROTOCOL_ID.equals(msg)) {
                    throw new Libp2pException(Libp2pException.Reason.PROTOCOL_VIOLATION, "expected " + MultistreamCodec.PROTOCOL_ID + ", got \"" + abbreviate(msg) + "\"");
                }
                headerSeen = true;
                continue;
            }
            if (dialer) {
                onAnswer(msg, out);
            } else {
                onProposal(msg, out);
            }
        }
        return selected;
    }

    /** The agreed protocol, or null. */
    public String selected() {
        return selected;
    }

    private void onAnswer(String msg, ByteBuf out) {
        String proposed = proposals.get(next);
        if (msg.equals(proposed)) {
            selected = proposed;
        } else if (msg.equals(MultistreamCodec.NA)) {
            next++;
            if (next >= proposals.size()) {
                throw new Libp2pException(Libp2pException.Reason.NEGOTIATION_FAILED, "peer supports none of " + proposals);
            }
            MultistreamCodec.encode(proposals.get(next), out);
        } else {
            throw new Libp2pException(Libp2pException.Reason.PROTOCOL_VIOLATION, "unexpected answer \"" + abbreviate(msg) + "\" to " + proposed);
        }
    }

    private void onProposal(String msg, ByteBuf out) {
        if (!msg.equals(MultistreamCodec.LS) && supported.test(msg)) {
            MultistreamCodec.encode(msg, out);
            selected = msg;
            return;
        }
        // "ls" is optional and nobody depends on it: refusing it is allowed.
        if (++rejected > MAX_PROPOSALS) {
            throw new Libp2pException(Libp2pException.Reason.NEGOTIATION_FAILED, "peer made more than " + MAX_PROPOSALS + " unsupported proposals");
        }
        MultistreamCodec.encode(MultistreamCodec.NA, out);
    }

    private static String abbreviate(String s) {
        return s.length() > 64 ? s.substring(0, 61) + "..." : s;
    }
}
