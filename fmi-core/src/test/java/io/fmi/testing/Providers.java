package io.fmi.testing;

import io.fmi.channel.Channel;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.ChannelProvider;
import java.util.function.Function;

/** Channel providers made on the spot, for tests that need one with a given name or rank. */
public final class Providers {
    private Providers() {
    }

    /** A provider of {@code backend} that states nothing but its name: family, model and rank are the interface's defaults. */
    public static ChannelProvider plain(String backend, Function<ChannelContext, Channel> create) {
        return new Made(backend, null, create);
    }

    /** A provider of {@code backend} that states its tie-break rank and nothing else. */
    public static ChannelProvider ranked(String backend, int rank, Function<ChannelContext, Channel> create) {
        return new Made(backend, rank, create);
    }

    private static final class Made implements ChannelProvider {
        private final String backend;
        /** Null: the interface's default. */
        private final Integer rank;
        private final Function<ChannelContext, Channel> create;

        Made(String backend, Integer rank, Function<ChannelContext, Channel> create) {
            this.backend = backend;
            this.rank = rank;
            this.create = create;
        }

        @Override
        public String backend() {
            return backend;
        }

        @Override
        public int tieBreakRank() {
            return rank == null ? ChannelProvider.super.tieBreakRank() : rank;
        }

        @Override
        public Channel create(ChannelContext context) {
            return create.apply(context);
        }
    }
}
