package venus.retrieval.ipld.car;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.IpldException.Reason;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.Multihash;
import venus.retrieval.ipld.testing.Vectors;

class CarReaderTest {
    static Stream<JsonNode> unixfsCars() {
        List<JsonNode> all = new ArrayList<>();
        Vectors.manifest().get("unixfs").forEach(all::add);
        Vectors.manifest().get("directories").forEach(all::add);
        return all.stream();
    }

    static List<CarBlock> readAll(CarReader r) {
        List<CarBlock> out = new ArrayList<>();
        for (CarBlock b : r) {
            out.add(b);
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unixfsCars")
    void everyVectorCarParsesAndVerifies(JsonNode v) throws IOException {
        Path file = Vectors.file(v.get("car").asText());
        byte[] whole = Files.readAllBytes(file);
        try (CarReader r = CarReader.open(file)) {
            assertThat(r.header().version()).isEqualTo(1);
            assertThat(r.header().v2()).isNull();
            assertThat(r.header().roots()).containsExactly(Cid.parse(v.get("root").asText()));
            List<CarBlock> blocks = readAll(r);
            assertThat(blocks).hasSize(v.get("blocks").asInt());
            // offsets are absolute: the piece directory reads blocks back from them
            for (CarBlock b : blocks) {
                assertThat(Arrays.copyOfRange(whole, (int) b.dataOffset(), (int) b.dataOffset() + b.dataLength())).isEqualTo(b.data());
                assertThat(Cid.decode(Arrays.copyOfRange(whole, (int) (b.dataOffset() - b.cid().byteLength()), (int) b.dataOffset())))
                        .isEqualTo(b.cid());
            }
            CarBlock last = blocks.get(blocks.size() - 1);
            assertThat(last.dataOffset() + last.dataLength()).isEqualTo(whole.length);
            assertThat(r.position()).isEqualTo(whole.length);
        }
    }

    @Test
    void streamFileAndChannelReadTheSame() throws IOException {
        Path file = Vectors.file("unixfs/dir-site.car");
        List<CarBlock> fromPath;
        try (CarReader r = CarReader.open(file)) {
            fromPath = readAll(r);
        }
        List<CarBlock> fromStream;
        try (CarReader r = CarReader.open(Files.newInputStream(file))) {
            fromStream = readAll(r);
        }
        List<CarBlock> fromChannel;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
             CarReader r = CarReader.open(ch, CarReader.Options.defaults())) {
            fromChannel = readAll(r);
        }
        assertThat(summary(fromStream)).isEqualTo(summary(fromPath)).isEqualTo(summary(fromChannel));
    }

    static List<String> summary(List<CarBlock> blocks) {
        List<String> s = new ArrayList<>();
        for (CarBlock b : blocks) {
            s.add(b.cid() + "@" + b.sectionOffset() + "/" + b.dataOffset() + "+" + b.dataLength() + "#" + Arrays.hashCode(b.data()));
        }
        return s;
    }

    @Test
    void mixedTwoRootsParses() {
        JsonNode v = Vectors.manifest().get("car").get(0);
        assertThat(v.get("name").asText()).isEqualTo("mixed-two-roots");
        try (CarReader r = CarReader.open(Vectors.file(v.get("car").asText()))) {
            assertThat(r.header().roots()).extracting(Cid::toString)
                    .containsExactly(v.get("roots").get(0).asText(), v.get("roots").get(1).asText());
            List<CarBlock> blocks = readAll(r);
            assertThat(blocks).hasSize(v.get("blocks").asInt());
            assertThat(blocks.get(0).cid().codec()).isEqualTo(Multicodec.DAG_CBOR);
            assertThat(blocks).anyMatch(b -> b.cid().isIdentity());
            assertThat(blocks).anyMatch(b -> b.cid().version() == 0);
        }
    }

    @Test
    void truncatedCarNamesTheOffsetWhereItEnds() throws IOException {
        Path file = Vectors.file("car/bad-truncated.car");
        long size = Files.size(file);
        assertThatThrownBy(() -> readAll(CarReader.open(file)))
                .isInstanceOf(IpldException.class)
                .hasFieldOrPropertyWithValue("reason", Reason.TRUNCATED)
                .hasMessageContaining("CAR ends inside a block section at offset " + size);
    }

    @Test
    void hashMismatchIsDetectedAndCanBeSkipped() {
        Path file = Vectors.file("car/bad-hash-mismatch.car");
        assertThatThrownBy(() -> readAll(CarReader.open(file)))
                .isInstanceOf(IpldException.class)
                .hasFieldOrPropertyWithValue("reason", Reason.HASH_MISMATCH)
                .hasMessageMatching("block at offset \\d+ does not hash to its CID .*");
        try (CarReader r = CarReader.open(file, CarReader.Options.defaults().withVerifyHashes(false))) {
            assertThat(r.skipAll()).isEqualTo(5);
        }
    }

    @Test
    void badHeaderVarintIsRejected() {
        assertThatThrownBy(() -> CarReader.open(Vectors.file("car/bad-header-varint.car")))
                .isInstanceOf(IpldException.class)
                .hasFieldOrPropertyWithValue("reason", Reason.BAD_VARINT)
                .hasMessageContaining("at offset 0");
    }

    @Test
    void oversizedHeaderAndSectionsAreRejectedBeforeAllocation() {
        // a header claiming 2^40 bytes
        byte[] hugeHeader = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x20};
        assertThatThrownBy(() -> CarReader.open(new ByteArrayInputStream(hugeHeader)))
                .hasFieldOrPropertyWithValue("reason", Reason.TOO_LARGE);
        // a section claiming 2^40 bytes after a valid header
        byte[] header = CarWriter.headerBytes(List.of());
        byte[] car = Arrays.copyOf(header, header.length + hugeHeader.length);
        System.arraycopy(hugeHeader, 0, car, header.length, hugeHeader.length);
        assertThatThrownBy(() -> readAll(CarReader.open(new ByteArrayInputStream(car))))
                .hasFieldOrPropertyWithValue("reason", Reason.TOO_LARGE)
                .hasMessageContaining("at offset " + header.length);
        // real blocks over a configured limit
        CarReader.Options small = CarReader.Options.defaults().withMaxBlockSize(1000);
        assertThatThrownBy(() -> readAll(CarReader.open(Vectors.file("unixfs/file-262144-unixfs-v1-2025.car"), small)))
                .hasFieldOrPropertyWithValue("reason", Reason.TOO_LARGE)
                .hasMessageContaining("1000-byte block limit");
    }

