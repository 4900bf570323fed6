package io.fmi.local;

import io.fmi.FmiConfig;
import io.fmi.testing.CollectiveContract;

/** The mediated algorithms on a store without atomic counters (as S3): barriers by arrival objects. */
class LocalStoreWithoutCountersCollectivesTest extends CollectiveContract {
    @Override
    protected FmiConfig config() {
        return FmiConfig.defaults().withOnly("LocalStore")
                .withBackend("LocalStore", FmiConfig.newObject().put("enabled", true).put("counters", false));
    }

    @Override
    protected String expectedChannel() {
        return "local-store";
    }

    @Override
    protected int[] peerCounts() {
        return new int[] {1, 2, 3, 5, 8};
    }
}
