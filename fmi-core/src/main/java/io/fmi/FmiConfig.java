package io.fmi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fmi.internal.JsonTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * FMI's configuration: the {@code fmi.json} file of the C++ FMI, read unchanged.
 *
 * <pre>
 * {
 *   "backends": {
 *     "Direct":   { "enabled": true,  "host": "10.0.0.5", "port": 10000, "max_timeout": 60000 },
 *     "Redis":    { "enabled": false, "host": "127.0.0.1", "port": 6379 },
 *     "S3":       { "enabled": false, "bucket_name": "my-bucket", "s3_region": "eu-central-1" },
 *     "DynamoDB": { "enabled": false, "table_name": "fmi", "region": "eu-central-1" }
 *   },
 *   "model": { "FaaS": { "gib_second_price": 0.0000166667 }, ... }
 * }
 * </pre>
 *
 * <p>A missing section or key takes its default; a backend without {@code "enabled"} counts as
 * disabled; keys this library does not know are kept (see {@link #json()}), so channels from
 * outside can carry their own settings. Backend names match case-insensitively.
 *
 * <p>Immutable and thread-safe.
 */
public final class FmiConfig {

    private final ObjectNode root;
    private final Map<String, BackendConfig> backends;

    private FmiConfig(ObjectNode root) {
        this.root = root;
        Map<String, BackendConfig> b = new LinkedHashMap<>();
        JsonNode section = root.get("backends");
        if (section != null && !section.isNull()) {
            if (!section.isObject()) {
                throw new FmiConfigException("backends: " + section.getNodeType() + " (expected: an object of backend entries)");
            }
            Iterator<Map.Entry<String, JsonNode>> it = section.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isObject()) {
                    throw new FmiConfigException("backends." + e.getKey() + ": " + e.getValue().getNodeType() + " (expected: an object)");
                }
                b.put(e.getKey(), new BackendConfig(e.getKey(), (ObjectNode) e.getValue()));
            }
        }
        JsonNode model = root.get("model");
        if (model != null && !model.isNull() && !model.isObject()) {
            throw new FmiConfigException("model: " + model.getNodeType() + " (expected: an object)");
        }
        this.backends = Collections.unmodifiableMap(b);
    }

    /**
     * Reads an {@code fmi.json} file.
     *
     * @param file the file
     * @return the configuration
     * @throws FmiConfigException naming the file and the key that is invalid, or the I/O error
     */
    public static FmiConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new FmiConfigException("cannot read FMI config " + file + ": " + e, e);
        }
        try {
            return fromJson(text);
        } catch (FmiConfigException e) {
            throw new FmiConfigException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses the text of an {@code fmi.json} file.
     *
     * @param json the JSON text
     * @return the configuration
     * @throws FmiConfigException naming the key that is invalid
     */
    public static FmiConfig fromJson(String json) {
        JsonNode node;
        try {
            node = JsonTree.read(json);
        } catch (JsonProcessingException e) {
            throw new FmiConfigException("invalid JSON in FMI config at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new FmiConfigException("FMI config: " + (node == null ? "empty" : node.getNodeType()) + " (expected: a JSON object)");
        }
        return new FmiConfig((ObjectNode) node);
    }

    /**
     * The defaults: an entry for the backend of every channel provider on the class path (see
     * {@link io.fmi.channel.ChannelProviders#installed()}), as the provider states it
     * ({@link io.fmi.channel.ChannelProvider#defaultBackendJson()}), in the selector's tie-break
     * order; default models. With FMI's channels that is {@code Direct} enabled with a rendezvous
     * server at {@code 127.0.0.1:10000}, and {@code Redis}, {@code S3} and {@code DynamoDB}
     * present but disabled.
     *
     * @return the default configuration
     */
    public static FmiConfig defaults() {
        ObjectNode root = JsonTree.object();
        ObjectNode section = root.putObject("backends");
        for (io.fmi.channel.ChannelProvider p : io.fmi.channel.ChannelProviders.installed().list()) {
            String json = p.defaultBackendJson();
            JsonNode entry;
            try {
                entry = JsonTree.read(json);
            } catch (JsonProcessingException e) {
                throw new FmiConfigException("default entry of backend " + p.backend() + " from " + p.getClass().getName()
                        + ": invalid JSON: " + e.getOriginalMessage(), e);
            }
            if (entry == null || !entry.isObject()) {
                throw new FmiConfigException("default entry of backend " + p.backend() + " from " + p.getClass().getName()
                        + ": " + json + " (expected: a JSON object)");
            }
            section.set(p.backend(), entry);
        }
        return new FmiConfig(root);
    }

    /**
     * All backend entries in file order, enabled or not.
     *
     * @return the entries by name, unmodifiable
     */
    public Map<String, BackendConfig> backends() {
        return backends;
    }

    /**
     * The backend entry of that name (case-insensitive), if the file has one.
     *
     * @param name e.g. {@code "Redis"}
     * @return the entry, or empty
     */
    public Optional<BackendConfig> backend(String name) {
        BackendConfig exact = backends.get(name);
        if (exact != null) {
            return Optional.of(exact);
        }
        String wanted = name.toLowerCase(Locale.ROOT);
        for (BackendConfig b : backends.values()) {
            if (b.name().toLowerCase(Locale.ROOT).equals(wanted)) {
                return Optional.of(b);
            }
        }
        return Optional.empty();
    }

    /**
     * The enabled backends, in file order.
     *
     * @return the entries that say {@code "enabled": true}
     */
    public List<BackendConfig> enabledBackends() {
        List<BackendConfig> out = new ArrayList<>();
        for (BackendConfig b : backends.values()) {
            if (b.enabled()) {
                out.add(b);
            }
        }
        return out;
    }

    /**
     * The {@code "model"} section (an empty object when the file has none); a copy.
     *
     * @return the model section
     */
    public ObjectNode model() {
        JsonNode m = root.get("model");
        return m instanceof ObjectNode ? ((ObjectNode) m).deepCopy() : JsonTree.object();
    }

    /**
     * The whole configuration as JSON, unknown keys included; a copy.
     *
     * @return the configuration's JSON
     */
    public ObjectNode json() {
        return root.deepCopy();
    }

    /**
     * A copy of this configuration with backend {@code name} replaced or added.
     *
     * @param name the backend's name, e.g. {@code "Redis"}
     * @param entry its settings, copied
     * @return the new configuration; this one is unchanged
     */
    public FmiConfig withBackend(String name, ObjectNode entry) {
        ObjectNode copy = root.deepCopy();
        JsonNode b = copy.get("backends");
        ObjectNode section = b instanceof ObjectNode ? (ObjectNode) b : copy.putObject("backends");
        String key = backend(name).map(BackendConfig::name).orElse(name);
        section.set(key, entry.deepCopy());
        return new FmiConfig(copy);
    }

    /** The in-memory backends of fmi-core, which {@code LocalCluster} may enable on its own. */
    private static final List<String> IN_MEMORY_BACKENDS = List.of("Local", "LocalStore");

    /**
     * A copy of this configuration with only the named backends enabled (case-insensitive): every
     * other entry, and each in-memory backend ({@code Local}, {@code LocalStore}) the file lacks, is
     * written disabled, so that nothing (not even {@code LocalCluster}'s in-memory default) adds one
     * back. A backend the file lacks is disabled anyway.
     *
     * @param names the backends to keep enabled
     * @return the new configuration; this one is unchanged
     */
    public FmiConfig withOnly(String... names) {
        FmiConfig c = this;
        List<String> keep = new ArrayList<>();
        for (String n : names) {
            keep.add(n.toLowerCase(Locale.ROOT));
        }
        for (String known : IN_MEMORY_BACKENDS) {
            if (c.backend(known).isEmpty()) {
                c = c.withBackend(known, JsonTree.object().put("enabled", false));
            }
        }
        for (BackendConfig b : c.backends.values()) {
            ObjectNode e = b.json();
            e.put("enabled", keep.contains(b.name().toLowerCase(Locale.ROOT)));
            c = c.withBackend(b.name(), e);
        }
        for (String n : names) {
            if (c.backend(n).isEmpty()) {
                c = c.withBackend(n, JsonTree.object().put("enabled", true));
            }
        }
        return c;
    }

    /**
     * A new, empty JSON object node, for building backend entries.
     *
     * @return an empty object
     */
    public static ObjectNode newObject() {
        return JsonTree.object();
    }

    @Override
    public String toString() {
        return "FmiConfig" + backends.values();
    }
}