    @Test
    void writerReproducesTheVectorCarByteForByte() throws IOException {
        for (String name : List.of("unixfs/dir-site.car", "car/mixed-two-roots.car", "unixfs/file-1048577-unixfs-v0-2015.car")) {
            Path file = Vectors.file(name);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (CarReader r = CarReader.open(file); CarWriter w = new CarWriter(out, r.header().roots())) {
                for (CarBlock b : r) {
                    w.put(b.cid(), b.data());
                }
                assertThat(w.bytesWritten()).isEqualTo(Files.size(file));
            }
            assertThat(out.toByteArray()).as(name).isEqualTo(Files.readAllBytes(file));
        }
    }

    @Test
    void everySupportedHashFunctionVerifies() {
        byte[] data = Vectors.xorshift(7, 5000);
        List<Cid> cids = new ArrayList<>();
        for (long fn : new long[] {Multicodec.SHA2_256, Multicodec.SHA2_512, Multicodec.BLAKE2B_256, Multicodec.SHA2_256_TRUNC254_PADDED}) {
            cids.add(Cid.v1(Multicodec.RAW, Multihash.compute(fn, data)));
        }
        byte[] small = {1, 2, 3};
        Cid identity = Cid.v1(Multicodec.RAW, Multihash.of(Multicodec.IDENTITY, small));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CarWriter w = new CarWriter(out, List.of(cids.get(0)))) {
            for (Cid c : cids) {
                w.put(c, data);
            }
            w.put(identity, small);
        }
        byte[] car = out.toByteArray();
        try (CarReader r = CarReader.open(new ByteArrayInputStream(car))) {
            List<CarBlock> blocks = readAll(r);
            assertThat(blocks).extracting(CarBlock::cid).containsSubsequence(cids).contains(identity);
        }
        // flip one data byte of each block in turn: each must be caught
        int offset = CarWriter.headerBytes(List.of(cids.get(0))).length;
        try (CarReader r = CarReader.open(new ByteArrayInputStream(car))) {
            for (CarBlock b : r) {
                byte[] bad = car.clone();
                bad[(int) b.dataOffset()] ^= 1;
                assertThatThrownBy(() -> readAll(CarReader.open(new ByteArrayInputStream(bad))))
                        .as(Multicodec.name(b.cid().multihash().code()))
                        .hasFieldOrPropertyWithValue("reason", Reason.HASH_MISMATCH)
                        .hasMessageContaining("offset " + b.sectionOffset());
                assertThat(b.sectionOffset()).isGreaterThanOrEqualTo(offset);
            }
        }
    }

    @Test
    void nextWithoutDataGivesTheSameBlocksAndChecksTheSame() {
        // sizes around the 2 MiB in-place limit and a hash function verified off the fast path
        List<byte[]> datas = new ArrayList<>();
        List<Cid> cids = new ArrayList<>();
        int[] sizes = {1, 300_000, CarReader.BULK_BUFFER / 2, CarReader.BULK_BUFFER / 2 + 1, 3 << 20, 70_000};
        for (int i = 0; i < sizes.length; i++) {
            byte[] d = Vectors.xorshift(100 + i, sizes[i]);
            datas.add(d);
            cids.add(Cid.v1(Multicodec.RAW, Multihash.compute(i == 5 ? Multicodec.BLAKE2B_256 : Multicodec.SHA2_256, d)));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CarWriter w = new CarWriter(out, List.of(cids.get(0)))) {
            for (int i = 0; i < sizes.length; i++) {
                w.put(cids.get(i), datas.get(i));
            }
        }
        byte[] car = out.toByteArray();
        List<CarBlock> with = readAll(CarReader.open(new ByteArrayInputStream(car)));
        List<CarBlock> without = new ArrayList<>();
        try (CarReader r = CarReader.open(new ByteArrayInputStream(car))) {
            for (CarBlock b; (b = r.next(false)) != null; ) {
                without.add(b);
            }
            assertThat(r.position()).isEqualTo(car.length);
        }
        assertThat(without).hasSize(sizes.length).allSatisfy(b -> assertThat(b.data()).isNull());
        for (int i = 0; i < sizes.length; i++) {
            CarBlock a = with.get(i);
            CarBlock b = without.get(i);
            assertThat(a.data()).isEqualTo(datas.get(i));
            assertThat(b.cid()).isEqualTo(cids.get(i));
            assertThat(List.of(b.sectionOffset(), b.dataOffset(), (long) b.dataLength()))
                    .isEqualTo(List.of(a.sectionOffset(), a.dataOffset(), (long) a.dataLength()));
        }
        // a flipped byte in each block is caught without the data too, at that block's offset
        for (CarBlock b : with) {
            byte[] bad = car.clone();
            bad[(int) b.dataOffset() + b.dataLength() - 1] ^= 1;
            assertThatThrownBy(() -> {
                try (CarReader r = CarReader.open(new ByteArrayInputStream(bad))) {
                    while (r.next(false) != null) {
                        // read on
                    }
                }
            }).hasFieldOrPropertyWithValue("reason", Reason.HASH_MISMATCH).hasMessageContaining("offset " + b.sectionOffset() + " ");
        }
        // cut inside the third block: truncation at the cut, as with the data
        byte[] cut = Arrays.copyOf(car, (int) with.get(2).dataOffset() + 1000);
        assertThatThrownBy(() -> {
            try (CarReader r = CarReader.open(new ByteArrayInputStream(cut))) {
                while (r.next(false) != null) {
                    // read on
                }
            }
        }).hasFieldOrPropertyWithValue("reason", Reason.TRUNCATED).hasMessageContaining("at offset " + cut.length + " ");
    }

    @Test
    void unknownHashFunctionCannotBeVerified() {
        Cid odd = Cid.v1(Multicodec.RAW, Multihash.of(0x22, new byte[4]));   // murmur3-32
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CarWriter w = new CarWriter(out, List.of(odd))) {
            w.put(odd, new byte[] {9});
        }
        assertThatThrownBy(() -> readAll(CarReader.open(new ByteArrayInputStream(out.toByteArray()))))
                .hasFieldOrPropertyWithValue("reason", Reason.UNSUPPORTED);
        try (CarReader r = CarReader.open(new ByteArrayInputStream(out.toByteArray()), CarReader.Options.defaults().withVerifyHashes(false))) {
            assertThat(r.skipAll()).isEqualTo(1);
        }
    }

    @Test
    void unsealedPieceFileStopsAtZeroPadding() throws IOException {
        byte[] car = Files.readAllBytes(Vectors.file("unixfs/dir-site.car"));
        byte[] padded = Arrays.copyOf(car, car.length + 4096);
        try (CarReader r = CarReader.open(new ByteArrayInputStream(padded), CarReader.Options.defaults().withAllowTrailingZeros(true))) {
            assertThat(r.skipAll()).isEqualTo(9);
            assertThat(r.next()).isNull();
        }
        assertThatThrownBy(() -> readAll(CarReader.open(new ByteArrayInputStream(padded))))
                .hasFieldOrPropertyWithValue("reason", Reason.BAD_CAR)
                .hasMessageContaining("zero-length block section at offset " + car.length);
    }

    /** Wraps a CARv1 in a CARv2: pragma, header, a gap, the payload, then an opaque index. */
    static byte[] wrapV2(byte[] v1, int gap, byte[] index) {
        long dataOffset = CarReader.V2_HEADER_END + gap;
        ByteBuffer bb = ByteBuffer.allocate((int) dataOffset + v1.length + index.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(CarReader.V2_PRAGMA);
        bb.putLong(index.length > 0 ? 1L << 63 : 0).putLong(0);
        bb.putLong(dataOffset).putLong(v1.length).putLong(index.length > 0 ? dataOffset + v1.length : 0);
        bb.position((int) dataOffset);
        bb.put(v1).put(index);
        return bb.array();
    }

    @Test
    void carV2ReadsTheSameBlocksWithShiftedOffsets(@TempDir Path tmp) throws IOException {
        Path v1file = Vectors.file("unixfs/dir-site.car");
        byte[] v1 = Files.readAllBytes(v1file);
        byte[] index = new byte[300];
        Arrays.fill(index, (byte) 0x55);   // would be garbage as a section: the reader must stop before it
        byte[] v2 = wrapV2(v1, 13, index);
        Path v2file = tmp.resolve("v2.car");
        Files.write(v2file, v2);
        List<CarBlock> expected;
        try (CarReader r = CarReader.open(v1file)) {
            expected = readAll(r);
        }
        try (CarReader r = CarReader.open(v2file)) {
            CarHeader h = r.header();
            assertThat(h.version()).isEqualTo(2);
            assertThat(h.roots()).containsExactly(Cid.parse("bafybeico3ftrhbglzf46qejzpogtcqsscwyrovzb2pis6ehemxsl4fcbou"));
            assertThat(h.v2().dataOffset()).isEqualTo(51 + 13);
            assertThat(h.v2().dataSize()).isEqualTo(v1.length);
            assertThat(h.v2().hasIndex()).isTrue();
            assertThat(h.v2().fullyIndexed()).isTrue();
            List<CarBlock> got = readAll(r);
            assertThat(got).hasSize(expected.size());
            for (int i = 0; i < got.size(); i++) {
                assertThat(got.get(i).cid()).isEqualTo(expected.get(i).cid());
                assertThat(got.get(i).dataOffset()).isEqualTo(expected.get(i).dataOffset() + 64);
                CarBlock b = got.get(i);
                assertThat(Arrays.copyOfRange(v2, (int) b.dataOffset(), (int) b.dataOffset() + b.dataLength())).isEqualTo(b.data());
            }
        }
        byte[] noIndex = wrapV2(v1, 0, new byte[0]);
        try (CarReader r = CarReader.open(new ByteArrayInputStream(noIndex))) {
            assertThat(r.header().v2().hasIndex()).isFalse();
            assertThat(r.skipAll()).isEqualTo(expected.size());
        }
        // a data size that cuts the last section
        byte[] cut = wrapV2(v1, 0, index);
        ByteBuffer.wrap(cut).order(ByteOrder.LITTLE_ENDIAN).putLong(11 + 24, v1.length - 10);
        assertThatThrownBy(() -> readAll(CarReader.open(new ByteArrayInputStream(cut))))
                .hasFieldOrPropertyWithValue("reason", Reason.BAD_CAR)
                .hasMessageContaining("runs past the CARv2 data end");
    }

    @Test
    void truncatedSectionVarintNamesItsOffset() throws IOException {
        byte[] car = Files.readAllBytes(Vectors.file("unixfs/file-1000-unixfs-v1-2025.car"));
        byte[] header = CarWriter.headerBytes(List.of(Cid.parse("bafkreidxsdm6kwpdjqhwp7tx4lgrutbkikiydu7nbujamtlpgwsgvpjtiu")));
        // the block's section length is 1036, a two-byte varint: keep only its first byte
        byte[] cut = Arrays.copyOf(car, header.length + 1);
        assertThatThrownBy(() -> readAll(CarReader.open(new ByteArrayInputStream(cut))))
                .hasFieldOrPropertyWithValue("reason", Reason.TRUNCATED)
                .hasMessage("CAR ends inside the section length varint at offset " + header.length);
    }

    @Test
    void badHeadersGiveClearErrors() {
        assertThatThrownBy(() -> CarReader.open(new ByteArrayInputStream(new byte[0])))
                .hasFieldOrPropertyWithValue("reason", Reason.TRUNCATED);
        // {"version": 3}
        byte[] v3 = CarReader.V2_PRAGMA.clone();
        v3[10] = 3;
        assertThatThrownBy(() -> CarReader.open(new ByteArrayInputStream(v3)))
                .hasFieldOrPropertyWithValue("reason", Reason.BAD_CAR).hasMessageContaining("version 3");
        // {"version": 1} without roots
        byte[] noRoots = CarReader.V2_PRAGMA.clone();
        noRoots[10] = 1;
        assertThatThrownBy(() -> CarReader.open(new ByteArrayInputStream(noRoots)))
                .hasFieldOrPropertyWithValue("reason", Reason.BAD_CAR).hasMessageContaining("no roots");
        // header bytes are not a map
        assertThatThrownBy(() -> CarReader.open(new ByteArrayInputStream(new byte[] {2, 0x01, 0x02})))
                .hasFieldOrPropertyWithValue("reason", Reason.BAD_CAR).hasMessageContaining("offset 1");
        // header cut short
        byte[] header = CarWriter.headerBytes(List.of(Cid.of(Multicodec.RAW, new byte[0])));
        assertThatThrownBy(() -> CarReader.open(new ByteArrayInputStream(Arrays.copyOf(header, 20))))
                .hasFieldOrPropertyWithValue("reason", Reason.TRUNCATED).hasMessageContaining("offset 20");
    }
}
