package venus.retrieval.node.api;

/**
 * What an admin API token may do. Each level includes the ones below it: {@code admin} can call
 * every method, {@code write} can change node state, {@code read} can only look.
 */
public enum Permission {
    READ, WRITE, ADMIN;

    /** True when a token with this permission may call a method that requires {@code required}. */
    public boolean allows(Permission required) {
        return ordinal() >= required.ordinal();
    }

    /** Lower-case name as used in file names and messages. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
