package venus.retrieval.paych;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.Cid;
import venus.retrieval.paych.chain.ChainApi;
import venus.retrieval.paych.chain.Message;
import venus.retrieval.paych.chain.MessageReceipt;
import venus.retrieval.paych.chain.PaychState;

class SignatureVerifierTest {
    static final Address BLS_SIGNER = Address.parse("f344fzhnkyxiruksugmejemoclb3hltdmypdgpal6vtsgvin5kftnb7psp75hbqybix6ludnrdfnfm4p4b76ra");

    @Test
    void secp256k1VerifiesLocally() {
        byte[] key = Secp256k1.generatePrivateKey();
        byte[] msg = {1, 2, 3};
        Signature sig = new Signature(Signature.Type.SECP256K1, Secp256k1.sign(key, msg));
        assertThatCode(() -> SignatureVerifier.offline().verify(Secp256k1.address(key), msg, sig)).doesNotThrowAnyException();
        assertThat(SignatureVerifier.recoverSigner(msg, sig)).isEqualTo(Secp256k1.address(key));
        assertThatThrownBy(() -> SignatureVerifier.offline().verify(Secp256k1.address(Secp256k1.generatePrivateKey()), msg, sig))
                .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.SIGNATURE_INVALID);
        assertThatThrownBy(() -> SignatureVerifier.offline().verify(Address.id(5), msg, sig))
                .hasMessageContaining("not an f1");
    }

    @Test
    void blsIsRefusedOfflineAndDelegatedToTheChainNode() {
        Signature bls = new Signature(Signature.Type.BLS, new byte[96]);
        assertThatThrownBy(() -> SignatureVerifier.offline().verify(BLS_SIGNER, new byte[] {1}, bls))
                .hasMessageContaining("WalletVerify")
                .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.UNSUPPORTED_SIGNATURE);
        List<Address> asked = new ArrayList<>();
        assertThatCode(() -> new SignatureVerifier(verifyingChain(true, asked)).verify(BLS_SIGNER, new byte[] {1}, bls)).doesNotThrowAnyException();
        assertThat(asked).containsExactly(BLS_SIGNER);
        assertThatThrownBy(() -> new SignatureVerifier(verifyingChain(false, asked)).verify(BLS_SIGNER, new byte[] {1}, bls))
                .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.SIGNATURE_INVALID);
    }

    @Test
    void delegatedSignaturesAreRefused() {
        Signature d = new Signature(Signature.Type.DELEGATED, new byte[65]);
        assertThatThrownBy(() -> SignatureVerifier.offline().verify(BLS_SIGNER, new byte[] {1}, d))
                .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.UNSUPPORTED_SIGNATURE);
    }

    @Test
    void signatureWireForm() {
        byte[] data = new byte[65];
        data[0] = 7;
        Signature s = new Signature(Signature.Type.SECP256K1, data);
        assertThat(s.bytes()[0]).isEqualTo((byte) 1);
        assertThat(Signature.fromBytes(s.bytes())).isEqualTo(s);
        assertThatThrownBy(() -> Signature.fromBytes(new byte[] {9, 1})).hasMessageContaining("unknown signature type 9");
        assertThatThrownBy(() -> Signature.fromBytes(new byte[] {1, 1})).hasMessageContaining("65 bytes");
        assertThatThrownBy(() -> Signature.fromBytes(new byte[0])).hasMessageContaining("empty");
        assertThatThrownBy(() -> Signature.fromBytes(new byte[201])).hasMessageContaining("at most 200");
    }

    private static ChainApi verifyingChain(boolean answer, List<Address> asked) {
        return new ChainApi() {
            @Override public long chainHead() { throw new UnsupportedOperationException(); }
            @Override public PaychState stateReadState(Address paych) { throw new UnsupportedOperationException(); }
            @Override public Address stateAccountKey(Address address) { throw new UnsupportedOperationException(); }
            @Override public Address stateLookupId(Address address) { throw new UnsupportedOperationException(); }
            @Override public boolean walletVerify(Address signer, byte[] message, Signature signature) {
                asked.add(signer);
                return answer;
            }
            @Override public Cid mpoolPushMessage(Message message) { throw new UnsupportedOperationException(); }
            @Override public MessageReceipt stateWaitMsg(Cid message, long confidence) { throw new UnsupportedOperationException(); }
            @Override public byte[] chainReadObj(Cid cid) { throw new UnsupportedOperationException(); }
        };
    }
}
