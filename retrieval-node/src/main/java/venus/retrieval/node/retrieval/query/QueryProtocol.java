package venus.retrieval.node.retrieval.query;

import io.netty.buffer.Unpooled;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.cbor.DagCbor;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.libp2p.Stream;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.libp2p.multiaddr.Multiaddr;
import venus.retrieval.node.NodeException;
import venus.retrieval.node.retrieval.CborStreamReader;
import venus.retrieval.node.retrieval.PieceFinder;
import venus.retrieval.node.retrieval.RetrievalAsk;
import venus.retrieval.node.retrieval.RequestReply;
import venus.retrieval.node.retrieval.Wire;

/**
 * {@value #PROTOCOL}: the provider reads one {@link Query} and writes one {@link QueryResponse},
 * then closes (filecoin-retrieval.md §2). Answers come from the piece directory through
 * {@link PieceFinder}: a query naming a PieceCID is answered for that piece (and its miner's ask),
 * otherwise for the cheapest ready piece holding the payload.
 */
public final class QueryProtocol {
    public static final String PROTOCOL = "/fil/retrieval/qry/1.0.0";
    /** Largest query or response accepted (both are a few hundred bytes). */
    public static final int MAX_MESSAGE = 16 * 1024;

    private static final Logger log = LoggerFactory.getLogger(QueryProtocol.class);

    private final PieceFinder finder;

    public QueryProtocol(PieceFinder finder) {
        this.finder = finder;
    }

    /** Registers the handler on {@code host}. */
    public void register(Host host) {
        host.setHandler(PROTOCOL, stream -> stream.setListener(new CborStreamReader(MAX_MESSAGE, new CborStreamReader.Events() {
            private boolean answered;

            @Override
            public void onItem(Stream s, Node item) {
                if (answered) {
                    throw Wire.bad(PROTOCOL + ": more than one query on a stream");
                }
                answered = true;
                Query q = Query.fromNode(item);
                QueryResponse r = answer(q);
                log.debug("query from {}: {} -> status {}", s.connection().remotePeer(), q.payloadCid(), r.status());
                s.write(Unpooled.wrappedBuffer(r.encode()));
                s.closeWrite();
            }

            @Override
            public void onEnd(Stream s, boolean partial) {
                s.closeWrite();
            }

            @Override
            public void onError(Stream s, Exception cause) {
                log.info("query from {}: {}", s.connection().remotePeer(), cause.getMessage());
            }
        })));
    }

    /** The answer to one query. */
    public QueryResponse answer(Query q) {
        RetrievalAsk defaults = finder.asks().defaults();
        try {
            Optional<PieceFinder.Match> m = finder.find(q.payloadCid(), q.pieceCid());
            if (m.isEmpty()) {
                String msg = q.pieceCid() == null ? "payload " + q.payloadCid() + " not found"
                        : "piece " + q.pieceCid() + " does not hold payload " + q.payloadCid();
                return new QueryResponse(QueryResponse.UNAVAILABLE, QueryResponse.PIECE_UNAVAILABLE, 0,
                        defaults.paymentAddress(), BigInteger.ZERO, 0, 0, msg, BigInteger.ZERO);
            }
            PieceFinder.Match p = m.get();
            RetrievalAsk a = p.ask();
            long unpadded = p.piece().paddedSize() - p.piece().paddedSize() / 128;
            return new QueryResponse(QueryResponse.AVAILABLE, QueryResponse.PIECE_AVAILABLE, unpadded, a.paymentAddress(),
                    a.pricePerByte(), a.paymentInterval(), a.paymentIntervalIncrease(), "", p.unsealPrice());
        } catch (RuntimeException e) {
            log.warn("query {}: piece lookup failed: {}", q.payloadCid(), e.getMessage());
            return new QueryResponse(QueryResponse.ERROR, QueryResponse.PIECE_UNKNOWN, 0, defaults.paymentAddress(),
                    BigInteger.ZERO, 0, 0, "lookup failed: " + e.getMessage(), BigInteger.ZERO);
        }
    }

    /** Client side: asks {@code provider} (connected or dialable, with /p2p) one query. */
    public static QueryResponse query(Host host, Multiaddr provider, Query q, Duration timeout) {
        return QueryResponse.fromNode(RequestReply.exchange(host, provider, PROTOCOL, q.encode(), MAX_MESSAGE, timeout, "query"));
    }

    /** Decodes exactly one dag-cbor item; BAD_MESSAGE otherwise. */
    static Node decodeNode(byte[] bytes, String what) {
        try {
            return DagCbor.decode(bytes);
        } catch (IpldException e) {
            throw Wire.bad(what + ": " + e.getMessage());
        }
    }
}
