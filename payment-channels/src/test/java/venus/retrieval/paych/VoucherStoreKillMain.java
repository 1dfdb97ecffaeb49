package venus.retrieval.paych;

import java.nio.file.Path;
import java.util.Base64;

/**
 * Test helper run as a subprocess by {@link VoucherStoreCrashTest}: accepts vouchers into the
 * store at {@code args[0]} in a loop and prints {@code ACK <lane> <nonce>} after each one is
 * committed, until it is killed.
 */
public final class VoucherStoreKillMain {
    private VoucherStoreKillMain() {}

    public static void main(String[] args) {
        byte[] key = Base64.getDecoder().decode("8VcW07ADswS4BV2cxi5rnIadVsyTDDhY1NfDH19T8Uo=");
        Address ch = Address.parse("f2edcoyjd4utkafphh3ov6ongftldzsqpninngbla");
        int start = Integer.parseInt(args[1]);
        try (VoucherStore store = VoucherStore.open(Path.of(args[0]))) {
            for (int n = start; n < start + 100_000; n++) {
                long lane = n % 4;
                SignedVoucher v = SignedVoucher.of(ch, lane, n, TokenAmount.ofAtto(1000L * (n + 1)));
                v = v.withSignature(new Signature(Signature.Type.SECP256K1, Secp256k1.sign(key, v.signingBytes())));
                store.putReceived(v, TokenAmount.ZERO);
                System.out.println("ACK " + lane + " " + n);
                System.out.flush();
            }
        }
    }
}
