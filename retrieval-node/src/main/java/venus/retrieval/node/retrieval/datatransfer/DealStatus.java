package venus.retrieval.node.retrieval.datatransfer;

/** go-fil-markets {@code DealStatus} numbers (iota order, filecoin-retrieval.md §3.4) that a provider sends. */
public final class DealStatus {
    public static final int NEW = 0;
    public static final int UNSEALING = 1;
    public static final int UNSEALED = 2;
    public static final int ACCEPTED = 6;
    public static final int FUNDS_NEEDED_UNSEAL = 7;
    public static final int FAILING = 8;
    public static final int REJECTED = 9;
    public static final int FUNDS_NEEDED = 10;
    public static final int ONGOING = 13;
    public static final int FUNDS_NEEDED_LAST_PAYMENT = 14;
    public static final int COMPLETED = 15;
    public static final int DEAL_NOT_FOUND = 16;
    public static final int ERRORED = 17;
    public static final int FINALIZING = 19;
    public static final int COMPLETING = 20;
    public static final int CANCELLING = 25;
    public static final int CANCELLED = 26;

    private DealStatus() {}
}
