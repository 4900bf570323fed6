package io.fmi.model;

import java.util.Locale;
import java.util.Objects;

/**
 * Performance and price of one channel, in SI units: seconds, bytes, bytes per second, USD.
 *
 * <h2>Latency</h2>
 * For a {@link TransferPattern} with {@code p} producers and {@code c} consumers sending
 * {@code b} bytes each, the FMI paper's form (Copik et al., ICS 2023, section 4):
 * <pre>
 *   latencySeconds = log2(p + c) · (overheadSeconds + Δ/2) + p · c · b / aggregateBandwidth(p, c)
 *   aggregateBandwidth(p, c) = min(p · c · bandwidthSingleBytesPerSec, bandwidthMultipleBytesPerSec)
 * </pre>
 * where {@code Δ} is the poll interval of a store that is polled (an object store or a table
 * that cannot block for a reader; on average a reader finds an object half an interval after it
 * landed) and 0 for channels that push or block on the server for us.
 * {@code bandwidthMultipleBytesPerSec} caps what the channel moves in total: one server node, one
 * NIC; it is infinite for a store that scales out.
 *
 * <h2>Price of the requests and bytes</h2>
 * <pre>
 *   requestUsd  = writes · writeUnits(b) · writePriceUsd
 *               + (reads · readUnits(b) + emptyPolls) · readPriceUsd
 *   emptyPolls  = c · waitSeconds / Δ       (each consumer polls while the producer's put is under way)
 *   transferUsd = (bytes written + bytes read) · transferPriceUsdPerByte
 * </pre>
 * A unit size of 0 means the price is per request whatever its size (an object store's PUT and
 * GET); a table may bill a write unit per started KiB and a read unit per started 4 KiB.
 * Infrastructure that serves jobs (a server node, a rendezvous VM) is priced by the time a job
 * holds it:
 * <pre>
 *   infrastructureUsd(holdSeconds) = infrastructureUsdPerHour · holdSeconds / 3600 / infrastructureUtilisation
 * </pre>
 * where {@code infrastructureUtilisation} is the share of the infrastructure's running hours that
 * jobs hold it: 1 (the default) when it runs only for jobs, or is always busy with them; 0.1 when
 * it idles nine tenths of the time, which its users then pay for too. An operation holds it for
 * its own duration, a job for the job's ({@link CostModel#job}). The FaaS time of the waiting
 * functions is added by {@link CostModel}, which knows how many functions wait and their memory.
 *
 * <p>Immutable and thread-safe. Arithmetic uses {@link StrictMath}, so every peer computes
 * bit-identical figures whatever its CPU, and therefore picks the same channel.
 */
public final class ChannelModel {
    private final String name;
    private final Family family;
    private final double overheadSeconds;
    private final double bandwidthSingleBytesPerSec;
    private final double bandwidthMultipleBytesPerSec;
    private final boolean polling;
    private final double pollIntervalSeconds;
    private final double minPollIntervalSeconds;
    private final double maxPollIntervalSeconds;
    private final double writePriceUsd;
    private final long writeUnitBytes;
    private final double readPriceUsd;
    private final long readUnitBytes;
    private final double transferPriceUsdPerByte;
    private final double infrastructureUsdPerHour;
    private final double infrastructureUtilisation;
    private final boolean includeInfrastructure;

    private ChannelModel(Builder b) {
        this.name = b.name;
        this.family = b.family;
        this.overheadSeconds = b.overheadSeconds;
        this.bandwidthSingleBytesPerSec = b.bandwidthSingleBytesPerSec;
        this.bandwidthMultipleBytesPerSec = b.bandwidthMultipleBytesPerSec;
        this.polling = b.polling;
        this.pollIntervalSeconds = b.pollIntervalSeconds;
        this.minPollIntervalSeconds = b.minPollIntervalSeconds;
        this.maxPollIntervalSeconds = b.maxPollIntervalSeconds;
        this.writePriceUsd = b.writePriceUsd;
        this.writeUnitBytes = b.writeUnitBytes;
        this.readPriceUsd = b.readPriceUsd;
        this.readUnitBytes = b.readUnitBytes;
        this.transferPriceUsdPerByte = b.transferPriceUsdPerByte;
        this.infrastructureUsdPerHour = b.infrastructureUsdPerHour;
        this.infrastructureUtilisation = b.infrastructureUtilisation;
        this.includeInfrastructure = b.includeInfrastructure;
    }

