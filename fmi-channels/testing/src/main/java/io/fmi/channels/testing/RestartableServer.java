package io.fmi.channels.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A test server that can be stopped and started again at the same address, keeping its data, to
 * test how a channel rides out an outage.
 */
public interface RestartableServer extends AutoCloseable {
    /** A backend entry of {@code fmi.json} (enabled) that reaches this server. */
    ObjectNode backend();

    /** Stops the server; its data is kept for {@link #start()}. */
    void stop();

    /** Starts the server again at the same address. */
    void start();

    /** Stops the server for good and removes its data. */
    @Override
    void close();
}
