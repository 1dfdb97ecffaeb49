package venus.retrieval.node.config;

import venus.retrieval.paych.Address;

/** What the {@code network} key implies: the address prefix ({@code f} on mainnet, {@code t} elsewhere). */
public final class Networks {
    private Networks() {
    }

    /** The address network of {@code network} ({@code mainnet}, {@code calibnet}, {@code devnet}). */
    public static Address.Network addressNetwork(String network) {
        return "mainnet".equals(network) ? Address.Network.MAINNET : Address.Network.TESTNET;
    }

    /** {@code address} in the string form of {@code network} ({@code f…} or {@code t…}). */
    public static String format(Address address, String network) {
        return address == null ? null : address.format(addressNetwork(network));
    }
}
