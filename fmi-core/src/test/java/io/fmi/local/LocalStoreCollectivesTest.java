package io.fmi.local;

import io.fmi.FmiConfig;
import io.fmi.testing.CollectiveContract;

/** The collective contract over the in-memory store with atomic counters: the mediated algorithms. */
class LocalStoreCollectivesTest extends CollectiveContract {
    @Override
    protected FmiConfig config() {
        return FmiConfig.defaults().withOnly("LocalStore");
    }

    @Override
    protected String expectedChannel() {
        return "local-store";
    }
}
