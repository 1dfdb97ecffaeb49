package venus.retrieval.paych;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalletTest {
    @TempDir
    Path repo;

    @Test
    void loadOrCreateDefaultCreatesOneKeyOnceWithOwnerOnlyPermissions() throws Exception {
        Wallet w = Wallet.loadOrCreateDefault(repo);
        Address a = w.defaultAddress();
        assertThat(a.protocol()).isEqualTo(Address.Protocol.SECP256K1);
        Path key = repo.resolve("keystore/wallet/" + a + ".key");
        assertThat(key).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        // idempotent: a second call keeps the same default and makes no new key
        assertThat(Wallet.loadOrCreateDefault(repo).defaultAddress()).isEqualTo(a);
        assertThat(Wallet.open(repo).list()).containsExactly(a);
    }

    @Test
    void newKeysAreListedAndSign() {
        Wallet w = Wallet.open(repo);
        Address first = w.newAddress();
        Address second = w.newAddress();
        assertThat(w.list()).containsExactlyInAnyOrder(first, second);
        assertThat(w.defaultAddress()).isEqualTo(first);
        w.setDefault(second);
        assertThat(Wallet.open(repo).defaultAddress()).isEqualTo(second);
        byte[] msg = {9, 8, 7};
        Signature s = w.sign(second, msg);
        assertThat(SignatureVerifier.recoverSigner(msg, s)).isEqualTo(second);
    }

    /** A key is read once, but a key file that changed or went away after a signature is noticed. */
    @Test
    void aKeyFileChangedAfterSigningIsReadAgain() throws Exception {
        Wallet w = Wallet.open(repo);
        Address a = w.newAddress();
        Address other = Wallet.open(repo.resolve("other")).newAddress();
        byte[] msg = {1, 2, 3};
        assertThat(SignatureVerifier.recoverSigner(msg, w.sign(a, msg))).isEqualTo(a);
        Path file = repo.resolve("keystore/wallet/" + a + ".key");
        java.nio.file.attribute.FileTime before = Files.getLastModifiedTime(file);
        Files.copy(repo.resolve("other/keystore/wallet/" + other + ".key"), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(before.toMillis() + 1000));
        assertThatThrownBy(() -> w.sign(a, msg)).hasMessageContaining("another address");
        Files.delete(file);
        assertThatThrownBy(() -> w.sign(a, msg)).hasMessageContaining("no key for " + a);
    }

    @Test
    void importedKeyMatchesItsAddress() {
        byte[] priv = Base64.getDecoder().decode("8VcW07ADswS4BV2cxi5rnIadVsyTDDhY1NfDH19T8Uo=");
        Wallet w = Wallet.open(repo);
        assertThat(w.importKey(priv)).isEqualTo(Address.parse("f1d2xrzcslx7xlbbylc5c3d5lvandqw4iwl6epxba"));
        assertThat(w.has(Address.parse("t1d2xrzcslx7xlbbylc5c3d5lvandqw4iwl6epxba"))).isTrue();
    }

    @Test
    void missingAndCorruptKeysFailClearly() throws Exception {
        Wallet w = Wallet.open(repo);
        assertThatThrownBy(w::defaultAddress).hasMessageContaining("no default address");
        Address stranger = Secp256k1.address(Secp256k1.generatePrivateKey());
        assertThatThrownBy(() -> w.sign(stranger, new byte[1])).hasMessageContaining("no key for " + stranger);
        assertThatThrownBy(() -> w.setDefault(stranger)).hasMessageContaining("no key for");
        Address a = w.newAddress();
        // a key file swapped for another address's key is refused, not used
        Address b = Secp256k1.address(Secp256k1.generatePrivateKey());
        Files.move(repo.resolve("keystore/wallet/" + a + ".key"), repo.resolve("keystore/wallet/" + b + ".key"));
        assertThatThrownBy(() -> w.sign(b, new byte[1])).hasMessageContaining("another address")
                .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.WALLET);
        Files.writeString(repo.resolve("keystore/wallet/" + b + ".key"), "{not json");
        assertThatThrownBy(() -> w.sign(b, new byte[1])).hasMessageContaining("cannot read key file");
    }
}
