package io.fmi.lambda;

import io.fmi.channel.ChannelProvider;

/**
 * A {@link ChannelProvider} whose channels share their expensive clients (an AWS SDK client and
 * its connection pool, say) for as long as the provider lives, instead of building one per
 * communicator and closing it at the communicator's close.
 *
 * <p>{@link FmiLambda} finds the implementations on the class path with
 * {@link java.util.ServiceLoader} (list them in
 * {@code META-INF/services/io.fmi.lambda.WarmChannelProvider}), creates each once per warm Lambda
 * container and passes it to every communicator whose configuration enables its backend, so the
 * second invocation of a container reuses the clients (and their open connections) of the first.
 *
 * <pre>
 * public final class WarmMyStoreProvider implements WarmChannelProvider {
 *     private final Map&lt;String, MyClient&gt; clients = new ConcurrentHashMap&lt;&gt;();
 *     public String backend() { return "MyStore"; }
 *     public Channel create(ChannelContext ctx) {
 *         MyClient c = clients.computeIfAbsent(ctx.backend().json().toString(), k -&gt; MyClient.build(ctx.backend()));
 *         return new MyStoreChannel(ctx, c);                 // the channel leaves c open at close
 *     }
 *     public void close() { clients.values().forEach(MyClient::close); clients.clear(); }
 * }
 * </pre>
 *
 * <h2>Ownership</h2>
 * The provider owns the clients it builds; its channels must not close them. {@link #close()}
 * closes them all. A Lambda container ends without a call to it; {@link FmiLambda#shutdown()}
 * calls it for code that runs outside Lambda.
 *
 * <p>Implementations must be thread-safe, have a public no-argument constructor, and do no
 * network I/O in {@link #create} (the contract of {@link ChannelProvider}).
 */
public interface WarmChannelProvider extends ChannelProvider, AutoCloseable {
    /** Closes every client this provider built; channels created later build new ones. */
    @Override
    void close();
}
