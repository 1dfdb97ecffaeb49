package venus.retrieval.node.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import venus.retrieval.node.NodeException;
import venus.retrieval.node.NodeException.Reason;

/**
 * The node's configuration: every key of {@link ConfigKeys} with a validated, typed value. Immutable;
 * built once at start-up from, in increasing precedence, the defaults, {@code config.toml},
 * {@code VRN_<KEY>} environment variables and {@code --set key=value} arguments. Any unknown key or
 * bad value fails the whole load with one line naming the key and where the value came from.
 */
public final class NodeConfig {
    private final Map<String, Object> values;
    private final Map<String, String> texts;
    private final Map<String, String> sources;

    private NodeConfig(Map<String, Object> values, Map<String, String> texts, Map<String, String> sources) {
        this.values = Collections.unmodifiableMap(values);
        this.texts = Collections.unmodifiableMap(texts);
        this.sources = Collections.unmodifiableMap(sources);
    }

    /** Every key at its default. */
    public static NodeConfig defaults() {
        return load(null, Map.of(), List.of());
    }

    /**
     * Loads the configuration.
     *
     * @param tomlFile {@code config.toml}, or null for none
     * @param env the environment (only {@code VRN_<KEY>} variables of registered keys are read; others,
     *     like {@code VRN_REPO}, are ignored)
     * @param sets {@code key=value} overrides from the command line, applied in order
     * @throws NodeException {@code CONFIG_INVALID} with one line naming the key
     */
    public static NodeConfig load(Path tomlFile, Map<String, String> env, List<String> sets) {
        Map<String, ConfigKey<?>> keys = ConfigKeys.byName();
        Map<String, String> texts = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        for (ConfigKey<?> k : keys.values()) {
            texts.put(k.name(), k.defaultValue());
            sources.put(k.name(), "default");
        }
        if (tomlFile != null) {
            String where = tomlFile.toString();
            String toml;
            try {
                toml = Files.readString(tomlFile);
            } catch (NoSuchFileException e) {
                throw invalid("config file " + tomlFile + " does not exist");
            } catch (IOException e) {
                throw invalid("cannot read config file " + tomlFile + ": " + e.getMessage());
            }
            for (Map.Entry<String, String> e : flattenToml(toml, where).entrySet()) {
                if (!keys.containsKey(e.getKey())) {
                    throw invalid("unknown key \"" + e.getKey() + "\" in " + where + " (see docs/config.md)");
                }
                texts.put(e.getKey(), e.getValue());
                sources.put(e.getKey(), where);
            }
        }
        for (ConfigKey<?> k : keys.values()) {
            String v = env.get(k.envVar());
            if (v != null) {
                texts.put(k.name(), v);
                sources.put(k.name(), "env " + k.envVar());
            }
        }
        for (String set : sets) {
            int eq = set.indexOf('=');
            if (eq <= 0) {
                throw invalid("--set \"" + set + "\" is not key=value");
            }
            String name = set.substring(0, eq).trim();
            if (!keys.containsKey(name)) {
                throw invalid("unknown key \"" + name + "\" in --set (see docs/config.md)");
            }
            texts.put(name, set.substring(eq + 1).trim());
            sources.put(name, "--set");
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (ConfigKey<?> k : keys.values()) {
            String text = texts.get(k.name());
            try {
                values.put(k.name(), k.parse(text));
            } catch (IllegalArgumentException e) {
                throw invalid(k.name() + " = \"" + text + "\" (from " + sources.get(k.name()) + "): " + e.getMessage());
            }
        }
        return new NodeConfig(values, texts, sources);
    }

    /** Parses a TOML document into dotted key → value text. Arrays become comma-separated lists. */
    static Map<String, String> flattenToml(String toml, String where) {
        JsonNode root;
        try {
            root = new TomlMapper().readTree(toml);
        } catch (JacksonException e) {
            throw invalid("cannot parse " + where + ": " + firstLine(e.getOriginalMessage()));
        }
        Map<String, String> out = new LinkedHashMap<>();
        if (root != null) {
            flatten("", root, out, where);
        }
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out, String where) {
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            JsonNode v = e.getValue();
            if (v.isObject()) {
                flatten(name, v, out, where);
            } else if (v.isArray()) {
                List<String> items = new ArrayList<>();
                for (JsonNode item : v) {
                    if (!item.isValueNode()) {
                        throw invalid(name + " in " + where + ": nested arrays and tables are not allowed here");
                    }
                    items.add(item.asText());
                }
                out.put(name, String.join(",", items));
            } else {
                out.put(name, v.asText());
            }
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "syntax error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static NodeException invalid(String message) {
        return new NodeException(Reason.CONFIG_INVALID, "config: " + message);
    }

    /** The validated value of a key. */
    @SuppressWarnings("unchecked")
    public <T> T get(ConfigKey<T> key) {
        Object v = values.get(key.name());
        if (v == null) {
            throw new IllegalArgumentException("unregistered config key " + key.name());
        }
        return (T) v;
    }

    /** The value of a key as text (as written in TOML, env or --set). */
    public String text(ConfigKey<?> key) {
        return texts.get(key.name());
    }

    /** Where a key's value came from: {@code default}, the config file path, {@code env VRN_…} or {@code --set}. */
    public String source(ConfigKey<?> key) {
        return sources.get(key.name());
    }

    /** Every key's value as text, in registry order. */
    public Map<String, String> texts() {
        return texts;
    }
}
