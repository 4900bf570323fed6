package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fmi.channel.ChannelProvider;
import io.netty.util.Version;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** With fmi-channels, every provider is offered and all Netty jars report one version at run time. */
class AllChannelsTest {
    @Test
    void shouldOfferEveryChannelOnOneNettyVersion() {
        Set<String> backends = new TreeSet<>();
        ServiceLoader.load(ChannelProvider.class).forEach(p -> backends.add(p.backend()));
        assertEquals(Set.of("Direct", "DynamoDB", "Local", "LocalStore", "Redis", "S3"), backends);
        Set<String> versions = new TreeSet<>();
        for (Map.Entry<String, Version> e : Version.identify().entrySet()) {
            versions.add(e.getValue().artifactVersion());
        }
        assertEquals(1, versions.size(), "Netty artifact versions at run time: " + Version.identify());
    }
}