    /** A builder for channel {@code name} of {@code family}: zero overhead, infinite bandwidth, free, until set. */
    public static Builder builder(String name, Family family) {
        return new Builder(name, family);
    }

    /** A builder holding this model's values. */
    public Builder toBuilder() {
        return toBuilder(name, family);
    }

    /** A builder holding this model's values under another name and family. */
    Builder toBuilder(String name, Family family) {
        Builder b = new Builder(name, family);
        b.overheadSeconds = overheadSeconds;
        b.bandwidthSingleBytesPerSec = bandwidthSingleBytesPerSec;
        b.bandwidthMultipleBytesPerSec = bandwidthMultipleBytesPerSec;
        b.polling = polling;
        b.pollIntervalSeconds = pollIntervalSeconds;
        b.minPollIntervalSeconds = minPollIntervalSeconds;
        b.maxPollIntervalSeconds = maxPollIntervalSeconds;
        b.writePriceUsd = writePriceUsd;
        b.writeUnitBytes = writeUnitBytes;
        b.readPriceUsd = readPriceUsd;
        b.readUnitBytes = readUnitBytes;
        b.transferPriceUsdPerByte = transferPriceUsdPerByte;
        b.infrastructureUsdPerHour = infrastructureUsdPerHour;
        b.infrastructureUtilisation = infrastructureUtilisation;
        b.includeInfrastructure = includeInfrastructure;
        return b;
    }

    // ------------------------------------------------------------------ performance

    /** {@code min(p·c·bandwidthSingle, bandwidthMultiple)}, bytes per second. */
    public double aggregateBandwidthBytesPerSec(int producers, int consumers) {
        return Math.min((double) producers * consumers * bandwidthSingleBytesPerSec, bandwidthMultipleBytesPerSec);
    }

    /**
     * Latency of {@code pattern} with poll interval {@code pollIntervalSeconds} (ignored unless the
     * channel {@link #polling() polls}), in seconds.
     */
    public double latencySeconds(TransferPattern pattern, double pollIntervalSeconds) {
        double perHop = overheadSeconds + (polling ? pollIntervalSeconds / 2 : 0);
        return log2(pattern.producers() + pattern.consumers()) * perHop + transmissionSeconds(pattern);
    }

    /** Latency of {@code pattern} at the shortest poll interval this channel allows, in seconds. */
    public double latencySeconds(TransferPattern pattern) {
        return latencySeconds(pattern, fixedOrMinPollIntervalSeconds());
    }

    /** The bandwidth term alone: {@code p·c·bytes / aggregateBandwidth(p, c)}, in seconds. */
    public double transmissionSeconds(TransferPattern pattern) {
        double delivered = pattern.bytesDelivered();
        return delivered == 0 ? 0 : delivered / aggregateBandwidthBytesPerSec(pattern.producers(), pattern.consumers());
    }

    /** Time for one producer to put one message of {@code bytes} bytes: what a polling reader waits for, in seconds. */
    public double putSeconds(long bytes) {
        return overheadSeconds + (bytes == 0 ? 0 : bytes / bandwidthSingleBytesPerSec);
    }

    // ------------------------------------------------------------------ price

    /** Reads that find nothing while consumers wait for the producers' puts, for interval {@code pollIntervalSeconds}. */
    public double expectedEmptyPolls(TransferPattern pattern, double pollIntervalSeconds) {
        if (!polling || pollIntervalSeconds <= 0) {
            return 0;
        }
        return pattern.consumers() * putSeconds(pattern.bytes()) / pollIntervalSeconds;
    }

