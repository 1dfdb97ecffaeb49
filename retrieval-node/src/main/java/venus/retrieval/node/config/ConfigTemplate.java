package venus.retrieval.node.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders the registry as a commented {@code config.toml} and as the key table of {@code docs/config.md}. */
public final class ConfigTemplate {
    private ConfigTemplate() {
    }

    /** A {@code config.toml} with every key at its default and a comment per key. */
    public static String toml() {
        StringBuilder sb = new StringBuilder();
        sb.append("# vrn node configuration. Every key is listed with its default; see docs/config.md.\n");
        sb.append("# Overrides: env VRN_<KEY> (e.g. VRN_GATEWAY_LISTEN), then `vrn daemon --set key=value`.\n");
        Map<String, List<ConfigKey<?>>> tables = new LinkedHashMap<>();
        for (ConfigKey<?> k : ConfigKeys.all()) {
            int dot = k.name().lastIndexOf('.');
            tables.computeIfAbsent(dot < 0 ? "" : k.name().substring(0, dot), t -> new ArrayList<>()).add(k);
        }
        // Top-level keys must come before the first [table] header.
        List<ConfigKey<?>> top = tables.remove("");
        if (top != null) {
            sb.append('\n');
            top.forEach(k -> entry(sb, k, k.name()));
        }
        for (Map.Entry<String, List<ConfigKey<?>>> t : tables.entrySet()) {
            sb.append("\n[").append(t.getKey()).append("]\n");
            for (ConfigKey<?> k : t.getValue()) {
                entry(sb, k, k.name().substring(t.getKey().length() + 1));
            }
        }
        return sb.toString();
    }

    /** {@link #toml()} with {@code network} set to {@code network} (validated by the registry). */
    public static String toml(String network) {
        try {
            ConfigKeys.NETWORK.parse(network);
        } catch (IllegalArgumentException e) {
            throw new venus.retrieval.node.NodeException(venus.retrieval.node.NodeException.Reason.CONFIG_INVALID,
                    "--network \"" + network + "\": " + e.getMessage());
        }
        return toml().replaceFirst("(?m)^network = \"mainnet\"$", "network = \"" + network + "\"");
    }

    private static void entry(StringBuilder sb, ConfigKey<?> k, String localName) {
        sb.append("# ").append(k.doc()).append(" (").append(k.type()).append(")\n");
        sb.append(localName).append(" = ").append(literal(k, k.defaultValue())).append('\n');
    }

    private static String literal(ConfigKey<?> k, String value) {
        if (!k.quoted()) {
            return value;
        }
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /** The markdown table of every key (the generated part of {@code docs/config.md}). */
    public static String markdownTable() {
        StringBuilder sb = new StringBuilder();
        sb.append("| key | type | default | env | description |\n");
        sb.append("|---|---|---|---|---|\n");
        for (ConfigKey<?> k : ConfigKeys.all()) {
            sb.append("| `").append(k.name()).append("` | ").append(k.type().replace("|", "\\|"))
                    .append(" | `").append(k.defaultValue()).append("` | `").append(k.envVar()).append("` | ")
                    .append(k.doc().replace("|", "\\|")).append(" |\n");
        }
        return sb.toString();
    }
}
