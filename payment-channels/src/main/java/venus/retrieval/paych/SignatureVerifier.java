package venus.retrieval.paych;

import venus.retrieval.paych.chain.ChainApi;

/**
 * Checks that a signature over a message was made by an address's key. secp256k1 is verified
 * locally (public-key recovery); BLS has no Java implementation here, so it is delegated to the
 * chain node's {@code WalletVerify} when one is configured and refused otherwise.
 */
public final class SignatureVerifier {
    private final ChainApi chain;

    /** A verifier that can only check secp256k1 signatures (BLS is refused). */
    public static SignatureVerifier offline() {
        return new SignatureVerifier(null);
    }

    /** A verifier that asks {@code chain} to check BLS signatures; null means offline. */
    public SignatureVerifier(ChainApi chain) {
        this.chain = chain;
    }

    /**
     * Verifies {@code signature} over {@code message} against the key address {@code signer}
     * (f1 for secp256k1, f3 for BLS).
     *
     * @throws PaychException SIGNATURE_INVALID when it does not verify, BAD_SIGNATURE when it is
     *     malformed, UNSUPPORTED_SIGNATURE for BLS without a chain node or delegated signatures
     */
    public void verify(Address signer, byte[] message, Signature signature) {
        switch (signature.type()) {
            case SECP256K1: {
                if (signer.protocol() != Address.Protocol.SECP256K1) {
                    throw new PaychException(PaychException.Reason.SIGNATURE_INVALID,
                            "secp256k1 signature cannot come from " + signer + " (not an f1 address)");
                }
                Address recovered = Secp256k1.recoverAddress(message, signature.data());
                if (!recovered.equals(signer)) {
                    throw new PaychException(PaychException.Reason.SIGNATURE_INVALID,
                            "signature was made by " + recovered + ", not " + signer);
                }
                return;
            }
            case BLS: {
                if (chain == null) {
                    throw new PaychException(PaychException.Reason.UNSUPPORTED_SIGNATURE,
                            "BLS signatures can only be verified through a chain node (WalletVerify); none is configured");
                }
                if (!chain.walletVerify(signer, message, signature)) {
                    throw new PaychException(PaychException.Reason.SIGNATURE_INVALID,
                            "BLS signature does not verify for " + signer + " (WalletVerify)");
                }
                return;
            }
            default:
                throw new PaychException(PaychException.Reason.UNSUPPORTED_SIGNATURE,
                        signature.type() + " signatures are not accepted for vouchers");
        }
    }

    /** The f1 address that made a secp256k1 signature (for tools that have no expected signer). */
    public static Address recoverSigner(byte[] message, Signature signature) {
        if (signature.type() != Signature.Type.SECP256K1) {
            throw new PaychException(PaychException.Reason.UNSUPPORTED_SIGNATURE,
                    "only secp256k1 signatures reveal their signer; this one is " + signature.type());
        }
        return Secp256k1.recoverAddress(message, signature.data());
    }
}
