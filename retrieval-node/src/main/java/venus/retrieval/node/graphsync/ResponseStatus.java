package venus.retrieval.node.graphsync;

/** Graphsync response status codes (go-graphsync {@code responsecode.go}, ipld graphsync spec). */
public final class ResponseStatus {
    private ResponseStatus() {}

    /** Requester-internal acknowledgement. */
    public static final int REQUEST_ACKNOWLEDGED = 10;
    /** Unused by Go. */
    public static final int ADDITIONAL_PEERS = 11;
    /** Unused by Go. */
    public static final int NOT_ENOUGH_GAS = 12;
    /** Unused by Go. */
    public static final int OTHER_PROTOCOL = 13;
    /** In progress: the message carries blocks, metadata or extensions. */
    public static final int PARTIAL_RESPONSE = 14;
    /** A hook paused the response. */
    public static final int REQUEST_PAUSED = 15;
    /** Done, every block present. */
    public static final int REQUEST_COMPLETED_FULL = 20;
    /** Done, some links missing. */
    public static final int REQUEST_COMPLETED_PARTIAL = 21;
    /** Refused (no hook validated it). */
    public static final int REQUEST_REJECTED = 30;
    /** Too busy. */
    public static final int REQUEST_FAILED_BUSY = 31;
    /** Failed (a hook error, bad extension data, a traversal error). */
    public static final int REQUEST_FAILED_UNKNOWN = 32;
    /** Refused for legal reasons. */
    public static final int REQUEST_FAILED_LEGAL = 33;
    /** The root block could not be loaded. */
    public static final int REQUEST_FAILED_CONTENT_NOT_FOUND = 34;
    /** The responder cancelled the request. */
    public static final int REQUEST_CANCELLED = 35;

    /** Whether {@code status} ends the request (20 and above). */
    public static boolean isTerminal(int status) {
        return status >= 20;
    }

    /** Whether {@code status} is a success (20, 21). */
    public static boolean isSuccess(int status) {
        return status == REQUEST_COMPLETED_FULL || status == REQUEST_COMPLETED_PARTIAL;
    }

    /** A short name for logs. */
    public static String name(int status) {
        return switch (status) {
            case 10 -> "RequestAcknowledged";
            case 11 -> "AdditionalPeers";
            case 12 -> "NotEnoughGas";
            case 13 -> "OtherProtocol";
            case 14 -> "PartialResponse";
            case 15 -> "RequestPaused";
            case 20 -> "RequestCompletedFull";
            case 21 -> "RequestCompletedPartial";
            case 30 -> "RequestRejected";
            case 31 -> "RequestFailedBusy";
            case 32 -> "RequestFailedUnknown";
            case 33 -> "RequestFailedLegal";
            case 34 -> "RequestFailedContentNotFound";
            case 35 -> "RequestCancelled";
            default -> "status " + status;
        };
    }
}
