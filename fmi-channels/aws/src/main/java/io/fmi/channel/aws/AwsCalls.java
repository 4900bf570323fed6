package io.fmi.channel.aws;

import io.fmi.BackendConfig;
import io.fmi.ChannelException;
import io.fmi.FmiConfigException;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.OpContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * What the S3 and DynamoDB channels share about the AWS SDK: client settings from {@code fmi.json}
 * (credentials, endpoint), and calls retried with back-off inside an operation's deadline.
 *
 * <p>The SDK's own retries are switched off ({@link #overrides()}): it does not know the
 * operation's deadline, so this class retries instead. Transient errors (throttling, HTTP 5xx and
 * 429, timeouts, connection failures) are retried with back-off from 20 ms doubling to 1 s until
 * the deadline; anything else (access denied, no such bucket or table, validation errors such as
 * an item too large) fails at once as a {@link ChannelException} naming the resource.
 *
 * <p>For channels built on the AWS SDK (S3, DynamoDB, and channels from outside). Stateless and thread-safe.
 */
public final class AwsCalls {
    private static final Logger log = LoggerFactory.getLogger(AwsCalls.class);
    private static final long FIRST_BACKOFF_MS = 20;
    private static final long MAX_BACKOFF_MS = 1000;

    private AwsCalls() {
    }

    /** Client overrides: no SDK retries (this class retries within the deadline). */
    public static ClientOverrideConfiguration overrides() {
        return ClientOverrideConfiguration.builder().retryStrategy(AwsRetryStrategy.doNotRetry()).build();
    }

    /** The HTTP client builder for a channel's SDK client; the SDK client owns and closes what it builds. */
    public static ApacheHttpClient.Builder http() {
        return ApacheHttpClient.builder()
                .maxConnections(64)
                .connectionTimeout(Duration.ofSeconds(5))
                .socketTimeout(Duration.ofSeconds(60));
    }

    /**
     * Credentials: {@code access_key} + {@code secret_key} (+ {@code session_token}) when both are
     * set, else the default AWS chain (environment, system properties, profile, container and
     * instance roles, the Lambda execution role).
     */
    public static AwsCredentialsProvider credentials(BackendConfig b) {
        Optional<String> key = b.string("access_key");
        Optional<String> secret = b.string("secret_key");
        if (key.isPresent() != secret.isPresent()) {
            throw new FmiConfigException("backends." + b.name() + ": access_key and secret_key go together (expected: both or neither)");
        }
        if (key.isEmpty()) {
            return DefaultCredentialsProvider.builder().build();
        }
        Optional<String> token = b.string("session_token");
        return StaticCredentialsProvider.create(token.isPresent()
                ? AwsSessionCredentials.create(key.get(), secret.get(), token.get())
                : AwsBasicCredentials.create(key.get(), secret.get()));
    }

    /** {@code endpoint} (LocalStack, MinIO, s3proxy, DynamoDB Local), if configured. */
    public static Optional<URI> endpoint(BackendConfig b) {
        Optional<String> e = b.string("endpoint");
        if (e.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(e.get());
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new URISyntaxException(e.get(), "no scheme or host");
            }
            return Optional.of(uri);
        } catch (URISyntaxException ex) {
            throw new FmiConfigException("backends." + b.name() + ".endpoint: '" + e.get() + "' (expected: a URL such as http://localhost:4566)");
        }
    }

    /**
     * Builds a channel's SDK client with this class's HTTP client, credentials and overrides, the
     * {@code region} (null: from the environment) and the backend's endpoint. A failure names
     * {@code what} and the backend key {@code regionKey} that usually fixes it.
     */
    public static <B extends AwsClientBuilder<B, C> & SdkSyncClientBuilder<B, C>, C> C build(
            B builder, ChannelContext context, String region, String regionKey, String what) {
        BackendConfig b = context.backend();
        builder.httpClientBuilder(http()).credentialsProvider(credentials(b)).overrideConfiguration(overrides());
        if (region != null) {
            builder.region(Region.of(region));
        }
        endpoint(b).ifPresent(builder::endpointOverride);
        try {
            C client = builder.build();
            log.debug("{} {} built ({})", context.logPrefix(), what, region == null ? "region from the environment" : region);
            return client;
        } catch (SdkException e) {
            throw new ChannelException("cannot build the " + what + ": " + e.getMessage()
                    + " (set backends." + b.name() + "." + regionKey + ") " + context.logPrefix(), e);
        }
    }

    /** Whether a later attempt may succeed where this one failed. */
    public static boolean isTransient(SdkException e) {
        if (e instanceof AwsServiceException) {
            AwsServiceException s = (AwsServiceException) e;
            int status = s.statusCode();
            String code = s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode();
            return s.isThrottlingException() || status >= 500 || status == 429
                    || "RequestTimeout".equals(code) || "SlowDown".equals(code)
                    || "ProvisionedThroughputExceededException".equals(code) || "RequestLimitExceeded".equals(code)
                    || "TransactionConflictException".equals(code);
        }
        return e instanceof SdkClientException || e.retryable();
    }

    /** A short description of an SDK error: status, error code and message. */
    public static String describe(SdkException e) {
        if (e instanceof AwsServiceException) {
            AwsServiceException s = (AwsServiceException) e;
            String code = s.awsErrorDetails() == null ? "" : s.awsErrorDetails().errorCode();
            String msg = s.awsErrorDetails() == null ? s.getMessage() : s.awsErrorDetails().errorMessage();
            return "HTTP " + s.statusCode() + " " + code + (msg == null ? "" : ": " + msg);
        }
        return e.getMessage();
    }

    /**
     * Runs {@code call} with the time left to the deadline (pass it to the request as its
     * {@code apiCallTimeout}), retrying transient failures with back-off until the deadline.
     *
     * @param what     the request, for messages: {@code "PutObject"}
     * @param resource what it acts on, for messages: {@code "s3://bucket/key"}
     * @param permanent turns a non-transient failure into the exception to throw (naming the resource)
     */
    public static <T> T call(OpContext op, String what, String resource, Function<Duration, T> call,
                             Function<SdkException, RuntimeException> permanent) {
        ChannelContext ctx = op.channel();
        long backoffMs = FIRST_BACKOFF_MS;
        int attempt = 0;
        while (true) {
            attempt++;
            long left = op.deadline().remainingNanos();
            SdkException failure;
            try {
                return call.apply(Duration.ofNanos(Math.max(left, TimeUnit.MILLISECONDS.toNanos(1))));
            } catch (ApiCallTimeoutException e) {
                failure = e;
            } catch (SdkException e) {
                if (!isTransient(e)) {
                    throw permanent.apply(e);
                }
                failure = e;
            }
            left = op.deadline().remainingNanos();
            if (left <= TimeUnit.MILLISECONDS.toNanos(backoffMs)) {
                throw new ChannelException(op.label() + ": " + what + " of " + resource + " failed " + attempt
                        + " times until the deadline of " + op.deadline().timeout().toMillis() + " ms; last error: "
                        + describe(failure) + " " + op.where(), failure, true);
            }
            log.debug("{} {} of {} failed (attempt {}), retrying in {} ms: {}", ctx.logPrefix(), what, resource, attempt, backoffMs, describe(failure));
            sleep(backoffMs, op);
            backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
        }
    }

    /** Sleeps, turning an interrupt into an error of the operation (the flag stays set). */
    public static void sleep(long ms, OpContext op) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw op.error("interrupted while waiting");
        }
    }
}
