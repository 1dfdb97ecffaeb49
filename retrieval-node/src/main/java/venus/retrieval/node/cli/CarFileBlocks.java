package venus.retrieval.node.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import venus.retrieval.ipld.BlockGetter;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.car.CarBlock;
import venus.retrieval.ipld.car.CarReader;

/**
 * The blocks of one CAR file for the CLI: one verifying pass records where each block's bytes
 * are (CID → offset, length), then blocks are read back with positional reads. Memory holds the
 * index, never the blocks.
 */
final class CarFileBlocks implements BlockGetter, AutoCloseable {
    private final FileChannel channel;
    private final Map<Cid, long[]> index = new HashMap<>();
    private final List<Cid> roots;

    CarFileBlocks(Path file) {
        CarCommand.existingFile(file);
        try (CarReader r = CarReader.open(file)) {
            roots = r.header().roots();
            CarBlock b;
            while ((b = r.next()) != null) {
                index.putIfAbsent(b.cid(), new long[] {b.dataOffset(), b.dataLength()});
            }
        } catch (IpldException e) {
            throw CarCommand.carError(file, e);
        }
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new CliException("cannot open " + file + ": " + e.getMessage());
        }
    }

    /** The header's roots. */
    List<Cid> roots() {
        return roots;
    }

    /** The root to start from: {@code chosen} when given (it must be in the CAR), else the first root. */
    Cid root(Path file, String chosen) {
        if (chosen != null) {
            Cid c;
            try {
                c = Cid.parse(chosen);
            } catch (IpldException e) {
                throw new CliException(e.getMessage());
            }
            if (!c.isIdentity() && !index.containsKey(c)) {
                throw new CliException(file + ": block " + c + " is not in the CAR");
            }
            return c;
        }
        if (roots.isEmpty()) {
            throw new CliException(file + ": the CAR has no root; pass --root CID");
        }
        return roots.get(0);
    }

    @Override
    public byte[] get(Cid cid) {
        long[] at = index.get(cid);
        if (at == null) {
            return null;
        }
        ByteBuffer buf = ByteBuffer.allocate((int) at[1]);
        try {
            long pos = at[0];
            while (buf.hasRemaining()) {
                int n = channel.read(buf, pos);
                if (n < 0) {
                    throw new IpldException(IpldException.Reason.TRUNCATED, "CAR shrank while reading block " + cid);
                }
                pos += n;
            }
        } catch (IOException e) {
            throw new IpldException(IpldException.Reason.IO, "reading block " + cid + ": " + e.getMessage(), e);
        }
        return buf.array();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // read-only channel: nothing was lost
        }
    }
}
