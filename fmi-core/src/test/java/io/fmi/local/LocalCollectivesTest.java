package io.fmi.local;

import io.fmi.FmiConfig;
import io.fmi.testing.CollectiveContract;

/** The collective contract over the in-memory peer-to-peer channel: the peer-to-peer algorithms. */
class LocalCollectivesTest extends CollectiveContract {
    @Override
    protected FmiConfig config() {
        return FmiConfig.defaults().withOnly("Local");
    }

    @Override
    protected String expectedChannel() {
        return "local";
    }
}
