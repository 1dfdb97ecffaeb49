package venus.retrieval.node.retrieval.datatransfer;

/** Data-transfer message types (go-data-transfer {@code message/types/message_types.go}). */
public final class MessageType {
    public static final int NEW = 0;
    public static final int UPDATE = 1;
    public static final int CANCEL = 2;
    public static final int COMPLETE = 3;
    public static final int VOUCHER = 4;
    public static final int VOUCHER_RESULT = 5;
    public static final int RESTART = 6;
    public static final int RESTART_EXISTING_CHANNEL = 7;

    private MessageType() {}
}
