package io.fmi.channel;

import io.fmi.FmiConfig;
import io.fmi.FmiConfigException;
import io.fmi.model.ChannelModel;
import io.fmi.model.ModelConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The channel providers a program can use: those found by {@link ServiceLoader} in
 * {@code META-INF/services/io.fmi.channel.ChannelProvider}, and those it passes in. A channel whose
 * jar is absent is simply not here; a provider whose class cannot be loaded (typically a missing
 * dependency jar) is left out and {@link #failures() recorded}, so one broken jar does not take the
 * other channels down with it.
 *
 * <pre>
 * ChannelProviders installed = ChannelProviders.installed();
 * Map&lt;String, ChannelModel&gt; models = installed.models(config);   // every channel's model, in tie-break order
 * installed.failures().forEach(f -&gt; log.warn("skipped {}", f));
 * </pre>
 *
 * <p>Providers are kept in the selector's tie-break order: by {@link ChannelProvider#tieBreakRank()},
 * then by backend name in lower case, so that the order is the same on every peer whatever the
 * order of the class path. At most one provider per backend (case-insensitive). Immutable and
 * thread-safe.
 */
public final class ChannelProviders {
    /** The tie-break order: rank, then backend name in lower case. */
    public static final Comparator<ChannelProvider> TIE_BREAK_ORDER = Comparator
            .comparingInt(ChannelProvider::tieBreakRank)
            .thenComparing(p -> p.backend().toLowerCase(Locale.ROOT));

    private final List<ChannelProvider> providers;
    private final List<Failure> failures;

    private ChannelProviders(Collection<ChannelProvider> providers, List<Failure> failures) {
        List<ChannelProvider> sorted = new ArrayList<>(providers);
        sorted.sort(TIE_BREAK_ORDER);
        this.providers = List.copyOf(sorted);
        this.failures = List.copyOf(failures);
    }

    /**
     * A provider that could not be loaded.
     *
     * @param description the provider's class as {@link ServiceLoader} names it and the root cause, e.g.
     *                    {@code "com.example.MyProvider Unable to get public no-arg constructor (java.lang.ClassNotFoundException: com.example.Client)"}
     * @param cause       the error {@link ServiceLoader} threw
     */
    public record Failure(String description, Throwable cause) {
        /** Checks that both are given. */
        public Failure {
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(cause, "cause");
        }

        @Override
        public String toString() {
            return description;
        }
    }

    /** The providers on the class path of fmi-core, found by {@link ServiceLoader}. */
    public static ChannelProviders installed() {
        return load(ChannelProviders.class.getClassLoader());
    }

    /**
     * The providers {@code loader} finds by {@link ServiceLoader}; for the same backend, the first
     * found wins. A provider that cannot be loaded or instantiated is skipped and recorded in
     * {@link #failures()}.
     */
    public static ChannelProviders load(ClassLoader loader) {
        Map<String, ChannelProvider> byBackend = new LinkedHashMap<>();
        List<Failure> failures = new ArrayList<>();
        Iterator<ChannelProvider> it = ServiceLoader.load(ChannelProvider.class, loader).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                ChannelProvider p = it.next();
                byBackend.putIfAbsent(p.backend().toLowerCase(Locale.ROOT), p);
            } catch (ServiceConfigurationError | LinkageError e) {
                // ServiceLoader reports a provider that fails to load or instantiate and goes on
                // with the next one; a class that fails to link while it is looked up surfaces
                // as a LinkageError from hasNext(), after the loader has moved past its name.
                failures.add(new Failure(describe(e), e));
            }
        }
        return new ChannelProviders(byBackend.values(), failures);
    }

    /** Exactly {@code providers}; for the same backend, the last one wins. */
    public static ChannelProviders of(Collection<? extends ChannelProvider> providers) {
        return new ChannelProviders(List.of(), List.of()).with(providers);
    }

    /**
     * These providers with {@code explicit} added; one of {@code explicit} replaces a provider of
     * the same backend (the builder's {@code channelProvider(...)} takes precedence).
     */
    public ChannelProviders with(Collection<? extends ChannelProvider> explicit) {
        Map<String, ChannelProvider> byBackend = new LinkedHashMap<>();
        providers.forEach(p -> byBackend.put(p.backend().toLowerCase(Locale.ROOT), p));
        explicit.forEach(p -> byBackend.put(Objects.requireNonNull(p, "provider").backend().toLowerCase(Locale.ROOT), p));
        return new ChannelProviders(byBackend.values(), failures);
    }

    /** The providers in tie-break order. */
    public List<ChannelProvider> list() {
        return providers;
    }

    /** The provider of {@code backend} (case-insensitive), if there is one. */
    public Optional<ChannelProvider> find(String backend) {
        for (ChannelProvider p : providers) {
            if (p.backend().equalsIgnoreCase(backend)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The providers that {@link #load} found listed but could not load, in the order met. */
    public List<Failure> failures() {
        return failures;
    }

    /**
     * The model of every provider's channel by backend name, in tie-break order: the provider's
     * {@link ChannelProvider#defaultModel() default model} overlaid with the {@code "model"}
     * section of {@code config} ({@link ModelConfig#channel(FmiConfig, String, ChannelModel)}).
     *
     * @throws FmiConfigException if the section holds a bad value, or a provider returns no model
     */
    public Map<String, ChannelModel> models(FmiConfig config) {
        Map<String, ChannelModel> out = new LinkedHashMap<>();
        for (ChannelProvider p : providers) {
            out.put(p.backend(), model(config, p));
        }
        return out;
    }

    /**
     * The model of {@code backend}: its provider's, as {@link #model(FmiConfig, ChannelProvider)}
     * gives it, or, for a backend without a provider here, what its {@code "model"} entry alone
     * describes ({@link ModelConfig#channel(FmiConfig, String, ChannelModel)}); empty if neither.
     *
     * @throws FmiConfigException if the section holds a bad value, or the provider returns no model
     */
    public Optional<ChannelModel> model(FmiConfig config, String backend) {
        Optional<ChannelProvider> p = find(backend);
        return p.isPresent() ? Optional.of(model(config, p.get())) : ModelConfig.channel(config, backend, null);
    }

    /**
     * The model of {@code provider}'s channel: its default model overlaid with the
     * {@code "model"} section of {@code config}.
     *
     * @throws FmiConfigException if the section holds a bad value, or the provider returns no model
     */
    public static ChannelModel model(FmiConfig config, ChannelProvider provider) {
        ChannelModel defaults = provider.defaultModel();
        if (defaults == null) {
            throw new FmiConfigException("channel provider " + provider.getClass().getName() + " of backend '"
                    + provider.backend() + "': defaultModel() returned null (expected: a model; the interface's default will do)");
        }
        return ModelConfig.channel(config, provider.backend(), defaults).orElseThrow();
    }

    private static String describe(Throwable e) {
        String what = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
        String prefix = ChannelProvider.class.getName() + ": ";
        if (what.startsWith(prefix)) {
            what = what.substring(prefix.length());
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? (e instanceof LinkageError ? e.toString() : what) : what + " (" + root + ")";
    }

    @Override
    public String toString() {
        List<String> names = new ArrayList<>();
        providers.forEach(p -> names.add(p.backend()));
        return "ChannelProviders" + names + (failures.isEmpty() ? "" : " failed: " + failures);
    }
}