    /** Request fees of {@code pattern} (writes, reads and empty polls), in USD. */
    public double requestPriceUsd(TransferPattern pattern, double pollIntervalSeconds) {
        double writes = pattern.writes() * units(pattern.bytes(), writeUnitBytes) * writePriceUsd;
        double reads = (pattern.reads() * units(pattern.bytes(), readUnitBytes)
                + expectedEmptyPolls(pattern, pollIntervalSeconds)) * readPriceUsd;
        return writes + reads;
    }

    /** Data transfer fees of {@code pattern}: bytes written plus bytes read, in USD. */
    public double transferPriceUsd(TransferPattern pattern) {
        return transferPriceUsdPerByte == 0 ? 0 : (pattern.bytesWritten() + pattern.bytesDelivered()) * transferPriceUsdPerByte;
    }

    /** Requests and transfer of {@code pattern}, without infrastructure and FaaS time, in USD. */
    public double priceUsd(TransferPattern pattern, double pollIntervalSeconds) {
        return requestPriceUsd(pattern, pollIntervalSeconds) + transferPriceUsd(pattern);
    }

    /**
     * Price of holding the infrastructure for {@code holdSeconds}:
     * {@code USD per hour · holdSeconds / 3600 / utilisation}; 0 when it is not charged.
     */
    public double infrastructureUsd(double holdSeconds) {
        return includeInfrastructure && infrastructureUsdPerHour > 0 && holdSeconds > 0
                ? infrastructureUsdPerHour * holdSeconds / 3600 / infrastructureUtilisation : 0;
    }

    private static double units(long bytes, long unitBytes) {
        return unitBytes <= 0 ? 1 : Math.max(1, (bytes + unitBytes - 1) / unitBytes);
    }

    static double log2(int x) {
        return StrictMath.log(x) / StrictMath.log(2);
    }

    // ------------------------------------------------------------------ accessors

    /** The channel's name, as its backend is called in {@code fmi.json}, e.g. {@code "LocalStore"}. */
    public String name() {
        return name;
    }

    /** The family whose algorithms the channel runs: what {@link OperationModel} plans for it. */
    public Family family() {
        return family;
    }

    /** Fixed cost of one hop (a request round trip, a connection's per-message cost), seconds. */
    public double overheadSeconds() {
        return overheadSeconds;
    }

    /** Bandwidth between one producer and one consumer, bytes per second. */
    public double bandwidthSingleBytesPerSec() {
        return bandwidthSingleBytesPerSec;
    }

    /** Cap on the channel's aggregate bandwidth, bytes per second; infinite when it scales out. */
    public double bandwidthMultipleBytesPerSec() {
        return bandwidthMultipleBytesPerSec;
    }

    /** Whether readers poll for objects (a store that cannot block for them), so that the poll interval matters. */
    public boolean polling() {
        return polling;
    }

    /** A poll interval fixed by configuration, seconds; NaN when the {@link PollIntervalModel} chooses. */
    public double pollIntervalSeconds() {
        return pollIntervalSeconds;
    }

    /** Shortest poll interval, seconds: the floor of the {@link PollIntervalModel}'s choice. */
    public double minPollIntervalSeconds() {
        return minPollIntervalSeconds;
    }

    /** Longest poll interval, seconds: the ceiling of the {@link PollIntervalModel}'s choice. */
    public double maxPollIntervalSeconds() {
        return maxPollIntervalSeconds;
    }

    double fixedOrMinPollIntervalSeconds() {
        return Double.isNaN(pollIntervalSeconds) ? minPollIntervalSeconds : pollIntervalSeconds;
    }

    /** Price of one write request unit (an object store's PUT, a table's write request unit), USD. */
    public double writePriceUsd() {
        return writePriceUsd;
    }

    /** Bytes covered by one write unit; 0 when a request costs the same whatever its size. */
    public long writeUnitBytes() {
        return writeUnitBytes;
    }

