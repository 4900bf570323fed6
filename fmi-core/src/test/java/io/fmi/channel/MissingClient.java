package io.fmi.channel;

/**
 * Stands for a channel's client library; {@link ProviderClassLoader} hides it, as a build that
 * left out the library's jar would.
 */
public final class MissingClient {
}
