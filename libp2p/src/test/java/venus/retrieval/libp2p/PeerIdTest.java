package venus.retrieval.libp2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.ipld.Multibase;
import venus.retrieval.libp2p.crypto.PubKey;

class PeerIdTest {
    static final String ED_PUB = "080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e";

    @Test
    void ed25519PeerIdIsTheInlinedKeyInAllTextForms() {
        PeerId id = PeerId.fromPublicKey(PubKey.decode(Multibase.unhex(ED_PUB)));
        assertThat(id.toString()).isEqualTo("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq");
        assertThat(Multibase.hex(id.bytes())).isEqualTo("0024" + ED_PUB);
        assertThat(id.toCid().toString()).isEqualTo("bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6");
        assertThat(id.toCid().toString(venus.retrieval.ipld.Multibase.Base.BASE36))
                .isEqualTo("k51qzi5uqu5dgy8qsq67hbz73jqkw87l3fgf4a91qb0d9b5173tir7n4vxk1oe");
        assertThat(PeerId.parse("bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6")).isEqualTo(id);
        assertThat(PeerId.parse("k51qzi5uqu5dgy8qsq67hbz73jqkw87l3fgf4a91qb0d9b5173tir7n4vxk1oe")).isEqualTo(id);
        assertThat(PeerId.parse(id.toString())).isEqualTo(id);
        assertThat(id.inlinePublicKey()).isEqualTo(PubKey.decode(Multibase.unhex(ED_PUB)));
    }

    @Test
    void sha256PeerIdsParse() {
        PeerId id = PeerId.parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");
        assertThat(id.toString()).isEqualTo("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");
        assertThat(id.inlinePublicKey()).isNull();
        assertThat(PeerId.parse("bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe").toString()).startsWith("Qm");
    }

    @Test
    void badPeerIdsAreRejected() {
        for (String s : new String[] {"", "12D3Koo", "QmNotBase58!", "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4", "xyz"}) {
            assertThatThrownBy(() -> PeerId.parse(s)).as(s).isInstanceOf(Libp2pException.class)
                    .extracting(e -> ((Libp2pException) e).reason()).isEqualTo(Libp2pException.Reason.BAD_PEER_ID);
        }
    }

    @Test
    void loadOrCreatePersistsTheKeyWithOwnerOnlyPermissions(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("repo").resolve(PeerIdentity.KEY_FILE);
        PeerIdentity a = PeerIdentity.loadOrCreate(file);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        assertThat(Files.size(file)).isEqualTo(68);
        PeerIdentity b = PeerIdentity.loadOrCreate(file);
        assertThat(b.peerId()).isEqualTo(a.peerId());
        assertThat(a.peerId().toString()).startsWith("12D3KooW");
        assertThat(PeerIdentity.load(file).peerId()).isEqualTo(a.peerId());
    }

    @Test
    void missingOrCorruptKeyFilesGiveClearErrors(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> PeerIdentity.load(dir.resolve("nope.key")))
                .isInstanceOf(Libp2pException.class).hasMessageContaining("vrn init");
        Path bad = dir.resolve("bad.key");
        Files.write(bad, new byte[] {8, 1, 18, 3, 1, 2, 3});
        assertThatThrownBy(() -> PeerIdentity.load(bad)).isInstanceOf(Libp2pException.class)
                .hasMessageContaining("bad libp2p key");
    }
}
