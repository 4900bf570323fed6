package io.fmi.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fmi.BackendConfig;
import io.fmi.FmiConfig;
import io.fmi.FmiConfigException;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Reads channel models from the {@code "model"} section of {@code fmi.json} and overlays them on
 * a channel's defaults, which come from its {@link io.fmi.channel.ChannelProvider provider}
 * ({@link io.fmi.channel.ChannelProvider#defaultModel()}; see
 * {@link io.fmi.channel.ChannelProviders#models(FmiConfig)}). Keys of the C++ FMI are read in its
 * units and converted to SI on load; our own keys carry their unit in the name and win where both
 * are given. A key that an entry does not give keeps the provider's value.
 *
 * <table>
 *   <caption>keys of a channel's model entry</caption>
 *   <tr><th>C++ key (unit)</th><th>SI key</th><th>meaning</th></tr>
 *   <tr><td>{@code overhead} (ms)</td><td>{@code overhead_s}</td><td>fixed cost of a hop</td></tr>
 *   <tr><td>{@code bandwidth}, {@code bandwidth_single} (MB/s, 10^6 bytes)</td><td>{@code bandwidth_bytes_per_s}</td><td>one producer to one consumer</td></tr>
 *   <tr><td>{@code bandwidth_multiple} (MB/s)</td><td>{@code bandwidth_multiple_bytes_per_s}</td><td>cap on the aggregate</td></tr>
 *   <tr><td>{@code upload_price} (USD per PUT / write unit)</td><td>{@code write_price_usd}</td><td>write request</td></tr>
 *   <tr><td>{@code download_price} (USD per GET / read unit)</td><td>{@code read_price_usd}</td><td>read request, empty polls too</td></tr>
 *   <tr><td></td><td>{@code write_unit_bytes}, {@code read_unit_bytes}</td><td>bytes per billed unit; 0 = per request</td></tr>
 *   <tr><td>{@code transfer_price} (USD per GB, 10^9 bytes)</td><td>{@code transfer_price_usd_per_byte}</td><td>data transfer</td></tr>
 *   <tr><td>{@code instance_price}, {@code vm_price} (USD/hour)</td><td>{@code infrastructure_usd_per_hour}</td><td>a server node, a rendezvous VM</td></tr>
 *   <tr><td></td><td>{@code infrastructure_utilisation}</td><td>share of its running hours that jobs hold the infrastructure, (0, 1], default 1</td></tr>
 *   <tr><td>{@code requests_per_hour}</td><td></td><td>read and not used: the C++ FMI spread the infrastructure's hourly price over
 *       this many operations; here a job pays for the time it holds it ({@link ChannelModel#infrastructureUsd})</td></tr>
 *   <tr><td>{@code include_infrastructure_costs}</td><td>{@code include_infrastructure_costs}</td><td>whether to charge it</td></tr>
 *   <tr><td>backend's {@code timeout} (ms)</td><td>{@code min_poll_interval_s}</td><td>shortest poll interval</td></tr>
 *   <tr><td></td><td>{@code max_poll_interval_s}, {@code poll_interval_s}</td><td>longest / fixed poll interval</td></tr>
 *   <tr><td></td><td>{@code family} ({@code "peer_to_peer"}, {@code "mediated"}), {@code polling}</td><td>for channels whose provider does not state them</td></tr>
 * </table>
 * {@code "FaaS": {"gib_second_price": ...}} is USD per GiB-second in both worlds.
 *
 * <p>The C++ FMI reads {@code timeout} as the fixed time between two polls; here the
 * {@link PollIntervalModel} chooses the interval and {@code timeout} is its floor.
 *
 * <p>FaaS default: AWS Lambda x86, USD 0.0000166667 per GB-second
 * (https://aws.amazon.com/lambda/pricing/, as of 2025). The channels' defaults and their sources
 * are in their providers and in {@code docs/models.md}.
 *
 * <p>Stateless and thread-safe.
 */
public final class ModelConfig {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ModelConfig.class);
    /** Lambda x86 price per GiB-second, USD (AWS Lambda pricing, first pricing tier; C++ FMI default). */
    public static final double DEFAULT_GIB_SECOND_PRICE_USD = 0.0000166667;

    private static final double MB = 1e6;
    private static final double GB = 1e9;
    private static final double MS = 1e-3;

    private ModelConfig() {
    }

    /** USD per GiB-second of the functions: {@code model.FaaS.gib_second_price}, else the Lambda default. */
    public static double gibSecondPriceUsd(FmiConfig config) {
        JsonNode faas = find(config.model(), "FaaS");
        double v = faas == null ? DEFAULT_GIB_SECOND_PRICE_USD : number(faas, "FaaS", "gib_second_price", DEFAULT_GIB_SECOND_PRICE_USD);
        if (v < 0) {
            throw new FmiConfigException("model.FaaS.gib_second_price: " + v + " (expected: >= 0 USD per GiB-second)");
        }
        return v;
    }

    /**
     * The model of {@code backend}: {@code defaults} (its provider's default model, or null when
     * it has none) overlaid with its {@code "model"} entry (matched case-insensitively) and, for a
     * channel that polls, its backend entry's {@code timeout} as the poll floor. Empty when there
     * are neither defaults nor an entry. Without defaults, a key the entry does not give takes
     * {@link ChannelModel#builder}'s value (no overhead, unbounded bandwidth, free) and the family
     * is the entry's {@code family}, else mediated.
     *
     * @throws FmiConfigException if an entry holds a value of the wrong type or range
     */
    public static Optional<ChannelModel> channel(FmiConfig config, String backend, ChannelModel defaults) {
        JsonNode entry = find(config.model(), backend);
        if (entry != null && !entry.isObject()) {
            throw new FmiConfigException("model." + backend + ": " + entry.getNodeType() + " (expected: an object)");
        }
        if (defaults == null && entry == null) {
            return Optional.empty();
        }
        String name = defaults != null ? defaults.name() : config.backend(backend).map(BackendConfig::name).orElse(backend);
        Family family = defaults != null ? defaults.family() : Family.MEDIATED;
        if (entry != null && entry.has("family")) {
            String f = entry.get("family").asText();
            if (f.equalsIgnoreCase("peer_to_peer") || f.equalsIgnoreCase("p2p")) {
                family = Family.PEER_TO_PEER;
            } else if (f.equalsIgnoreCase("mediated")) {
                family = Family.MEDIATED;
            } else {
                throw new FmiConfigException("model." + backend + ".family: '" + f + "' (expected: peer_to_peer or mediated)");
            }
        }
        ChannelModel.Builder b = defaults != null ? defaults.toBuilder(name, family) : ChannelModel.builder(name, family);
        try {
            BackendConfig be = config.backend(backend).orElse(null);
            if (be != null && be.has("timeout") && defaults != null && defaults.polling()) {
                b.minPollIntervalSeconds(be.number("timeout", 0) * MS);
            }
            if (entry != null) {
                apply(b, entry, backend);
            }
            return Optional.of(b.build());
        } catch (IllegalArgumentException e) {
            throw new FmiConfigException(e.getMessage(), e);
        }
    }

    private static void apply(ChannelModel.Builder b, JsonNode e, String ch) {
        // C++ keys first, in the C++ units; SI keys after, so they win.
        if (e.has("overhead")) {
            b.overheadSeconds(number(e, ch, "overhead", 0) * MS);
        }
        if (e.has("bandwidth")) {
            b.bandwidthSingleBytesPerSec(number(e, ch, "bandwidth", 0) * MB);
        }
        if (e.has("bandwidth_single")) {
            b.bandwidthSingleBytesPerSec(number(e, ch, "bandwidth_single", 0) * MB);
        }
        if (e.has("bandwidth_multiple")) {
            b.bandwidthMultipleBytesPerSec(number(e, ch, "bandwidth_multiple", 0) * MB);
        }
        if (e.has("upload_price")) {
            b.writePriceUsd(number(e, ch, "upload_price", 0));
        }
        if (e.has("download_price")) {
            b.readPriceUsd(number(e, ch, "download_price", 0));
        }
        if (e.has("transfer_price")) {
            b.transferPriceUsdPerByte(number(e, ch, "transfer_price", 0) / GB);
        }
        if (e.has("instance_price")) {
            b.infrastructureUsdPerHour(number(e, ch, "instance_price", 0));
        }
        if (e.has("vm_price")) {
            b.infrastructureUsdPerHour(number(e, ch, "vm_price", 0));
        }
        if (e.has("requests_per_hour")) {
            // The C++ FMI charged each operation price/requests_per_hour; with its 1,000 operations an
            // hour, the VM hour dominated every price. Infrastructure is priced by the time held now.
            log.debug("model.{}.requests_per_hour = {} is not used: infrastructure is priced by the time a job holds it"
                    + " (infrastructure_utilisation: {})", ch, e.get("requests_per_hour").asText(),
                    e.has("infrastructure_utilisation") ? e.get("infrastructure_utilisation").asText() : "default 1");
        }
        if (e.has("include_infrastructure_costs")) {
            b.includeInfrastructure(bool(e, ch, "include_infrastructure_costs"));
        }
        if (e.has("polling")) {
            b.polling(bool(e, ch, "polling"));
        }
        siDouble(e, ch, "overhead_s", b::overheadSeconds);
        siDouble(e, ch, "bandwidth_bytes_per_s", b::bandwidthSingleBytesPerSec);
        siDouble(e, ch, "bandwidth_multiple_bytes_per_s", b::bandwidthMultipleBytesPerSec);
        siDouble(e, ch, "write_price_usd", b::writePriceUsd);
        siDouble(e, ch, "read_price_usd", b::readPriceUsd);
        siDouble(e, ch, "transfer_price_usd_per_byte", b::transferPriceUsdPerByte);
        siDouble(e, ch, "infrastructure_usd_per_hour", b::infrastructureUsdPerHour);
        siDouble(e, ch, "infrastructure_utilisation", b::infrastructureUtilisation);
        siDouble(e, ch, "min_poll_interval_s", b::minPollIntervalSeconds);
        siDouble(e, ch, "max_poll_interval_s", b::maxPollIntervalSeconds);
        siDouble(e, ch, "poll_interval_s", b::pollIntervalSeconds);
        if (e.has("write_unit_bytes")) {
            b.writeUnitBytes((long) number(e, ch, "write_unit_bytes", 0));
        }
        if (e.has("read_unit_bytes")) {
            b.readUnitBytes((long) number(e, ch, "read_unit_bytes", 0));
        }
    }

    private static void siDouble(JsonNode e, String ch, String key, java.util.function.DoubleConsumer set) {
        if (e.has(key)) {
            set.accept(number(e, ch, key, 0));
        }
    }

    private static double number(JsonNode e, String ch, String key, double dflt) {
        JsonNode n = e.get(key);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (n.isNumber()) {
            return n.asDouble();
        }
        // The C++ FMI reads every model value as a string; accept numeric strings too.
        if (n.isTextual()) {
            try {
                return Double.parseDouble(n.asText().trim());
            } catch (NumberFormatException ignored) {
                // fall through to the error
            }
        }
        throw new FmiConfigException("model." + ch + "." + key + ": '" + n.asText() + "' (expected: a number)");
    }

    private static boolean bool(JsonNode e, String ch, String key) {
        JsonNode n = e.get(key);
        if (n.isBoolean()) {
            return n.asBoolean();
        }
        if (n.isTextual() && (n.asText().equalsIgnoreCase("true") || n.asText().equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(n.asText());
        }
        throw new FmiConfigException("model." + ch + "." + key + ": '" + n.asText() + "' (expected: true or false)");
    }

    private static JsonNode find(ObjectNode model, String name) {
        JsonNode exact = model.get(name);
        if (exact != null) {
            return exact.isNull() ? null : exact;
        }
        Iterator<Map.Entry<String, JsonNode>> it = model.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().equalsIgnoreCase(name) && !f.getValue().isNull()) {
                return f.getValue();
            }
        }
        return null;
    }

    /**
     * The model entry for {@code fmi.json} of a channel, in the C++ FMI's keys and units
     * ({@code overhead} in ms, bandwidths in MB/s) so both implementations read it; what the
     * calibration writes.
     */
    public static ObjectNode toJson(ChannelModel m) {
        ObjectNode o = FmiConfig.newObject();
        o.put("overhead", round(m.overheadSeconds() / MS));
        o.put("bandwidth", round(m.bandwidthSingleBytesPerSec() / MB));
        o.put("bandwidth_single", round(m.bandwidthSingleBytesPerSec() / MB));
        if (!Double.isInfinite(m.bandwidthMultipleBytesPerSec())) {
            o.put("bandwidth_multiple", round(m.bandwidthMultipleBytesPerSec() / MB));
        }
        return o;
    }

    private static double round(double v) {
        if (v == 0 || Double.isInfinite(v) || Double.isNaN(v)) {
            return v;
        }
        double scale = StrictMath.pow(10, 4 - (int) StrictMath.floor(StrictMath.log10(Math.abs(v))));
        return Math.round(v * scale) / scale;
    }
}
