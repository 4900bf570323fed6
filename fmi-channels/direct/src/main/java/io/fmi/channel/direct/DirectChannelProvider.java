package io.fmi.channel.direct;

import io.fmi.channel.Channel;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.ChannelProvider;
import io.fmi.model.ChannelModel;
import io.fmi.model.Family;
import java.util.function.Consumer;

/**
 * Backend {@code "Direct"}: TCP between peers through NAT hole punching ({@link DirectChannel}),
 * configured by the {@code "Direct"} entry of {@code fmi.json} ({@link DirectOptions}). Found by
 * {@link java.util.ServiceLoader}. Stateless and thread-safe; {@link #create} does no network I/O.
 */
public final class DirectChannelProvider implements ChannelProvider {
    /** The backend name in {@code fmi.json}: {@value}. */
    public static final String BACKEND = "Direct";

    private final Consumer<DirectChannel> onCreate;

    /** The provider {@link java.util.ServiceLoader} instantiates. */
    public DirectChannelProvider() {
        this(c -> { });
    }

    /** For tests: sees every channel this provider creates. */
    DirectChannelProvider(Consumer<DirectChannel> onCreate) {
        this.onCreate = onCreate;
    }

    @Override
    public String backend() {
        return BACKEND;
    }

    @Override
    public Family family() {
        return Family.PEER_TO_PEER;
    }

    /**
     * The C++ FMI's Direct model: 0.34 ms per message, 400 MB/s, which does not grow with the
     * number of peers (one NIC), plus the rendezvous VM's share.
     */
    @Override
    public ChannelModel defaultModel() {
        // C++ FMI: bandwidth 400 MB/s, overhead 0.34 ms; the rendezvous VM is a t2.micro,
        // USD 0.0134/h in eu-central-1 (EC2 on-demand), shared by 1000 operations an hour.
        // The C++ Direct model does not grow the bandwidth with the number of peers: one NIC.
        // ms and MB/s scaled as ModelConfig scales the C++ keys, so the same figures in a
        // "model" entry give a bit-identical model.
        return ChannelModel.builder(BACKEND, family())
                .overheadSeconds(0.34 * 1e-3)
                .bandwidthSingleBytesPerSec(400 * 1e6)
                .bandwidthMultipleBytesPerSec(400 * 1e6)
                .infrastructureUsdPerHour(0.0134)
                .requestsPerHour(1000)
                .build();
    }

    /** 20: after the in-memory channels, before every store. */
    @Override
    public int tieBreakRank() {
        return 20;
    }

    /**
     * {@inheritDoc} Here: enabled, with a rendezvous server on this host's port 10000, as the C++ FMI's shipped file.
     */
    @Override
    public String defaultBackendJson() {
        return "{\"enabled\": true, \"host\": \"127.0.0.1\", \"port\": 10000, \"max_timeout\": 60000}";
    }

    @Override
    public Channel create(ChannelContext context) {
        DirectChannel c = new DirectChannel(context, DirectOptions.from(context.backend()));
        onCreate.accept(c);
        return c;
    }
}
