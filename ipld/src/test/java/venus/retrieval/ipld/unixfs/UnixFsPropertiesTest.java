package venus.retrieval.ipld.unixfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.testing.Vectors;

class UnixFsPropertiesTest {
    /** A 3-leaf CIDv0 file (dag-pb leaves) and the HAMT vector, built once. */
    private static final Map<Cid, byte[]> FILE = new HashMap<>();
    private static final Cid FILE_ROOT = new UnixFsBuilder(UnixFsProfile.UNIXFS_V0_2015, FILE::put)
            .file(Vectors.xorshift(11, 600_000)).cid();
    private static final CarBlocks HAMT = CarBlocks.vector("unixfs/dir-hamt-1200.car");

    @Property(seed = "31337", tries = 300)
    void dataRoundTrips(@ForAll("data") UnixFsData d) {
        assertThat(UnixFsData.decode(d.encode())).isEqualTo(d);
    }

    @Property(seed = "8080", tries = 1000)
    void arbitraryDataBytesDecodeOrFailWithBadUnixFs(@ForAll byte[] bytes) {
        try {
            UnixFsData d = UnixFsData.decode(bytes);
            assertThat(d.type()).isNotNull();
        } catch (IpldException e) {
            assertThat(e.reason()).isEqualTo(IpldException.Reason.BAD_UNIXFS);
        }
    }

    /** Corrupting any block of a file DAG makes reads succeed or fail with IpldException, nothing else. */
    @Property(seed = "99", tries = 200)
    void corruptedFileDagsFailCleanly(@ForAll @IntRange(min = 0, max = 3) int which, @ForAll int at, @ForAll byte value,
            @ForAll @IntRange(min = 0, max = 600_000) int offset) throws IOException {
        Map<Cid, byte[]> blocks = new HashMap<>(FILE);
        Cid victim = blocks.keySet().stream().sorted().toList().get(which);
        byte[] b = blocks.get(victim).clone();
        if (b.length > 0) {
            b[Math.floorMod(at, b.length)] = value;
        }
        blocks.put(victim, b);
        UnixFsReader r = new UnixFsReader(blocks::get);
        try (InputStream in = r.open(FILE_ROOT, offset, 70_000)) {
            in.readAllBytes();
            r.stat(FILE_ROOT);
        } catch (IpldException e) {
            assertThat(e.reason()).isIn(IpldException.Reason.BAD_BLOCK, IpldException.Reason.BAD_UNIXFS, IpldException.Reason.NOT_FOUND);
        }
    }

    @Property(seed = "1200", tries = 150)
    void corruptedHamtShardsFailCleanly(@ForAll int at, @ForAll byte value, @ForAll @IntRange(min = 0, max = 1199) int n) {
        Map<Cid, byte[]> blocks = new HashMap<>(HAMT.blocks);
        Cid root = HAMT.roots.get(0);
        byte[] b = blocks.get(root).clone();
        b[Math.floorMod(at, b.length)] = value;
        blocks.put(root, b);
        UnixFsReader r = new UnixFsReader(blocks::get);
        try {
            r.lookup(root, String.format("entry-%05d.txt", n));
            int count = 0;
            for (DirEntry ignored : r.entries(root)) {
                count++;
            }
            assertThat(count).isLessThanOrEqualTo(1200 + 256);
        } catch (IpldException e) {
            assertThat(e.reason()).isIn(IpldException.Reason.BAD_BLOCK, IpldException.Reason.BAD_UNIXFS, IpldException.Reason.NOT_FOUND);
        }
    }

    @Provide
    Arbitrary<UnixFsData> data() {
        Arbitrary<UnixFsData.Type> type = Arbitraries.of(UnixFsData.Type.class);
        Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(20).injectNull(0.3);
        Arbitrary<Long> u63 = Arbitraries.longs().between(0, Long.MAX_VALUE).injectNull(0.4);
        Arbitrary<long[]> sizes = Arbitraries.longs().between(0, Long.MAX_VALUE).array(long[].class).ofMaxSize(5);
        Arbitrary<Integer> mode = Arbitraries.integers().injectNull(0.5);
        Arbitrary<UnixFsData.UnixTime> mtime = Combinators.combine(Arbitraries.longs(),
                Arbitraries.integers().between(1, 999_999_999).injectNull(0.5)).as(UnixFsData.UnixTime::new).injectNull(0.5);
        return Combinators.combine(type, bytes, u63, sizes, u63, u63, mode, mtime).as(UnixFsData::new);
    }
}