    /** Price of one read request unit (an object store's GET, a table's read request unit); an empty poll costs one, USD. */
    public double readPriceUsd() {
        return readPriceUsd;
    }

    /** Bytes covered by one read unit; 0 when a request costs the same whatever its size. */
    public long readUnitBytes() {
        return readUnitBytes;
    }

    /** Price of data transfer, USD per byte written or read. */
    public double transferPriceUsdPerByte() {
        return transferPriceUsdPerByte;
    }

    /** Price of the always-on infrastructure (a server node, a rendezvous VM), USD per hour. */
    public double infrastructureUsdPerHour() {
        return infrastructureUsdPerHour;
    }

    /** Share of the infrastructure's running hours that jobs hold it, in (0, 1]: what a job pays on top of its own hours. */
    public double infrastructureUtilisation() {
        return infrastructureUtilisation;
    }

    /** Whether the infrastructure's share is charged to each operation. */
    public boolean includeInfrastructure() {
        return includeInfrastructure;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelModel && toString().equals(o.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s[%s overhead=%.6gs bw=%.6g/%.6gB/s poll=%s%.3g..%.3gs write=%.4g$/%dB read=%.4g$/%dB"
                        + " transfer=%.4g$/B infra=%.4g$/h@%.3g%s]",
                name, family, overheadSeconds, bandwidthSingleBytesPerSec, bandwidthMultipleBytesPerSec,
                polling ? (Double.isNaN(pollIntervalSeconds) ? "model " : "fixed " + pollIntervalSeconds + " ") : "none ",
                minPollIntervalSeconds, maxPollIntervalSeconds, writePriceUsd, writeUnitBytes, readPriceUsd, readUnitBytes,
                transferPriceUsdPerByte, infrastructureUsdPerHour, infrastructureUtilisation, includeInfrastructure ? "" : " excluded");
    }

    /** Builds a {@link ChannelModel}; every figure in SI units. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private final Family family;
        private double overheadSeconds;
        private double bandwidthSingleBytesPerSec = Double.POSITIVE_INFINITY;
        private double bandwidthMultipleBytesPerSec = Double.POSITIVE_INFINITY;
        private boolean polling;
        private double pollIntervalSeconds = Double.NaN;
        private double minPollIntervalSeconds = PollIntervalModel.DEFAULT_MIN_SECONDS;
        private double maxPollIntervalSeconds = PollIntervalModel.DEFAULT_MAX_SECONDS;
        private double writePriceUsd;
        private long writeUnitBytes;
        private double readPriceUsd;
        private long readUnitBytes;
        private double transferPriceUsdPerByte;
        private double infrastructureUsdPerHour;
        private double infrastructureUtilisation = 1;
        private boolean includeInfrastructure = true;

        private Builder(String name, Family family) {
            this.name = Objects.requireNonNull(name, "name");
            this.family = Objects.requireNonNull(family, "family");
        }

        /** Sets the fixed cost of one hop, seconds; default 0. */
        public Builder overheadSeconds(double v) {
            overheadSeconds = v;
            return this;
        }

        /** Sets the bandwidth between one producer and one consumer, bytes per second; default infinite. */
        public Builder bandwidthSingleBytesPerSec(double v) {
            bandwidthSingleBytesPerSec = v;
            return this;
        }

        /** Sets the cap on the aggregate bandwidth, bytes per second; default infinite (scales out). */
        public Builder bandwidthMultipleBytesPerSec(double v) {
            bandwidthMultipleBytesPerSec = v;
            return this;
        }

        /** Sets whether readers poll; default false. */
        public Builder polling(boolean v) {
            polling = v;
            return this;
        }

        /** Fixes the poll interval; NaN lets the {@link PollIntervalModel} choose. */
        public Builder pollIntervalSeconds(double v) {
            pollIntervalSeconds = v;
            return this;
        }

        /** Sets the shortest poll interval, seconds; default {@link PollIntervalModel#DEFAULT_MIN_SECONDS}. */
        public Builder minPollIntervalSeconds(double v) {
            minPollIntervalSeconds = v;
            return this;
        }

        /** Sets the longest poll interval, seconds; default {@link PollIntervalModel#DEFAULT_MAX_SECONDS}. */
        public Builder maxPollIntervalSeconds(double v) {
            maxPollIntervalSeconds = v;
            return this;
        }

        /** Sets the price of one write unit, USD; default 0. */
        public Builder writePriceUsd(double v) {
            writePriceUsd = v;
            return this;
        }

        /** Sets the bytes one write unit covers, 0 for per request; default 0. */
        public Builder writeUnitBytes(long v) {
            writeUnitBytes = v;
            return this;
        }

        /** Sets the price of one read unit, USD; default 0. */
        public Builder readPriceUsd(double v) {
            readPriceUsd = v;
            return this;
        }

        /** Sets the bytes one read unit covers, 0 for per request; default 0. */
        public Builder readUnitBytes(long v) {
            readUnitBytes = v;
            return this;
        }

        /** Sets the data transfer price, USD per byte; default 0. */
        public Builder transferPriceUsdPerByte(double v) {
            transferPriceUsdPerByte = v;
            return this;
        }

        /** Sets the price of the always-on infrastructure, USD per hour; default 0. */
        public Builder infrastructureUsdPerHour(double v) {
            infrastructureUsdPerHour = v;
            return this;
        }

        /**
         * Sets the share of the infrastructure's running hours that jobs hold it, in (0, 1];
         * default 1: each job pays for the time it holds it, and nothing else.
         */
        public Builder infrastructureUtilisation(double v) {
            infrastructureUtilisation = v;
            return this;
        }

        /** Sets whether the infrastructure's share is charged; default true. */
        public Builder includeInfrastructure(boolean v) {
            includeInfrastructure = v;
            return this;
        }

        /** Validates and builds. */
        public ChannelModel build() {
            check("overheadSeconds", overheadSeconds, overheadSeconds >= 0 && !Double.isInfinite(overheadSeconds), ">= 0, finite");
            check("bandwidthSingleBytesPerSec", bandwidthSingleBytesPerSec, bandwidthSingleBytesPerSec > 0, "> 0");
            check("bandwidthMultipleBytesPerSec", bandwidthMultipleBytesPerSec, bandwidthMultipleBytesPerSec > 0, "> 0");
            check("pollIntervalSeconds", pollIntervalSeconds, Double.isNaN(pollIntervalSeconds) || pollIntervalSeconds > 0, "> 0 or NaN");
            check("minPollIntervalSeconds", minPollIntervalSeconds, minPollIntervalSeconds > 0, "> 0");
            check("maxPollIntervalSeconds", maxPollIntervalSeconds, maxPollIntervalSeconds >= minPollIntervalSeconds,
                    ">= minPollIntervalSeconds = " + minPollIntervalSeconds);
            check("writePriceUsd", writePriceUsd, writePriceUsd >= 0, ">= 0");
            check("readPriceUsd", readPriceUsd, readPriceUsd >= 0, ">= 0");
            check("writeUnitBytes", writeUnitBytes, writeUnitBytes >= 0, ">= 0");
            check("readUnitBytes", readUnitBytes, readUnitBytes >= 0, ">= 0");
            check("transferPriceUsdPerByte", transferPriceUsdPerByte, transferPriceUsdPerByte >= 0, ">= 0");
            check("infrastructureUsdPerHour", infrastructureUsdPerHour, infrastructureUsdPerHour >= 0, ">= 0");
            check("infrastructureUtilisation", infrastructureUtilisation, infrastructureUtilisation > 0 && infrastructureUtilisation <= 1,
                    "> 0 and <= 1");
            return new ChannelModel(this);
        }

        private void check(String key, double value, boolean ok, String expected) {
            if (!ok) {
                throw new IllegalArgumentException("model " + name + "." + key + ": " + value + " (expected: " + expected + ")");
            }
        }
    }
}
