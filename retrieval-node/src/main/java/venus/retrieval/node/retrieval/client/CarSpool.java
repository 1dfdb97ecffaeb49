package venus.retrieval.node.retrieval.client;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Varint;
import venus.retrieval.ipld.car.CarWriter;
import venus.retrieval.node.graphsync.ReceivedBlocks;

/**
 * Where the client keeps verified blocks: appended to a CAR file (in the order the selector walk
 * first reaches them, i.e. DFS order) and re-read from it by offset when the walk meets a
 * duplicate. Memory holds only the index. The file is the {@code --car} output, or a temporary
 * spool that {@code -o} reads the UnixFS file from.
 */
public final class CarSpool implements ReceivedBlocks, AutoCloseable {
    private final Path file;
    private final OutputStream out;
    private final CarWriter car;
    private final Map<Cid, long[]> index = new HashMap<>();
    private RandomAccessFile reader;
    private long blocks;
    private long bytes;

    public CarSpool(Path file, Cid root) throws IOException {
        this.file = file;
        this.out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        this.car = new CarWriter(out, List.of(root));
    }

    @Override
    public synchronized void put(Cid cid, byte[] data) {
        if (index.containsKey(cid)) {
            return;
        }
        byte[] c = cid.bytes();
        long section = car.bytesWritten();
        long dataOffset = section + Varint.size(c.length + data.length) + c.length;
        car.put(cid, data);
        index.put(cid, new long[] {dataOffset, data.length});
        blocks++;
        bytes += data.length;
    }

    @Override
    public synchronized byte[] get(Cid cid) {
        long[] at = index.get(cid);
        if (at == null) {
            return null;
        }
        try {
            car.flush();
            if (reader == null) {
                reader = new RandomAccessFile(file.toFile(), "r");
            }
            byte[] b = new byte[(int) at[1]];
            reader.seek(at[0]);
            reader.readFully(b);
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Distinct blocks stored. */
    public synchronized long blocks() {
        return blocks;
    }

    /** Bytes of distinct blocks stored. */
    public synchronized long bytes() {
        return bytes;
    }

    /** Flushes the CAR to disk (readers may keep reading). */
    public synchronized void finish() {
        car.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        try {
            car.close();
        } finally {
            if (reader != null) {
                reader.close();
            }
        }
    }
}
