package venus.retrieval.libp2p.host;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.SocketException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import venus.retrieval.libp2p.Libp2pException;

/**
 * Last handler of every connection: whatever went wrong (a misbehaving peer, a reset socket) ends
 * this connection only, with exactly one log line naming the peer and the reason.
 */
final class ConnectionErrorHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger("venus.retrieval.libp2p.connection");

    private final Upgrader upgrader;
    private boolean reported;

    ConnectionErrorHandler(Upgrader upgrader) {
        this.upgrader = upgrader;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        closeWith(toLibp2p(cause));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg); // nothing should get here; never leak it
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        upgrader.closed();
        ctx.fireChannelInactive();
    }

    void closeWith(Libp2pException e) {
        if (!reported) {
            reported = true;
            String peer = upgrader.remotePeer() != null ? upgrader.remotePeer().toString() : "unidentified peer";
            if (e.reason() == Libp2pException.Reason.IO || e.reason() == Libp2pException.Reason.CLOSED) {
                LOG.debug("connection {} ({}) ended: {}", upgrader.channel().remoteAddress(), peer, e.getMessage());
            } else {
                LOG.info("closing connection {} ({}): {}: {}", upgrader.channel().remoteAddress(), peer, e.reason(), e.getMessage());
            }
        }
        upgrader.failed(e);
        upgrader.channel().close();
    }

    static Libp2pException toLibp2p(Throwable t) {
        Throwable c = t;
        while ((c instanceof DecoderException || c instanceof io.netty.handler.codec.EncoderException) && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof Libp2pException) {
            return (Libp2pException) c;
        }
        if (c instanceof SocketException || c instanceof IOException) {
            return new Libp2pException(Libp2pException.Reason.IO, String.valueOf(c.getMessage()), c);
        }
        return new Libp2pException(Libp2pException.Reason.PROTOCOL_VIOLATION, "internal error: " + c, c);
    }
}
